"""Stock reservations of unpaid orders: taken atomically, turned into sales, or given back.

A reservation is `Variant.stock_reserved` raised by an order line's `reserved_quantity` with one
conditional UPDATE (`... WHERE stock_on_hand - stock_reserved >= qty`): the database decides
between buyers of the last unit, on PostgreSQL (the row lock makes the second buyer re-check the
condition after the first commits) and on SQLite (one writer at a time) alike. Variants are
always locked in id order, so two checkouts can't deadlock on each other.

Every change of an order's state starts with a conditional UPDATE of its status (`WHERE status =
'pending_payment'`), so paying and expiring the same order can't both happen, and neither twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from marketplace.catalog.models import Product, Variant
from marketplace.extensions import db
from marketplace.orders.exceptions import OutOfStock, ReservationLost
from marketplace.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    VendorOrder,
    VendorOrderStatus,
)

RELEASED_STATES = (OrderStatus.EXPIRED, OrderStatus.CANCELLED)


@dataclass(frozen=True)
class Wanted:
    """Units of one variant an order line wants to hold."""

    variant_id: int
    product_id: int
    quantity: int
    allow_backorder: bool
    label: str


def _stale(product_ids: Iterable[int | None]) -> None:
    """Stock and sales feed search (in stock, ranking); bulk UPDATEs bypass its flush listener."""
    from marketplace.search.indexing import mark_stale

    wanted = sorted({product_id for product_id in product_ids if product_id is not None})
    if wanted:
        mark_stale(wanted)


def _execute(stmt) -> int:
    """Run a bulk UPDATE and say how many rows it changed."""
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount


def _take(variant_id: int, quantity: int) -> bool:
    """Reserve `quantity` units if that many are free, atomically."""
    stmt = (
        update(Variant)
        .where(Variant.id == variant_id, Variant.stock_on_hand - Variant.stock_reserved >= quantity)
        .values(stock_reserved=Variant.stock_reserved + quantity)
    )
    return _execute(stmt) == 1


def _give_back(variant_id: int, quantity: int) -> None:
    stmt = (
        update(Variant)
        .where(Variant.id == variant_id)
        .values(stock_reserved=Variant.stock_reserved - quantity)
    )
    _execute(stmt)


def _free_units(variant_id: int) -> int:
    """Units not held by anyone, read under a row lock (PostgreSQL; SQLite has one writer)."""
    stmt = (
        select(Variant.stock_on_hand - Variant.stock_reserved)
        .where(Variant.id == variant_id)
        .with_for_update()
    )
    return max(0, int(db.session.scalar(stmt) or 0))


def _reserve_backorder(wanted: Wanted) -> int:
    """A backorder variant holds what is free (maybe nothing); the rest waits for restocking."""
    free = min(_free_units(wanted.variant_id), wanted.quantity)
    if free and not _take(wanted.variant_id, free):
        return 0
    return free


def reserve(wanted: Iterable[Wanted]) -> dict[int, int]:
    """Hold stock for every line, or for none: returns units held per variant id.

    When a line can't be held, what was already held is given back in the same transaction
    and OutOfStock names the line, so the caller is left with nothing reserved.
    """
    lines = sorted(wanted, key=lambda w: w.variant_id)
    held: dict[int, int] = {}
    for line in lines:
        if _take(line.variant_id, line.quantity):
            held[line.variant_id] = line.quantity
            continue
        if line.allow_backorder:
            held[line.variant_id] = _reserve_backorder(line)
            continue
        for variant_id, quantity in held.items():
            if quantity:
                _give_back(variant_id, quantity)
        free = _free_units(line.variant_id)
        raise OutOfStock(
            f"{line.label}: only {free} left, you asked for {line.quantity}."
            if free
            else f"{line.label} has just sold out.",
            line=line.label,
            variant_id=line.variant_id,
        )
    _stale(_sold_out_products([v for v, quantity in held.items() if quantity]))
    return held


def _sold_out_products(variant_ids: Sequence[int]) -> list[int]:
    """Products of these variants that have no free unit left: holding their last units may
    have made them unbuyable, which search must learn (other holds change nothing it shows)."""
    if not variant_ids:
        return []
    stmt = select(Variant.product_id).where(
        Variant.id.in_(variant_ids), Variant.stock_on_hand - Variant.stock_reserved <= 0
    )
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------------------------------------
# Per order


def _reserved_units(order_id: int) -> list[tuple[int, int, int, int]]:
    """(variant id, product id, units held, units bought) per line of the order, by variant."""
    stmt = (
        select(
            OrderLine.variant_id,
            OrderLine.product_id,
            OrderLine.reserved_quantity,
            OrderLine.quantity,
        )
        .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
        .where(VendorOrder.order_id == order_id)
        .order_by(OrderLine.variant_id)
    )
    return [tuple(row) for row in db.session.execute(stmt)]  # type: ignore[misc]


def _move_status(order_id: int, from_states: Sequence[str], to_state: str, **values) -> bool:
    stmt = (
        update(Order)
        .where(Order.id == order_id, Order.status.in_([str(s) for s in from_states]))
        .values(status=to_state, **values)
    )
    return _execute(stmt) == 1


def _set_vendor_orders(order_id: int, from_states: Sequence[str], to_state: str) -> None:
    stmt = (
        update(VendorOrder)
        .where(
            VendorOrder.order_id == order_id, VendorOrder.status.in_([str(s) for s in from_states])
        )
        .values(status=to_state)
    )
    _execute(stmt)


def _expire_loaded(order_id: int) -> None:
    """Make the session re-read an order that a bulk UPDATE changed."""
    order = db.session.get(Order, order_id)
    if order is not None:
        db.session.expire(order)
        for vendor_order in order.vendor_orders:
            db.session.expire(vendor_order)


def release(order_id: int, status: str = OrderStatus.CANCELLED) -> bool:
    """Give an unpaid order's held stock back and move it to `status`; False if not unpaid."""
    if not _move_status(order_id, [OrderStatus.PENDING_PAYMENT], status):
        return False
    for variant_id, _product_id, held, _bought in _reserved_units(order_id):
        if variant_id is not None and held:
            _give_back(variant_id, held)
    _set_vendor_orders(order_id, [VendorOrderStatus.PENDING_PAYMENT], VendorOrderStatus.CANCELLED)
    _stale(product_id for _v, product_id, _h, _b in _reserved_units(order_id))
    _expire_loaded(order_id)
    return True


def expire(
    now: datetime,
    *,
    variant_ids: Sequence[int] | None = None,
    product_ids: Sequence[int] | None = None,
    limit: int | None = None,
) -> int:
    """Release unpaid orders whose reservation ran out by `now`; returns how many.

    Narrowed to orders holding some of `variant_ids` / `product_ids`, it is cheap enough to run
    whenever stock is about to be read (an index probe when nothing is due).
    """
    stmt = select(Order.id).where(
        Order.status == OrderStatus.PENDING_PAYMENT, Order.reservation_expires_at <= now
    )
    narrowing = []
    if variant_ids is not None:
        narrowing.append(OrderLine.variant_id.in_(list(variant_ids)))
    if product_ids is not None:
        narrowing.append(OrderLine.product_id.in_(list(product_ids)))
    if narrowing:
        if not any((variant_ids, product_ids)):
            return 0
        holding = (
            select(VendorOrder.order_id)
            .join(OrderLine, OrderLine.vendor_order_id == VendorOrder.id)
            .where(*narrowing)
        )
        stmt = stmt.where(Order.id.in_(holding))
    stmt = stmt.order_by(Order.id)
    if limit:
        stmt = stmt.limit(limit)
    return sum(
        1 for order_id in db.session.scalars(stmt).all() if release(order_id, OrderStatus.EXPIRED)
    )


def _count_sales(rows: Sequence[tuple[int, int, int, int]]) -> None:
    sold: dict[int, int] = defaultdict(int)
    for _variant_id, product_id, _held, bought in rows:
        if product_id is not None:
            sold[product_id] += bought
    for product_id in sorted(sold):
        stmt = (
            update(Product)
            .where(Product.id == product_id)
            .values(
                sales_count=Product.sales_count + sold[product_id], updated_at=Product.updated_at
            )
        )
        _execute(stmt)


def _consume(rows: Sequence[tuple[int, int, int, int]]) -> None:
    """Held units become sold units: they leave stock on hand and the reservation."""
    for variant_id, _product_id, held, _bought in rows:
        if variant_id is None or not held:
            continue
        stmt = (
            update(Variant)
            .where(Variant.id == variant_id)
            .values(
                stock_on_hand=Variant.stock_on_hand - held,
                stock_reserved=Variant.stock_reserved - held,
            )
        )
        _execute(stmt)


def _retake(rows: Sequence[tuple[int, int, int, int]]) -> bool:
    """Take the units of a released reservation straight out of free stock, all or none."""
    taken: list[tuple[int, int]] = []
    for variant_id, _product_id, held, _bought in rows:
        if variant_id is None or not held:
            continue
        stmt = (
            update(Variant)
            .where(Variant.id == variant_id, Variant.stock_on_hand - Variant.stock_reserved >= held)
            .values(stock_on_hand=Variant.stock_on_hand - held)
        )
        if _execute(stmt) != 1:
            _put_back(taken)
            return False
        taken.append((variant_id, held))
    return True


def _put_back(taken: Sequence[tuple[int, int]]) -> None:
    for variant_id, quantity in taken:
        stmt = (
            update(Variant)
            .where(Variant.id == variant_id)
            .values(stock_on_hand=Variant.stock_on_hand + quantity)
        )
        _execute(stmt)


def settle(order_id: int, paid_at: datetime) -> bool:
    """Turn the order's reservation into sales and mark it paid; False if already paid.

    A payment that arrives after the reservation expired takes the units from free stock
    again; when they have sold out meanwhile, ReservationLost is raised and nothing changes
    (the payment must then be refunded).
    """
    rows = _reserved_units(order_id)
    if _move_status(order_id, [OrderStatus.PENDING_PAYMENT], OrderStatus.PAID, paid_at=paid_at):
        _consume(rows)
    else:
        current = db.session.scalar(select(Order.status).where(Order.id == order_id))
        if current not in RELEASED_STATES:
            return False  # paid already (or beyond): nothing to do
        if not _retake(rows):
            raise ReservationLost()
        if not _move_status(order_id, RELEASED_STATES, OrderStatus.PAID, paid_at=paid_at):
            _put_back([(v, held) for v, _p, held, _b in rows if v is not None and held])
            return False
    _count_sales(rows)
    _stale(product_id for _v, product_id, _h, _b in rows)
    _set_vendor_orders(
        order_id,
        [VendorOrderStatus.PENDING_PAYMENT, VendorOrderStatus.CANCELLED],
        VendorOrderStatus.PAID,
    )
    _expire_loaded(order_id)
    return True
