"""The vendor order state machine: every allowed move, and every refused one, by table."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.fulfilment import services, states
from marketplace.fulfilment.exceptions import InvalidTransition
from marketplace.fulfilment.models import Shipment, ShipmentStatus
from marketplace.fulfilment.states import TRANSITIONS, Action
from marketplace.orders.models import Order, OrderLine, VendorOrder, VendorOrderStatus
from tests.unit.fulfilment import support

S = VendorOrderStatus

REFUSED = [
    (action, status)
    for action in Action
    for status in VendorOrderStatus
    if status not in TRANSITIONS[action]
]
ALLOWED = [(action, status) for action in Action for status in TRANSITIONS[action]]


def test_the_table_refuses_something_in_every_state():
    """Each state refuses at least one action, and pending payment refuses all of them."""
    for status in VendorOrderStatus:
        assert any(status not in TRANSITIONS[action] for action in Action)
    assert all(S.PENDING_PAYMENT not in TRANSITIONS[action] for action in Action)


NUMBER = "MP-20261126-TESTTEST"


def _loose(status: VendorOrderStatus) -> VendorOrder:
    """A vendor order in `status`, never saved: the table needs nothing else."""
    return VendorOrder(status=status, order=Order(number=NUMBER))


@pytest.mark.parametrize(("action", "status"), REFUSED, ids=lambda v: str(v))
def test_every_refused_transition_raises_with_a_clear_message(action, status):
    vendor_order = _loose(status)

    with pytest.raises(InvalidTransition) as refused:
        states.check(vendor_order, action)

    message = refused.value.message
    assert NUMBER in message
    assert status.replace("_", " ") in message
    assert states.VERBS[action] in message


@pytest.mark.parametrize(("action", "status"), ALLOWED, ids=lambda v: str(v))
def test_allowed_transitions_pass_the_check(action, status):
    states.check(_loose(status), action)  # no error


def test_a_move_to_a_state_the_action_cannot_reach_is_refused():
    vendor_order = _loose(S.PAID)

    with pytest.raises(InvalidTransition, match="cannot go from paid to shipped"):
        states.move(vendor_order, Action.ACCEPT, S.SHIPPED)
    assert vendor_order.status == S.PAID


def _snapshot(vendor_order_id: int) -> tuple:
    db.session.expire_all()
    vendor_order = db.session.get(VendorOrder, vendor_order_id)
    lines = db.session.scalars(
        select(OrderLine).where(OrderLine.vendor_order_id == vendor_order_id)
    ).all()
    return (
        vendor_order.status,
        vendor_order.accepted_at,
        vendor_order.shipped_at,
        vendor_order.cancelled_at,
        tuple((li.quantity_shipped, li.quantity_cancelled, li.quantity_refunded) for li in lines),
        support.count(Shipment),
    )


SERVICE_REFUSALS = {
    Action.ACCEPT: lambda vo: services.accept(vo.vendor_id, vo.id),
    Action.SHIP: lambda vo: services.ship(
        vo.vendor_id,
        vo.id,
        services.ShipRequest({vo.lines[0].id: 1}, "ups", "1Z999AA10123456784"),
    ),
    Action.CANCEL: lambda vo: services.cancel_units(
        vo, {vo.lines[0].id: 1}, "Out of stock", actor_id=None
    ),
}


@pytest.mark.parametrize(
    ("action", "status"),
    [(a, s) for a, s in REFUSED if a in SERVICE_REFUSALS],
    ids=lambda v: str(v),
)
def test_services_refuse_in_the_wrong_state_and_change_nothing(order, action, status):
    vendor_order = support.part_of(order)
    vendor_order.status = status
    db.session.commit()
    before = _snapshot(vendor_order.id)

    with pytest.raises(InvalidTransition):
        SERVICE_REFUSALS[action](support.part_of(order))
    db.session.rollback()

    assert _snapshot(vendor_order.id) == before


def test_the_order_walks_paid_accepted_partly_shipped_shipped_delivered(order):
    vendor_order = support.part_of(order)
    line = vendor_order.lines[0]  # 3 units
    support.accept(vendor_order)
    assert support.part_of(order).status == S.ACCEPTED

    first = support.ship(support.part_of(order), {line.id: 1})
    assert support.part_of(order).status == S.PARTIALLY_SHIPPED
    second = support.ship(support.part_of(order), {line.id: 2})
    assert support.part_of(order).status == S.SHIPPED

    for shipment_id in (first.id, second.id):
        shipment = support.fresh(Shipment, shipment_id)
        shipment.status = ShipmentStatus.DELIVERED
        shipment.delivered_at = shipment.shipped_at
        db.session.flush()
        services.settle_delivery(shipment.vendor_order)
    db.session.commit()

    delivered = support.part_of(order)
    assert delivered.status == S.DELIVERED
    assert delivered.delivered_at is not None
