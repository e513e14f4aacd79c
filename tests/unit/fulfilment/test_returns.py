"""Returns: asked within the window, approved or refused, received and refunded, or decided
by an admin as a dispute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.admin.models import AdminAction
from marketplace.catalog.models import Variant
from marketplace.extensions import db
from marketplace.fulfilment import returns, services
from marketplace.fulfilment.exceptions import ReturnNotAllowed, VendorOrderNotFound
from marketplace.fulfilment.models import ReturnRequest, ReturnStatus, Shipment, ShipmentStatus
from marketplace.models_base import utcnow
from marketplace.orders.models import OrderLine, VendorOrderStatus
from marketplace.payments.models import Refund
from tests import factories
from tests.unit.fulfilment import support
from tests.unit.payments import payments_support


@pytest.fixture
def delivered(order):
    """The first shop's part (3 units) shipped and delivered a day ago."""
    vendor_order = support.part_of(order)
    support.accept(vendor_order)
    shipment = support.ship(support.part_of(order))
    shipment = support.fresh(Shipment, shipment.id)
    shipment.status = ShipmentStatus.DELIVERED
    shipment.delivered_at = utcnow() - timedelta(days=1)
    services.settle_delivery(shipment.vendor_order)
    db.session.commit()
    return support.part_of(order)


def _ask(order, vendor_order, units=1, reason="The glaze is cracked", **kwargs):
    request = returns.request_return(
        order.buyer_id,
        order.number,
        vendor_order.id,
        {vendor_order.lines[0].id: units},
        reason,
        **kwargs,
    )
    db.session.commit()
    return request


def test_the_buyer_asks_the_shop_approves_receives_and_refunds_with_restock(order, delivered):
    line = delivered.lines[0]
    stock_before = support.fresh(Variant, line.variant_id).stock_on_hand
    asked = _ask(order, delivered, units=1)
    assert asked.status == ReturnStatus.REQUESTED
    assert asked.respond_by is not None
    assert len(support.emails("fulfilment_return_requested")) == 1

    returns.approve_return(
        delivered.vendor_id, asked.id, label_url="https://labels.example/r/1", address=None
    )
    db.session.commit()
    assert "https://labels.example/r/1" in support.emails("fulfilment_return_approved")[0].body_text

    refund = returns.mark_received(
        delivered.vendor_id, asked.id, resellable=True, actor_id=delivered.vendor.owner_id
    )
    db.session.commit()

    done = support.fresh(ReturnRequest, asked.id)
    assert done.status == ReturnStatus.REFUNDED
    assert done.refund_id == refund.id
    assert refund.amount_minor == 2500 + 200  # one unit and its 8% tax
    assert refund.restock is True
    assert support.fresh(Variant, line.variant_id).stock_on_hand == stock_before + 1
    returned_line = support.fresh(OrderLine, line.id)
    assert (returned_line.quantity_returned, returned_line.quantity_refunded) == (1, 1)
    assert support.part_of(order).status == VendorOrderStatus.DELIVERED  # 2 units kept
    payments_support.ledger_is_sound()


def test_returning_every_unit_makes_the_vendor_order_returned(order, delivered):
    asked = _ask(order, delivered, units=3)
    returns.approve_return(delivered.vendor_id, asked.id, label_url=None, address="1 Shop St")
    returns.mark_received(
        delivered.vendor_id, asked.id, resellable=False, actor_id=delivered.vendor.owner_id
    )
    db.session.commit()

    assert support.part_of(order).status == VendorOrderStatus.RETURNED
    assert db.session.scalars(select(Refund)).one().restock is False


def test_a_refusal_escalates_to_a_dispute_the_admin_refunds_and_it_is_audited(order, delivered):
    asked = _ask(order, delivered, units=2)
    returns.refuse_return(delivered.vendor_id, asked.id, "Used and washed")
    db.session.commit()
    escalated = support.fresh(ReturnRequest, asked.id)
    assert escalated.status == ReturnStatus.ESCALATED
    assert "Used and washed" in escalated.escalation_reason
    admin = factories.UserFactory(is_admin=True)
    db.session.commit()

    decided = returns.decide_dispute(admin.id, asked.id, "refund", "Photos show a crack")
    db.session.commit()

    assert decided.refund is not None and decided.refund.amount_minor == 2 * 2700
    assert support.fresh(ReturnRequest, asked.id).status == ReturnStatus.REFUNDED
    audit = db.session.scalars(select(AdminAction)).one()
    assert (audit.action, audit.target_type, audit.target_id) == (
        "dispute.refund",
        "return_request",
        str(asked.id),
    )
    assert audit.before == {"status": "escalated"}
    assert audit.after["refund_minor"] == 5400
    assert audit.reason == "Photos show a crack"
    payments_support.ledger_is_sound()


def test_an_admin_can_refuse_a_dispute(order, delivered):
    asked = _ask(order, delivered)
    returns.refuse_return(delivered.vendor_id, asked.id, "Outside our policy")
    admin = factories.UserFactory(is_admin=True)
    db.session.commit()

    returns.decide_dispute(admin.id, asked.id, "refuse", "No evidence of damage")
    db.session.commit()

    assert support.fresh(ReturnRequest, asked.id).status == ReturnStatus.REFUSED
    assert support.count(Refund) == 0
    assert "No evidence of damage" in support.emails("fulfilment_return_refused")[0].body_text


def test_silence_past_the_response_deadline_escalates(order, delivered):
    asked = _ask(order, delivered)

    assert returns.escalate_silent_returns(utcnow()) == 0
    assert returns.escalate_silent_returns(utcnow() + timedelta(days=3, minutes=1)) == 1
    db.session.commit()

    escalated = support.fresh(ReturnRequest, asked.id)
    assert escalated.status == ReturnStatus.ESCALATED
    assert "did not answer" in escalated.escalation_reason


def test_returns_are_refused_outside_the_window_before_delivery_and_twice(order, delivered):
    late = delivered.delivered_at + timedelta(days=31)
    with pytest.raises(ReturnNotAllowed, match="30 days after delivery"):
        _ask(order, delivered, now=late)
    db.session.rollback()
    not_delivered = support.part_of(order, 1)
    with pytest.raises(ReturnNotAllowed, match="once they have been delivered"):
        _ask(order, not_delivered)
    db.session.rollback()
    _ask(order, delivered)
    with pytest.raises(ReturnNotAllowed, match="already asked"):
        _ask(order, delivered)
    db.session.rollback()

    assert support.count(ReturnRequest) == 1


def test_only_the_buyer_and_the_shop_of_the_order_can_act_on_it(order, delivered, market):
    stranger = factories.UserFactory()
    db.session.commit()
    with pytest.raises(ReturnNotAllowed):
        returns.request_return(
            stranger.id, order.number, delivered.id, {delivered.lines[0].id: 1}, "Mine now"
        )
    db.session.rollback()
    asked = _ask(order, delivered)
    other_shop = market.vendors[1]

    with pytest.raises(VendorOrderNotFound):
        returns.approve_return(other_shop.id, asked.id, label_url=None, address="Elsewhere")
    db.session.rollback()

    assert support.fresh(ReturnRequest, asked.id).status == ReturnStatus.REQUESTED


def test_open_return_states_are_the_ones_in_progress():
    assert set(returns.OPEN_RETURN_STATES) == {
        ReturnStatus.REQUESTED,
        ReturnStatus.APPROVED,
        ReturnStatus.ESCALATED,
        ReturnStatus.RECEIVED,
    }
