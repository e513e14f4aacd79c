"""Three shops in one order on PostgreSQL + Redis with RQ workers: one ships late and is
cancelled and refunded by the deadline, one is returned, one is delivered and paid out.
Afterwards the ledger verifies and each shop's statement matches its payouts to the cent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.fulfilment import returns
from marketplace.models_base import utcnow
from marketplace.notifications.models import EmailStatus, OutboundEmail
from marketplace.orders.models import Order, VendorOrderStatus
from marketplace.payouts.balances import vendor_balances
from marketplace.payouts.models import Payout, PayoutStatus
from marketplace.payouts.runs import run_payouts
from marketplace.payouts.settlement import settle_offline_payout
from marketplace.payouts.statements import vendor_statement
from marketplace.vendors.models import Vendor
from tests import factories
from tests.helpers import require_service
from tests.unit.fulfilment import support
from tests.unit.payments import payments_support

pytestmark = pytest.mark.integration


@pytest.fixture
def app(rq_app):
    """The RQ app must be on PostgreSQL here (the worker processes share its database)."""
    require_service("DATABASE_URL")
    return rq_app


def _part(order_id: int, vendor_id: int):
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    return next(vo for vo in order.vendor_orders if vo.vendor_id == vendor_id)


def test_late_returned_and_delivered_shops_settle_to_the_cent(app, run_worker):
    market = payments_support.build_marketplace((2500, 1200, 4000))
    db.session.commit()
    late_shop, returning_shop, good_shop = (v.id for v in market.vendors)
    order = support.paid_order(market, (2, 1, 1))
    started = utcnow()
    run_worker()  # payment mails and jobs

    # The late shop never ships: past ship-by + 3 days, the deadline cancels and refunds it.
    late = _part(order.id, late_shop)
    late_total = late.subtotal_minor + late.shipping_minor + late.tax_minor
    late.ship_by = utcnow() - timedelta(days=3, hours=1)
    db.session.commit()
    enforced = app.test_cli_runner().invoke(args=["fulfilment", "enforce"])
    assert enforced.exit_code == 0, enforced.output
    assert enforced.output.splitlines()[-1] == (
        f"reminded=0 cancelled=1 refunded_minor={late_total}"
    )
    assert _part(order.id, late_shop).status == VendorOrderStatus.CANCELLED
    assert db.session.get(Vendor, late_shop).strikes == 1

    # The other two ship, and the embedded provider delivers their parcels.
    for shop in (returning_shop, good_shop):
        support.accept(_part(order.id, shop))
        support.ship(_part(order.id, shop))
    simulated = app.test_cli_runner().invoke(args=["fulfilment", "simulate", order.number])
    assert simulated.exit_code == 0, simulated.output
    delivered_at = _part(order.id, good_shop).delivered_at
    assert delivered_at is not None
    assert _part(order.id, returning_shop).status == VendorOrderStatus.DELIVERED

    # The buyer sends the returning shop's item back; the shop receives it and it is refunded.
    part = _part(order.id, returning_shop)
    asked = returns.request_return(
        order.buyer_id, order.number, part.id, {part.lines[0].id: 1}, "Too small"
    )
    returns.approve_return(returning_shop, asked.id, label_url=None, address="1 Shop Street")
    db.session.commit()
    returns.mark_received(returning_shop, asked.id, resellable=True, actor_id=part.vendor.owner_id)
    db.session.commit()
    assert _part(order.id, returning_shop).status == VendorOrderStatus.RETURNED
    run_worker()

    # After the hold (the return window), the payout run releases and pays the good shop.
    later = delivered_at + timedelta(days=31)
    result = run_payouts(now=later)
    good = _part(order.id, good_shop)
    assert result.vendors == 1
    assert result.paid_minor == good.vendor_net_minor
    payout = db.session.scalars(select(Payout)).one()
    assert (payout.vendor_id, payout.status) == (good_shop, PayoutStatus.IN_TRANSIT)
    admin = factories.UserFactory(is_admin=True)
    db.session.commit()
    settle_offline_payout(payout.id, paid=True, actor_id=admin.id)
    db.session.commit()
    run_worker()

    verified = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "unbalanced=0 mismatched_balances=0" in verified.output
    unsent = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.status != EmailStatus.SENT)
    ).all()
    assert unsent == []  # every mail went through the RQ workers

    start, end = started - timedelta(days=1), later + timedelta(days=1)
    returned = _part(order.id, returning_shop)
    still_owed = {late_shop: 0, returning_shop: returned.shipping_minor, good_shop: 0}
    for shop in (late_shop, returning_shop, good_shop):
        statement = vendor_statement(shop, start, end, "USD")
        payouts = db.session.scalars(select(Payout).where(Payout.vendor_id == shop)).all()
        balances = vendor_balances(shop, "USD")
        assert statement.opening_minor == 0
        assert -statement.total("payout") == sum(p.amount_minor for p in payouts)
        assert statement.closing_minor == (
            balances.pending + balances.balance + balances.in_payout - balances.owed
        )
        # A return refunds the items, not the original shipping: that stays the shop's
        # (released, but below the payout minimum); everything else was refunded or paid.
        assert statement.closing_minor == still_owed[shop]
    good_statement = vendor_statement(good_shop, start, end, "USD")
    assert good_statement.total("sale", "commission") == good.vendor_net_minor
    assert good.vendor_net_minor == payout.amount_minor
