"""The shop's side of fulfilment: accept, ship some or all lines, cancel what cannot be sent.

Every action takes the acting vendor's id and finds the vendor order through it, so another
shop's order is "not found". Each checks the state machine (`states`) first, changes nothing
when refused, tells the buyer by e-mail, and flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.fulfilment import notify, settings
from marketplace.fulfilment.carriers import checked_tracking
from marketplace.fulfilment.exceptions import (
    InvalidQuantities,
    InvalidTracking,
    ReasonRequired,
    VendorOrderNotFound,
)
from marketplace.fulfilment.models import Shipment, ShipmentLine, ShipmentStatus
from marketplace.fulfilment.states import Action, check, move
from marketplace.models_base import utcnow
from marketplace.orders.models import OrderLine, VendorOrder, VendorOrderStatus
from marketplace.payments import refunding
from marketplace.payments.models import Refund
from marketplace.payouts.refunds import refund_history

__all__ = [
    "REASON_MAX",
    "CancelResult",
    "accept",
    "cancel_units",
    "settle_delivery",
    "ship",
    "vendor_order_of",
]

REASON_MAX = 500


def vendor_order_of(vendor_id: int, vendor_order_id: int) -> VendorOrder:
    """The shop's own vendor order, read fresh; anyone else's is VendorOrderNotFound."""
    vendor_order = db.session.scalars(
        select(VendorOrder)
        .where(VendorOrder.id == vendor_order_id, VendorOrder.vendor_id == vendor_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if vendor_order is None:
        raise VendorOrderNotFound()
    return vendor_order


def clean_reason(reason: str | None, *, what: str = "Say why") -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise ReasonRequired(f"{what}: the buyer reads it.")
    if len(text) > REASON_MAX:
        raise ReasonRequired(f"Keep the reason to {REASON_MAX} characters.")
    return text


def accept(vendor_id: int, vendor_order_id: int, *, now: datetime | None = None) -> VendorOrder:
    """The shop takes the order on: it commits to ship it by its ship-by date."""
    vendor_order = vendor_order_of(vendor_id, vendor_order_id)
    move(vendor_order, Action.ACCEPT, VendorOrderStatus.ACCEPTED)
    vendor_order.accepted_at = now or utcnow()
    notify.accepted(vendor_order)
    db.session.flush()
    return vendor_order


def _chosen_units(
    vendor_order: VendorOrder, quantities: Mapping[int, int], *, doing: str
) -> list[tuple[OrderLine, int]]:
    """(line, units) for each line given a positive quantity, each within what is left to ship."""
    lines = {line.id: line for line in vendor_order.lines}
    chosen: list[tuple[OrderLine, int]] = []
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise InvalidQuantities("That item is not part of this order.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise InvalidQuantities(f"Enter a whole number of units for “{line.title}”.")
        if quantity == 0:
            continue
        if quantity > line.quantity_to_ship:
            left = line.quantity_to_ship
            raise InvalidQuantities(
                f"Only {left} of “{line.title}” {'is' if left == 1 else 'are'} left to {doing}."
                if left
                else f"Nothing of “{line.title}” is left to {doing}."
            )
        chosen.append((line, quantity))
    if not chosen:
        raise InvalidQuantities(f"Choose at least one unit to {doing}.")
    return sorted(chosen, key=lambda pair: pair[0].id)


def _left_to_ship(vendor_order: VendorOrder) -> int:
    return sum(line.quantity_to_ship for line in vendor_order.lines)


def _units_shipped(vendor_order: VendorOrder) -> int:
    return sum(line.quantity_shipped for line in vendor_order.lines)


def _tracking_taken(carrier: str, number: str) -> bool:
    stmt = select(Shipment.id).where(
        Shipment.carrier == carrier, Shipment.tracking_number == number
    )
    return db.session.scalar(stmt) is not None


@dataclass(frozen=True)
class ShipRequest:
    """Units per order line id going in one parcel, and how it is tracked."""

    quantities: Mapping[int, int]
    carrier: str
    tracking_number: str


def ship(
    vendor_id: int, vendor_order_id: int, request: ShipRequest, *, now: datetime | None = None
) -> Shipment:
    """Record a parcel with some (or all) of the units left to ship, and tell the buyer."""
    moment = now or utcnow()
    vendor_order = vendor_order_of(vendor_id, vendor_order_id)
    check(vendor_order, Action.SHIP)
    chosen = _chosen_units(vendor_order, request.quantities, doing="ship")
    carrier, number = checked_tracking(request.carrier, request.tracking_number)
    if _tracking_taken(carrier.code, number):
        raise InvalidTracking("Another parcel already has this tracking number.")
    shipment = Shipment(
        vendor_order_id=vendor_order.id,
        carrier=carrier.code,
        tracking_number=number,
        status=ShipmentStatus.LABEL_CREATED,
        shipped_at=moment,
        provider=settings.default_provider(),
        lines=[ShipmentLine(order_line_id=line.id, quantity=units) for line, units in chosen],
    )
    db.session.add(shipment)
    for line, units in chosen:
        line.quantity_shipped += units
    target = (
        VendorOrderStatus.SHIPPED
        if _left_to_ship(vendor_order) == 0
        else VendorOrderStatus.PARTIALLY_SHIPPED
    )
    move(vendor_order, Action.SHIP, target)
    if vendor_order.shipped_at is None:
        vendor_order.shipped_at = moment
    db.session.flush()
    notify.shipped(shipment, chosen)
    return shipment


def _all_parcels_arrived(vendor_order: VendorOrder) -> bool:
    shipments = db.session.scalars(
        select(Shipment).where(Shipment.vendor_order_id == vendor_order.id)
    ).all()
    return bool(shipments) and all(s.status == ShipmentStatus.DELIVERED for s in shipments)


def _last_delivery(vendor_order: VendorOrder) -> datetime | None:
    shipments = db.session.scalars(
        select(Shipment).where(Shipment.vendor_order_id == vendor_order.id)
    ).all()
    moments = [s.delivered_at for s in shipments if s.delivered_at is not None]
    return max(moments) if moments else None


def settle_delivery(vendor_order: VendorOrder) -> bool:
    """A shipped order whose every parcel arrived is delivered: this starts the payout hold
    and the review invitation (both read `delivered_at`). True when it became delivered."""
    if vendor_order.status != VendorOrderStatus.SHIPPED or not _all_parcels_arrived(vendor_order):
        return False
    move(vendor_order, Action.DELIVER, VendorOrderStatus.DELIVERED)
    vendor_order.delivered_at = _last_delivery(vendor_order) or utcnow()
    db.session.flush()
    return True


@dataclass(frozen=True)
class CancelResult:
    vendor_order: VendorOrder
    refund: Refund | None  # None: the units had already been refunded
    units: int

    @property
    def refunded_minor(self) -> int:
        return self.refund.amount_minor if self.refund else 0


def cancel_units(
    vendor_order: VendorOrder,
    quantities: Mapping[int, int] | None,
    reason: str | None,
    *,
    actor_id: int | None,
    now: datetime | None = None,
) -> CancelResult:
    """Cancel units the shop cannot send (None: everything left to ship) and refund exactly
    those units through the refund path; when nothing was shipped, the shipping too.

    Nothing is restocked: the shop is saying it does not have these units, so putting them
    back on sale would only sell them again. `actor_id` None is the marketplace itself (the
    cancellation deadline); the vendor order must come from the acting shop's
    `vendor_order_of` or from the deadline's own query.
    """
    moment = now or utcnow()
    check(vendor_order, Action.CANCEL)
    text = clean_reason(reason, what="Say why you cannot send it")
    wanted = quantities
    if wanted is None:
        wanted = {line.id: line.quantity_to_ship for line in vendor_order.lines}
    chosen = _chosen_units(vendor_order, wanted, doing="cancel")
    nothing_shipped = _units_shipped(vendor_order) == 0
    everything = sum(units for _line, units in chosen) == _left_to_ship(vendor_order)
    refund = _refund_cancelled(
        vendor_order,
        chosen,
        f"Cancelled: {text}",
        shipping=nothing_shipped and everything,
        actor_id=actor_id,
    )
    for line, units in chosen:
        line.quantity_cancelled += units
    move(vendor_order, Action.CANCEL, _after_cancel(vendor_order, nothing_shipped, everything))
    if vendor_order.status == VendorOrderStatus.CANCELLED:
        vendor_order.cancelled_at, vendor_order.cancel_reason = moment, text
    elif vendor_order.status == VendorOrderStatus.SHIPPED:
        settle_delivery(vendor_order)
    db.session.flush()
    notify.lines_cancelled(vendor_order, chosen, text, refund)
    return CancelResult(vendor_order, refund, sum(units for _line, units in chosen))


def _refund_cancelled(
    vendor_order: VendorOrder,
    chosen: list[tuple[OrderLine, int]],
    reason: str,
    *,
    shipping: bool,
    actor_id: int | None,
) -> Refund | None:
    """Refund the cancelled units (those not already refunded some other way) and, when the
    whole order is cancelled, what is left of its shipping; None when nothing is left."""
    history = refund_history(vendor_order)
    quantities = {
        line.id: min(units, line.quantity - history.quantities[line.id]) for line, units in chosen
    }
    quantities = {line_id: units for line_id, units in quantities.items() if units > 0}
    refund_shipping = shipping and vendor_order.shipping_minor > history.shipping_minor
    if not quantities and not refund_shipping:
        return None
    return refunding.refund(
        refunding.RefundRequest(
            vendor_order.id,
            reason,
            quantities=quantities,
            shipping=refund_shipping,
            restock=False,
        ),
        actor_id=actor_id,
        vendor_id=vendor_order.vendor_id,
    )


def _after_cancel(
    vendor_order: VendorOrder, nothing_shipped: bool, everything: bool
) -> VendorOrderStatus:
    if not everything:
        return VendorOrderStatus(vendor_order.status)
    if nothing_shipped:
        return VendorOrderStatus.CANCELLED
    return VendorOrderStatus.SHIPPED
