"""The demo's past orders are placed and paid through the real services, so its ledger verifies."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.demo.seed import seed_demo
from marketplace.extensions import db
from marketplace.orders.models import Order, VendorOrder
from marketplace.payments.models import Payment, WebhookEvent
from marketplace.payouts.models import LedgerTransaction, Transfer, TransferStatus


@pytest.fixture
def seeded(app):
    summary = seed_demo(products=40, seed=7, image_size=64)
    db.session.commit()
    return summary


def test_every_demo_order_was_paid_by_a_gateway_event_and_split(seeded):
    orders = db.session.scalars(select(Order)).all()

    assert len(orders) == seeded.orders > 0
    succeeded = select(func.count(WebhookEvent.id)).where(
        WebhookEvent.type == "payment_intent.succeeded"
    )
    assert db.session.scalar(succeeded) == len(orders)
    for order in orders:
        payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
        assert payment.fee_minor > 0
        assert payment.succeeded_at == order.paid_at
        for vendor_order in order.vendor_orders:
            # Released after its hold (or not yet): then its whole net went across, once.
            transfers = db.session.scalars(
                select(Transfer).where(Transfer.vendor_order_id == vendor_order.id)
            ).all()
            assert all(t.status == TransferStatus.SUCCEEDED for t in transfers)
            assert [t.amount_minor for t in transfers] in ([], [vendor_order.vendor_net_minor])
        booked = db.session.scalars(
            select(LedgerTransaction.created_at).where(LedgerTransaction.order_id == order.id)
        ).all()
        assert order.paid_at in booked and min(booked) == order.paid_at
    assert db.session.scalar(select(func.count(VendorOrder.id))) == seeded.vendor_orders


def test_flask_ledger_verify_passes_on_the_demo(app, seeded):
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])

    entries = db.session.scalar(select(func.count(LedgerTransaction.id)))
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == (
        f"entries={entries} unbalanced=0 mismatched_balances=0 open_clearing=0"
    )
