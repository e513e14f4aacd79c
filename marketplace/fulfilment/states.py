"""The vendor order state machine: which action may start from which state, and lead where.

paid → accepted → partially_shipped → shipped → delivered → returned, with cancelled reached by
cancelling every unit before anything ships. Cancelling what is left of a partly shipped
order closes it as shipped (or delivered, when its parcels have all arrived). Anything not in
the table is refused with `InvalidTransition`, never ignored.
"""

from __future__ import annotations

from enum import StrEnum

from marketplace.fulfilment.exceptions import InvalidTransition
from marketplace.orders.models import VendorOrder, VendorOrderStatus

S = VendorOrderStatus


class Action(StrEnum):
    ACCEPT = "accept"
    SHIP = "ship"
    CANCEL = "cancel"
    DELIVER = "deliver"
    RETURN = "return"


# action → {state it may start from → states it may lead to}
TRANSITIONS: dict[Action, dict[VendorOrderStatus, frozenset[VendorOrderStatus]]] = {
    Action.ACCEPT: {S.PAID: frozenset({S.ACCEPTED})},
    Action.SHIP: {
        S.ACCEPTED: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED}),
        S.PARTIALLY_SHIPPED: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED}),
    },
    Action.CANCEL: {
        S.PAID: frozenset({S.PAID, S.CANCELLED}),
        S.ACCEPTED: frozenset({S.ACCEPTED, S.CANCELLED}),
        S.PARTIALLY_SHIPPED: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED}),
    },
    Action.DELIVER: {S.SHIPPED: frozenset({S.DELIVERED})},
    Action.RETURN: {S.DELIVERED: frozenset({S.RETURNED})},
}

VERBS = {
    Action.ACCEPT: "accepted",
    Action.SHIP: "shipped",
    Action.CANCEL: "cancelled",
    Action.DELIVER: "marked delivered",
    Action.RETURN: "returned",
}

# What a person can still do with an order in each state (said when an action is refused).
WHAT_IS_ALLOWED = {
    S.PENDING_PAYMENT: "it has not been paid yet, so nothing can happen to it",
    S.PAID: "accept it, or cancel what you cannot supply",
    S.ACCEPTED: "ship it, or cancel what you cannot supply",
    S.PARTIALLY_SHIPPED: "ship the rest, or cancel what you cannot supply",
    S.SHIPPED: "it is on its way; it becomes delivered when its parcels arrive",
    S.DELIVERED: "the buyer may ask to return it within the return window",
    S.CANCELLED: "it is closed",
    S.RETURNED: "it is closed",
}

OPEN_STATES = (S.PAID, S.ACCEPTED, S.PARTIALLY_SHIPPED)  # the shop still has units to send


def label(status: str) -> str:
    return status.replace("_", " ")


def check(vendor_order: VendorOrder, action: Action) -> None:
    """Refuse `action` unless the vendor order's state allows it."""
    if VendorOrderStatus(vendor_order.status) not in TRANSITIONS[action]:
        raise InvalidTransition(
            f"Order {vendor_order.order.number} is {label(vendor_order.status)} and cannot be "
            f"{VERBS[action]}: {WHAT_IS_ALLOWED[VendorOrderStatus(vendor_order.status)]}."
        )


def move(vendor_order: VendorOrder, action: Action, target: VendorOrderStatus) -> None:
    """Put the vendor order in `target`, if the table allows `action` to lead there."""
    check(vendor_order, action)
    allowed = TRANSITIONS[action][VendorOrderStatus(vendor_order.status)]
    if target not in allowed:
        raise InvalidTransition(
            f"Order {vendor_order.order.number} cannot go from {label(vendor_order.status)} "
            f"to {label(target)}."
        )
    vendor_order.status = target
