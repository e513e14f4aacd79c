"""How well each shop fulfils, from what actually happened to its paid orders.

Over a shop's paid vendor orders (paid since `since`, when given):

- on-time / late shipment rate: of the orders due to have shipped (shipped, or past their
  ship-by date without a parcel, unless the shop cancelled them before that date), the share
  whose first parcel left by the ship-by date / the rest. The two add up to 1.
- cancellation rate: the share of orders in which the shop cancelled anything.
- return rate: of the delivered orders, the share the buyer asked to return something from.
- average handling time: hours from payment to the first parcel, over shipped orders.

A rate is None while there is nothing to measure it on (a new shop has no record, not a bad one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select

from marketplace.extensions import db
from marketplace.fulfilment.models import ReturnRequest
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, OrderLine, VendorOrder

__all__ = ["VendorPerformance", "performance_by_vendor", "vendor_performance"]


@dataclass(frozen=True)
class VendorPerformance:
    orders: int
    on_time_shipment_rate: float | None
    late_shipment_rate: float | None
    cancellation_rate: float | None
    return_rate: float | None
    average_handling_hours: float | None


@dataclass(frozen=True)
class _OrderFacts:
    paid_at: datetime
    ship_by: datetime | None
    shipped_at: datetime | None
    cancelled_at: datetime | None
    delivered_at: datetime | None
    cancelled_units: int
    returned: bool


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _summarise(facts: Iterable[_OrderFacts], now: datetime) -> VendorPerformance:
    rows = list(facts)
    due = on_time = cancelled = delivered = returned = 0
    handling: list[float] = []
    for row in rows:
        cancelled += row.cancelled_units > 0
        if row.delivered_at is not None:
            delivered += 1
            returned += row.returned
        if row.shipped_at is not None:
            handling.append((row.shipped_at - row.paid_at).total_seconds() / 3600)
            due += 1
            on_time += row.ship_by is None or row.shipped_at <= row.ship_by
        elif row.ship_by is not None and row.ship_by < now:
            cancelled_in_time = row.cancelled_at is not None and row.cancelled_at <= row.ship_by
            due += not cancelled_in_time
    return VendorPerformance(
        orders=len(rows),
        on_time_shipment_rate=_rate(on_time, due),
        late_shipment_rate=_rate(due - on_time, due),
        cancellation_rate=_rate(cancelled, len(rows)),
        return_rate=_rate(returned, delivered),
        average_handling_hours=sum(handling) / len(handling) if handling else None,
    )


def _facts(vendor_ids: Sequence[int], since: datetime | None) -> dict[int, list[_OrderFacts]]:
    """One query for every shop asked: one row per paid vendor order."""
    cancelled_units = (
        select(func.coalesce(func.sum(OrderLine.quantity_cancelled), 0))
        .where(OrderLine.vendor_order_id == VendorOrder.id)
        .scalar_subquery()
    )
    has_return = exists().where(ReturnRequest.vendor_order_id == VendorOrder.id)
    stmt = (
        select(
            VendorOrder.vendor_id,
            Order.paid_at,
            VendorOrder.ship_by,
            VendorOrder.shipped_at,
            VendorOrder.cancelled_at,
            VendorOrder.delivered_at,
            cancelled_units,
            has_return,
        )
        .join(Order, Order.id == VendorOrder.order_id)
        .where(VendorOrder.vendor_id.in_(list(vendor_ids)), Order.paid_at.is_not(None))
    )
    if since is not None:
        stmt = stmt.where(Order.paid_at >= since)
    grouped: dict[int, list[_OrderFacts]] = defaultdict(list)
    for vendor_id, *values in db.session.execute(stmt):
        paid_at, ship_by, shipped_at, cancelled_at, delivered_at, units, returned = values
        grouped[vendor_id].append(
            _OrderFacts(
                paid_at, ship_by, shipped_at, cancelled_at, delivered_at, int(units), bool(returned)
            )
        )
    return grouped


def performance_by_vendor(
    vendor_ids: Sequence[int], *, since: datetime | None = None
) -> dict[int, VendorPerformance]:
    """Every asked shop's performance (admin scorecards), from one query."""
    if not vendor_ids:
        return {}
    now = utcnow()
    grouped = _facts(vendor_ids, since)
    return {vendor_id: _summarise(grouped.get(vendor_id, []), now) for vendor_id in vendor_ids}


def vendor_performance(vendor_id: int, *, since: datetime | None = None) -> VendorPerformance:
    """One shop's performance (its dashboard)."""
    return performance_by_vendor([vendor_id], since=since)[vendor_id]
