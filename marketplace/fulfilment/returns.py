"""Returns: the buyer asks, the shop approves or refuses, received items are refunded.

requested → approved → refunded (received; restocked when the shop says it is resellable);
requested → escalated (the shop refused, or let `respond_by` pass) → refunded | refused by an
admin: an escalated return is a dispute (`/admin/disputes`). Every refund goes through the
refund path (`payments.refunding.refund`). A vendor order whose every shipped unit came back
is returned. One return request per vendor order is open at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select

from marketplace.admin.audit import record_admin_action
from marketplace.extensions import db
from marketplace.fulfilment import notify, settings
from marketplace.fulfilment.exceptions import (
    FulfilmentError,
    InvalidQuantities,
    ReturnNotAllowed,
    ReturnNotFound,
)
from marketplace.fulfilment.models import ReturnLine, ReturnRequest, ReturnStatus
from marketplace.fulfilment.services import clean_reason, vendor_order_of
from marketplace.fulfilment.states import Action, move
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, OrderLine, VendorOrder, VendorOrderStatus
from marketplace.payments import refunding
from marketplace.payments.models import Refund

__all__ = [
    "OPEN_RETURN_STATES",
    "approve_return",
    "decide_dispute",
    "escalate_silent_returns",
    "mark_received",
    "refuse_return",
    "request_return",
    "returnable_units",
]

# A return still in progress: the vendor order's money must not be released meanwhile.
OPEN_RETURN_STATES = (
    ReturnStatus.REQUESTED,
    ReturnStatus.APPROVED,
    ReturnStatus.ESCALATED,
    ReturnStatus.RECEIVED,
)
DECISIONS = ("refund", "refuse")
ADDRESS_MAX = 1000
URL_MAX = 500


def open_return(vendor_order_id: int) -> ReturnRequest | None:
    return db.session.scalars(
        select(ReturnRequest).where(
            ReturnRequest.vendor_order_id == vendor_order_id,
            ReturnRequest.status.in_([str(s) for s in OPEN_RETURN_STATES]),
        )
    ).first()


def returnable_units(line: OrderLine) -> int:
    """Shipped units not yet returned nor refunded another way."""
    refunded_otherwise = max(
        0, line.quantity_refunded - line.quantity_cancelled - line.quantity_returned
    )
    return max(0, line.quantity_shipped - line.quantity_returned - refunded_otherwise)


def return_deadline(vendor_order: VendorOrder) -> datetime | None:
    if vendor_order.delivered_at is None:
        return None
    return vendor_order.delivered_at + settings.return_window()


def can_request_return(vendor_order: VendorOrder, now: datetime | None = None) -> bool:
    """Whether the buyer may ask to return something of it now (for the order page)."""
    deadline = return_deadline(vendor_order)
    return (
        vendor_order.status == VendorOrderStatus.DELIVERED
        and deadline is not None
        and (now or utcnow()) <= deadline
        and open_return(vendor_order.id) is None
        and any(returnable_units(line) for line in vendor_order.lines)
    )


def _buyers_vendor_order(buyer_id: int, order_number: str, vendor_order_id: int) -> VendorOrder:
    vendor_order = db.session.scalars(
        select(VendorOrder)
        .join(Order, Order.id == VendorOrder.order_id)
        .where(
            VendorOrder.id == vendor_order_id,
            Order.number == order_number,
            Order.buyer_id == buyer_id,
        )
    ).first()
    if vendor_order is None:
        raise ReturnNotAllowed("There is no such order in your account.")
    return vendor_order


def _chosen(
    vendor_order: VendorOrder, quantities: Mapping[int, int]
) -> list[tuple[OrderLine, int]]:
    lines = {line.id: line for line in vendor_order.lines}
    chosen = []
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise InvalidQuantities("That item is not part of this order.")
        if quantity == 0:
            continue
        left = returnable_units(line)
        if quantity < 0 or quantity > left:
            raise InvalidQuantities(f"You can return up to {left} of “{line.title}”.")
        chosen.append((line, quantity))
    if not chosen:
        raise InvalidQuantities("Choose at least one item to return.")
    return chosen


def request_return(
    buyer_id: int,
    order_number: str,
    vendor_order_id: int,
    quantities: Mapping[int, int],
    reason: str | None,
    *,
    now: datetime | None = None,
) -> ReturnRequest:
    """The buyer asks to send units of a delivered vendor order back, within the window."""
    moment = now or utcnow()
    vendor_order = _buyers_vendor_order(buyer_id, order_number, vendor_order_id)
    if vendor_order.status != VendorOrderStatus.DELIVERED:
        raise ReturnNotAllowed("You can ask to return items once they have been delivered.")
    deadline = return_deadline(vendor_order)
    if deadline is None or moment > deadline:
        raise ReturnNotAllowed(
            f"Returns can be asked for up to {settings.return_window().days} days after "
            "delivery; that time has passed."
        )
    if open_return(vendor_order.id) is not None:
        raise ReturnNotAllowed("You already asked to return items from this shop's parcel.")
    chosen = _chosen(vendor_order, quantities)
    text = clean_reason(reason, what="Say why you are returning it")
    request = ReturnRequest(
        vendor_order_id=vendor_order.id,
        requested_by_id=buyer_id,
        status=ReturnStatus.REQUESTED,
        reason=text,
        created_at=moment,
        respond_by=moment + settings.return_response_time(),
        lines=[ReturnLine(order_line_id=line.id, quantity=units) for line, units in chosen],
    )
    db.session.add(request)
    db.session.flush()
    notify.return_requested(request)
    return request


def _shops_return(vendor_id: int, return_id: int) -> ReturnRequest:
    request = db.session.get(ReturnRequest, return_id)
    if request is None:
        raise ReturnNotFound()
    vendor_order_of(vendor_id, request.vendor_order_id)  # another shop's: not found
    return request


def _must_be(request: ReturnRequest, *states: ReturnStatus, doing: str) -> None:
    if request.status not in states:
        raise ReturnNotAllowed(f"This return is {request.status} and cannot be {doing} any more.")


def _clean_label_url(url: str | None) -> str | None:
    text = (url or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > URL_MAX:
        raise FulfilmentError(
            "The return label link must be a web address (https://...).", field="label_url"
        )
    return text


def approve_return(
    vendor_id: int,
    return_id: int,
    *,
    label_url: str | None,
    address: str | None,
    note: str | None = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """The shop accepts the return and says how to send it: a label link or an address."""
    request = _shops_return(vendor_id, return_id)
    _must_be(request, ReturnStatus.REQUESTED, doing="approved")
    url = _clean_label_url(label_url)
    where = (address or "").strip()[:ADDRESS_MAX] or None
    if url is None and where is None:
        raise FulfilmentError(
            "Give the buyer a return label link or the address to send the items to.",
            field="label_url",
        )
    request.status = ReturnStatus.APPROVED
    request.return_label_url, request.return_address = url, where
    request.vendor_response = " ".join((note or "").split())[:500] or None
    request.decided_at = now or utcnow()
    db.session.flush()
    notify.return_approved(request)
    return request


def _escalate(request: ReturnRequest, why: str, moment: datetime) -> None:
    request.status = ReturnStatus.ESCALATED
    request.escalated_at = moment
    request.escalation_reason = why
    db.session.flush()
    notify.return_escalated(request)


def refuse_return(
    vendor_id: int, return_id: int, reason: str | None, *, now: datetime | None = None
) -> ReturnRequest:
    """The shop refuses: the request becomes a dispute for the marketplace team."""
    moment = now or utcnow()
    request = _shops_return(vendor_id, return_id)
    _must_be(request, ReturnStatus.REQUESTED, doing="refused")
    text = clean_reason(reason, what="Say why you refuse the return")
    request.vendor_response = text
    request.decided_at = moment
    _escalate(request, f"The shop refused your return: {text.rstrip('.')}.", moment)
    return request


def escalate_silent_returns(now: datetime | None = None) -> int:
    """Requests the shop did not answer in time become disputes; returns how many."""
    moment = now or utcnow()
    silent = db.session.scalars(
        select(ReturnRequest)
        .where(
            ReturnRequest.status == ReturnStatus.REQUESTED,
            ReturnRequest.respond_by <= moment,
        )
        .order_by(ReturnRequest.id)
    ).all()
    for request in silent:
        _escalate(request, "The shop did not answer your return request in time.", moment)
    return len(silent)


def _refund_return(
    request: ReturnRequest, *, restock: bool, actor_id: int, vendor_id: int | None, why: str
) -> Refund:
    """Refund the request's units through the refund path and count them returned."""
    vendor_order = request.vendor_order
    quantities = {line.order_line_id: line.quantity for line in request.lines}
    refund = refunding.refund(
        refunding.RefundRequest(
            vendor_order.id, why, quantities=quantities, shipping=False, restock=restock
        ),
        actor_id=actor_id,
        vendor_id=vendor_id,
    )
    for line in request.lines:
        line.order_line.quantity_returned += line.quantity
    request.refund_id = refund.id
    request.status = ReturnStatus.REFUNDED
    if all(li.quantity_returned >= li.quantity_shipped for li in vendor_order.lines):
        move(vendor_order, Action.RETURN, VendorOrderStatus.RETURNED)
    db.session.flush()
    notify.return_refunded(request, refund)
    return refund


def mark_received(
    vendor_id: int,
    return_id: int,
    *,
    resellable: bool,
    actor_id: int,
    now: datetime | None = None,
) -> Refund:
    """The shop got the items back: refund them, restocking them when they can be sold again."""
    request = _shops_return(vendor_id, return_id)
    _must_be(request, ReturnStatus.APPROVED, doing="marked received")
    request.status = ReturnStatus.RECEIVED
    request.received_at = now or utcnow()
    request.resellable = resellable
    return _refund_return(
        request,
        restock=resellable,
        actor_id=actor_id,
        vendor_id=vendor_id,
        why=f"Return received: {request.reason}"[:500],
    )


@dataclass(frozen=True)
class DisputeDecision:
    request: ReturnRequest
    refund: Refund | None


def decide_dispute(
    admin_id: int,
    return_id: int,
    decision: str,
    reason: str | None,
    *,
    now: datetime | None = None,
) -> DisputeDecision:
    """An admin settles an escalated return: refund the buyer (through the refund path, as
    the marketplace) or refuse, with a reason both sides read; the decision is audited."""
    request = db.session.get(ReturnRequest, return_id)
    if request is None:
        raise ReturnNotFound()
    _must_be(request, ReturnStatus.ESCALATED, doing="decided")
    if decision not in DECISIONS:
        raise FulfilmentError("Choose to refund the buyer or refuse the return.", field="decision")
    text = clean_reason(reason, what="Say why you decided so")
    before = {"status": request.status}
    request.dispute_decision = decision
    request.dispute_reason = text
    request.dispute_decided_by_id = admin_id
    request.dispute_decided_at = now or utcnow()
    refund = None
    if decision == "refund":
        refund = _refund_return(
            request,
            restock=False,
            actor_id=admin_id,
            vendor_id=None,
            why=f"Return dispute decided by the marketplace: {text}"[:500],
        )
    else:
        request.status = ReturnStatus.REFUSED
        db.session.flush()
        notify.dispute_refused(request)
    notify.dispute_decided_to_shop(request)
    record_admin_action(
        actor_id=admin_id,
        action=f"dispute.{decision}",
        target_type="return_request",
        target_id=request.id,
        before=before,
        after={
            "status": request.status,
            "refund_id": refund.id if refund else None,
            "refund_minor": refund.amount_minor if refund else None,
        },
        reason=text,
    )
    return DisputeDecision(request, refund)
