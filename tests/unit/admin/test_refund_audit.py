"""An admin's refund leaves an audit row per refunded part; a shop refunding its own order
does not (it is not an admin action)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.admin.models import AdminAction
from marketplace.extensions import db
from marketplace.payments import connect, services
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import Payment, Refund
from marketplace.payments.offline_payments import CARDS_BY_NUMBER
from tests.helpers import sign_in
from tests.unit.payments import payments_support as support


@pytest.fixture
def paid(app):
    app.config["PAYOUT_RELEASE_POLICY"] = "on_payment"
    market = support.build_marketplace()
    db.session.commit()
    order = support.place_order(market)
    services.start_payment(order.id)
    payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    card = CARDS_BY_NUMBER["4242424242424242"]
    connect.handle_gateway_event(get_gateway().pay_with_card(payment.gateway_reference, card))
    db.session.commit()
    return market, order


def test_an_admin_whole_order_refund_is_audited_per_part(client, paid, admin_user):
    _, order = paid
    db.session.commit()
    sign_in(client, admin_user)

    client.post(f"/admin/orders/{order.number}/refund-all", data={"reason": "Fraud suspected"})

    db.session.expire_all()
    rows = db.session.scalars(select(AdminAction).order_by(AdminAction.id)).all()
    refunds = db.session.scalars(select(Refund).order_by(Refund.id)).all()
    assert [row.action for row in rows] == ["order.refund"] * len(refunds) == ["order.refund"] * 2
    assert [row.after["refund_id"] for row in rows] == [refund.id for refund in refunds]
    assert [row.target_id for row in rows] == [str(r.vendor_order_id) for r in refunds]
    assert rows[0].after["amount_minor"] == refunds[0].amount_minor
    assert rows[0].reason == "Fraud suspected" and rows[0].actor_id == admin_user.id


def test_a_shop_refunding_its_own_order_is_not_an_admin_action(client, paid):
    market, order = paid
    vendor_order = order.vendor_orders[0]
    sign_in(client, market.vendors[0].owner)
    client.post(
        f"/sell/orders/{vendor_order.id}/refund", data={"what": "all", "reason": "Out of stock"}
    )
    db.session.expire_all()
    assert db.session.scalars(select(Refund)).all()
    assert db.session.scalars(select(AdminAction)).all() == []
