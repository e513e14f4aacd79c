"""What the fulfilment pages show: the shop's order queue, one order's sheet, the buyer's
view of each shop's part, and the admin's disputes. Every shop query filters by its id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.fulfilment import returns
from marketplace.fulfilment.carriers import carrier_name, tracking_link
from marketplace.fulfilment.exceptions import VendorOrderNotFound
from marketplace.fulfilment.models import (
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentLine,
)
from marketplace.fulfilment.states import OPEN_STATES
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, OrderLine, VendorOrder, VendorOrderStatus
from marketplace.pagination import Page

QUEUE_PAGE_SIZE = 25
S = VendorOrderStatus

# tab → (label, what it holds)
TABS = {
    "new": ("New", "Paid orders waiting for you to accept them"),
    "to_ship": ("To ship", "Accepted orders with units left to ship"),
    "late": ("Late", "Orders past their ship-by date with units left to ship"),
    "shipped": ("Shipped", "Orders on their way to the buyer"),
    "all": ("All", "Every paid order, newest first"),
}
PAID_STATES = [str(s) for s in S if s != S.PENDING_PAYMENT]


def _tab_filter(stmt: Select, tab: str, now: datetime) -> Select:
    if tab == "new":
        return stmt.where(VendorOrder.status == S.PAID)
    if tab == "to_ship":
        return stmt.where(VendorOrder.status.in_([S.ACCEPTED, S.PARTIALLY_SHIPPED]))
    if tab == "late":
        return stmt.where(
            VendorOrder.status.in_([str(s) for s in OPEN_STATES]), VendorOrder.ship_by < now
        )
    if tab == "shipped":
        return stmt.where(VendorOrder.status == S.SHIPPED)
    # "Cancelled" unpaid orders (expired checkouts) were never the shop's to fulfil.
    return stmt.where(VendorOrder.status.in_(PAID_STATES), Order.paid_at.is_not(None))


def _scoped(vendor_id: int) -> Select:
    return (
        select(VendorOrder)
        .join(Order, Order.id == VendorOrder.order_id)
        .where(VendorOrder.vendor_id == vendor_id)
    )


def tab_counts(vendor_id: int, now: datetime | None = None) -> dict[str, int]:
    moment = now or utcnow()
    counts = {}
    for tab in TABS:
        stmt = _tab_filter(_scoped(vendor_id), tab, moment).with_only_columns(
            func.count(VendorOrder.id)
        )
        counts[tab] = db.session.scalar(stmt) or 0
    return counts


def order_queue(
    vendor_id: int, tab: str, page: int = 1, *, now: datetime | None = None
) -> Page[VendorOrder]:
    """One tab of the shop's queue: open tabs by ship-by date (most urgent first)."""
    moment = now or utcnow()
    tab = tab if tab in TABS else "new"
    stmt = _tab_filter(_scoped(vendor_id), tab, moment)
    total = db.session.scalar(stmt.with_only_columns(func.count(VendorOrder.id))) or 0
    ordering = (
        (VendorOrder.id.desc(),)
        if tab in ("all", "shipped")
        else (VendorOrder.ship_by, VendorOrder.id)
    )
    page = max(page, 1)
    items = db.session.scalars(
        stmt.options(selectinload(VendorOrder.order), selectinload(VendorOrder.lines))
        .order_by(*ordering)
        .limit(QUEUE_PAGE_SIZE)
        .offset((page - 1) * QUEUE_PAGE_SIZE)
    ).all()
    return Page(list(items), total, page, QUEUE_PAGE_SIZE)


def owns(vendor_id: int, vendor_order_id: int) -> bool:
    """Whether the paid vendor order is the shop's (the views' 404 check, one cheap query)."""
    stmt = select(VendorOrder.id).where(
        VendorOrder.id == vendor_order_id,
        VendorOrder.vendor_id == vendor_id,
        VendorOrder.status != S.PENDING_PAYMENT,
    )
    return db.session.scalar(stmt) is not None


def is_late(vendor_order: VendorOrder, now: datetime | None = None) -> bool:
    return (
        vendor_order.status in OPEN_STATES
        and vendor_order.ship_by is not None
        and vendor_order.ship_by < (now or utcnow())
    )


# ---------------------------------------------------------------------------------------------
# One vendor order


@dataclass(frozen=True)
class ParcelView:
    shipment: Shipment
    carrier_name: str
    tracking_url: str | None
    lines: list[tuple[OrderLine, int]]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    what: str
    detail: str = ""


@dataclass
class PartView:
    """One vendor order as its shop or its buyer sees it."""

    vendor_order: VendorOrder
    parcels: list[ParcelView]
    returns: list[ReturnRequest]
    timeline: list[TimelineEntry] = field(default_factory=list)
    can_return: bool = False
    return_deadline: datetime | None = None

    @property
    def open_return(self) -> ReturnRequest | None:
        return next((r for r in self.returns if r.status in returns.OPEN_RETURN_STATES), None)

    @property
    def left_to_ship(self) -> int:
        return sum(line.quantity_to_ship for line in self.vendor_order.lines)


def _parcels(vendor_order_ids: list[int]) -> dict[int, list[ParcelView]]:
    shipments = db.session.scalars(
        select(Shipment)
        .where(Shipment.vendor_order_id.in_(vendor_order_ids))
        .options(
            selectinload(Shipment.lines).selectinload(ShipmentLine.order_line),
            selectinload(Shipment.events),
        )
        .order_by(Shipment.shipped_at, Shipment.id)
    ).all()
    parcels: dict[int, list[ParcelView]] = {i: [] for i in vendor_order_ids}
    for shipment in shipments:
        parcels[shipment.vendor_order_id].append(
            ParcelView(
                shipment,
                carrier_name(shipment.carrier),
                tracking_link(shipment.carrier, shipment.tracking_number),
                [(line.order_line, line.quantity) for line in shipment.lines],
            )
        )
    return parcels


def _returns(vendor_order_ids: list[int]) -> dict[int, list[ReturnRequest]]:
    found = db.session.scalars(
        select(ReturnRequest)
        .where(ReturnRequest.vendor_order_id.in_(vendor_order_ids))
        .options(selectinload(ReturnRequest.lines).selectinload(ReturnLine.order_line))
        .order_by(ReturnRequest.created_at, ReturnRequest.id)
    ).all()
    grouped: dict[int, list[ReturnRequest]] = {i: [] for i in vendor_order_ids}
    for request in found:
        grouped[request.vendor_order_id].append(request)
    return grouped


def _timeline(part: PartView) -> list[TimelineEntry]:
    vo = part.vendor_order
    entries = []
    if vo.order.paid_at:
        entries.append(TimelineEntry(vo.order.paid_at, "Paid"))
    if vo.accepted_at:
        entries.append(TimelineEntry(vo.accepted_at, "Accepted by the shop"))
    for parcel in part.parcels:
        units = sum(q for _line, q in parcel.lines)
        entries.append(
            TimelineEntry(
                parcel.shipment.shipped_at,
                f"Parcel sent ({units} item{'s' if units != 1 else ''})",
                f"{parcel.carrier_name} {parcel.shipment.tracking_number}",
            )
        )
        for event in parcel.shipment.events:
            entries.append(
                TimelineEntry(
                    event.occurred_at,
                    event.description or event.status.replace("_", " ").capitalize(),
                    event.location or "",
                )
            )
    if vo.cancelled_at:
        entries.append(TimelineEntry(vo.cancelled_at, "Cancelled", vo.cancel_reason or ""))
    for request in part.returns:
        entries.append(TimelineEntry(request.created_at, "Return requested", request.reason))
        if request.status == ReturnStatus.APPROVED and request.decided_at:
            entries.append(TimelineEntry(request.decided_at, "Return approved"))
        if request.escalated_at:
            entries.append(
                TimelineEntry(request.escalated_at, "Return sent to the marketplace team")
            )
        if request.received_at:
            entries.append(TimelineEntry(request.received_at, "Return received by the shop"))
        if request.dispute_decided_at:
            outcome = "refunded" if request.dispute_decision == "refund" else "refused"
            entries.append(
                TimelineEntry(
                    request.dispute_decided_at,
                    f"Return {outcome} by the marketplace",
                    request.dispute_reason or "",
                )
            )
    return sorted(entries, key=lambda entry: entry.at)


def part_views(vendor_orders: list[VendorOrder], now: datetime | None = None) -> list[PartView]:
    moment = now or utcnow()
    ids = [vo.id for vo in vendor_orders]
    parcels, requests = _parcels(ids), _returns(ids)
    views = []
    for vendor_order in vendor_orders:
        view = PartView(vendor_order, parcels[vendor_order.id], requests[vendor_order.id])
        view.timeline = _timeline(view)
        view.return_deadline = returns.return_deadline(vendor_order)
        view.can_return = returns.can_request_return(vendor_order, moment)
        views.append(view)
    return views


def vendor_part(vendor_id: int, vendor_order_id: int) -> PartView:
    """One of the shop's orders with its parcels, returns and timeline."""
    vendor_order = db.session.scalars(
        _scoped(vendor_id)
        .where(VendorOrder.id == vendor_order_id)
        .options(selectinload(VendorOrder.lines), selectinload(VendorOrder.order))
    ).first()
    if vendor_order is None or vendor_order.status == S.PENDING_PAYMENT:
        raise VendorOrderNotFound()
    return part_views([vendor_order])[0]


def buyer_parts(order: Order) -> dict[int, PartView]:
    """The buyer's view of each shop's part of its order, by vendor order id."""
    return {view.vendor_order.id: view for view in part_views(list(order.vendor_orders))}


# ---------------------------------------------------------------------------------------------
# Disputes (admins)


def disputes(status: str = "escalated", page: int = 1) -> Page[ReturnRequest]:
    """Escalated returns waiting for a decision (oldest first), or the decided ones."""
    stmt = select(ReturnRequest)
    if status == "decided":
        stmt = stmt.where(ReturnRequest.dispute_decision.is_not(None))
        ordering = (ReturnRequest.dispute_decided_at.desc(), ReturnRequest.id.desc())
    else:
        stmt = stmt.where(ReturnRequest.status == ReturnStatus.ESCALATED)
        ordering = (ReturnRequest.escalated_at, ReturnRequest.id)
    total = db.session.scalar(stmt.with_only_columns(func.count(ReturnRequest.id))) or 0
    page = max(page, 1)
    items = db.session.scalars(
        stmt.options(
            selectinload(ReturnRequest.vendor_order).selectinload(VendorOrder.order),
            selectinload(ReturnRequest.vendor_order).selectinload(VendorOrder.vendor),
            selectinload(ReturnRequest.lines).selectinload(ReturnLine.order_line),
        )
        .order_by(*ordering)
        .limit(QUEUE_PAGE_SIZE)
        .offset((page - 1) * QUEUE_PAGE_SIZE)
    ).all()
    return Page(list(items), total, page, QUEUE_PAGE_SIZE)


def dispute(return_id: int) -> tuple[ReturnRequest, PartView] | None:
    request = db.session.get(ReturnRequest, return_id)
    if request is None or request.escalated_at is None:
        return None
    return request, part_views([request.vendor_order])[0]


def escalated_count() -> int:
    stmt = select(func.count(ReturnRequest.id)).where(
        ReturnRequest.status == ReturnStatus.ESCALATED
    )
    return db.session.scalar(stmt) or 0
