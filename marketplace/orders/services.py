"""Placing orders and moving them on: reserve, pay, release, expire; totals that reconcile.

`place_order` turns a cart into one Order with one VendorOrder per vendor and OrderLines that
snapshot title, SKU and price, priced by `pricing.quote`, and holds the stock (see
`reservations`). It is all-or-nothing: when any line can't be bought (gone, sold out, price
changed since the buyer saw it) a LineNotPlaceable naming that line is raised and nothing is
reserved or written. Services flush and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders import cart as carts
from marketplace.orders import pricing, reservations
from marketplace.orders.addresses import Address
from marketplace.orders.exceptions import (
    CartEmpty,
    LineNotPlaceable,
    OrderNotFound,
    OutOfStock,
    PriceChanged,
)
from marketplace.orders.models import (
    Cart,
    Order,
    OrderLine,
    OrderStatus,
    VendorOrder,
)
from marketplace.pagination import Page
from marketplace.web import format_money

SATURDAY = 5  # datetime.weekday(): Monday is 0

__all__ = [
    "expire_reservations",
    "get_buyer_order",
    "list_buyer_orders",
    "mark_paid",
    "order_totals_reconcile",
    "place_order",
    "release_reservations",
]

DEFAULT_RESERVATION_MINUTES = 30
ORDER_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
ORDER_NUMBER_LENGTH = 8
ORDERS_PAGE_SIZE = 20


def reservation_minutes() -> int:
    """How long an unpaid order holds its stock (`RESERVATION_MINUTES`, 30 by default)."""
    return int(current_app.config.get("RESERVATION_MINUTES", DEFAULT_RESERVATION_MINUTES))


def new_order_number(now: datetime) -> str:
    """`MP-YYYYMMDD-XXXXXXXX`: the date for people, 40 random bits so numbers can't be guessed
    or collide under concurrent checkouts (the unique constraint is the last word)."""
    for _ in range(5):
        suffix = "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(ORDER_NUMBER_LENGTH))
        number = f"MP-{now:%Y%m%d}-{suffix}"
        if db.session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number
    raise RuntimeError("could not find a free order number")  # 5 collisions in 2**40: broken RNG


# ---------------------------------------------------------------------------------------------
# Placing


def _check_lines(lines: list[carts.CartLine]) -> None:
    """Every line still buyable, in stock and at the price the buyer saw; else name the line."""
    sellable = carts.sellable_variant_ids([line.variant.id for line in lines])
    for line in lines:
        free = line.variant.stock_available
        if not line.variant.allow_backorder and line.item.quantity > free:
            raise OutOfStock(
                f"{line.label}: only {free} left, your cart has {line.item.quantity}."
                if free > 0
                else f"{line.label} has just sold out. Remove it to check out.",
                line=line.label,
                variant_id=line.variant.id,
            )
        if line.variant.id not in sellable:
            raise LineNotPlaceable(
                f"{line.label} is no longer available. Remove it to check out.",
                line=line.label,
                variant_id=line.variant.id,
            )
        if line.variant.price_minor != line.item.seen_price_minor:
            currency = line.variant.currency
            raise PriceChanged(
                f"The price of {line.label} changed from "
                f"{format_money(line.item.seen_price_minor, currency)} to "
                f"{format_money(line.variant.price_minor, currency)}. Review your cart.",
                line=line.label,
                variant_id=line.variant.id,
            )


def _wanted(lines: list[carts.CartLine]) -> list[reservations.Wanted]:
    return [
        reservations.Wanted(
            variant_id=line.variant.id,
            product_id=line.product.id,
            quantity=line.item.quantity,
            allow_backorder=line.variant.allow_backorder,
            label=line.label,
        )
        for line in lines
    ]


def _order_line(line: pricing.LineQuote, held: int) -> OrderLine:
    data = line.line
    return OrderLine(
        product_id=data.product_id,
        variant_id=data.variant_id,
        title=data.title,
        variant_name=data.variant_name,
        sku=data.sku,
        unit_price_minor=data.unit_price_minor,
        quantity=data.quantity,
        line_total_minor=data.line_total_minor,
        tax_minor=line.tax_minor,
        reserved_quantity=held,
    )


def _vendor_order(part: pricing.VendorQuote, currency: str, held: dict[int, int]) -> VendorOrder:
    return VendorOrder(
        vendor_id=part.vendor_id,
        currency=currency,
        subtotal_minor=part.subtotal_minor,
        shipping_minor=part.shipping_minor,
        tax_minor=part.tax_minor,
        commission_minor=part.commission_minor,
        vendor_net_minor=part.vendor_net_minor,
        shipping_method=part.shipping.name,
        lines=[_order_line(line, held.get(line.line.variant_id, 0)) for line in part.lines],
    )


def build_order(quote: pricing.Quote, buyer: User, held: dict[int, int], now: datetime) -> Order:
    """The Order rows for a priced checkout (not yet added to the session)."""
    return Order(
        number=new_order_number(now),
        buyer_id=buyer.id,
        status=OrderStatus.PENDING_PAYMENT,
        currency=quote.currency,
        items_total_minor=quote.items_total_minor,
        shipping_total_minor=quote.shipping_total_minor,
        tax_total_minor=quote.tax_total_minor,
        grand_total_minor=quote.grand_total_minor,
        email=buyer.email,
        shipping_address=quote.address.to_dict(),
        created_at=now,
        reservation_expires_at=now + timedelta(minutes=reservation_minutes()),
        vendor_orders=[_vendor_order(part, quote.currency, held) for part in quote.vendors],
    )


def _as_address(address: Address | Mapping[str, Any]) -> Address:
    return address if isinstance(address, Address) else Address.from_mapping(address)


def place_order(
    cart: Cart,
    buyer: User,
    address: Address | Mapping[str, Any],
    shipping_choices: Mapping[int, str | None] | None = None,
) -> Order:
    """Turn the cart into an unpaid order holding its stock, and empty the cart.

    Raises CartEmpty, InvalidAddress, MixedCurrencies, ShippingUnavailable,
    InvalidShippingChoice or LineNotPlaceable (OutOfStock, PriceChanged) — and then nothing is
    reserved or written.
    """
    destination = _as_address(address)
    if not cart.items:
        raise CartEmpty()
    now = utcnow()
    reservations.expire(now, variant_ids=[item.variant_id for item in cart.items])
    lines = carts.load_lines(cart)
    _check_lines(lines)
    review = carts.CartReview(cart, carts.group_lines(lines), [])
    quote = pricing.quote(review.inputs(), review.currency, destination, shipping_choices)
    held = reservations.reserve(_wanted(lines))  # the last step that may refuse
    order = build_order(quote, buyer, held, now)
    db.session.add(order)
    db.session.flush()
    carts.empty(cart)
    return order


# ---------------------------------------------------------------------------------------------
# Paying, releasing, expiring


def _order(order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None:
        raise OrderNotFound()
    return order


def mark_paid(order_id: int, paid_at: datetime) -> Order:
    """The order's payment succeeded: its reservation becomes sales and the order is paid.

    Idempotent: an order already paid is returned unchanged. Raises ReservationLost when the
    payment came after the reservation expired and the units have sold out since.
    """
    order = _order(order_id)
    if reservations.settle(order_id, paid_at):
        db.session.refresh(order)
        for vendor_order in order.vendor_orders:
            vendor_order.ship_by = ship_by_date(paid_at, vendor_order.vendor.handling_days)
        db.session.flush()
    return order


def ship_by_date(paid_at: datetime, handling_days: int) -> datetime:
    """When a vendor must ship an order paid at `paid_at`: its handling time in business days.

    Shops don't ship at weekends, so Saturday and Sunday don't count; an order paid at the weekend
    starts counting on Monday. A handling time of 0 means the same (business) day; at least one
    day is given so that a shop is never late the moment an order arrives.
    """
    due = paid_at
    remaining = max(handling_days, 1)
    while remaining:
        due += timedelta(days=1)
        if due.weekday() < SATURDAY:
            remaining -= 1
    return due


def release_reservations(order: Order, status: str = OrderStatus.CANCELLED) -> bool:
    """Give an unpaid order's stock back (cancelled by default); False if it wasn't unpaid."""
    released = reservations.release(order.id, status)
    db.session.flush()
    return released


def expire_reservations(
    now: datetime | None = None,
    *,
    variant_ids: list[int] | None = None,
    product_ids: list[int] | None = None,
) -> int:
    """Expire unpaid orders whose reservation ran out (all, or those holding these variants or
    products) and give their stock back; returns how many expired."""
    count = reservations.expire(now or utcnow(), variant_ids=variant_ids, product_ids=product_ids)
    db.session.flush()
    return count


def order_totals_reconcile(order: Order) -> bool:
    """Every total adds up: lines → vendor orders → order, and
    grand total == Σ vendor nets + Σ commissions + Σ taxes."""
    parts = order.vendor_orders
    for part in parts:
        line_tax = sum(line.tax_minor for line in part.lines)
        if part.subtotal_minor != sum(line.line_total_minor for line in part.lines):
            return False
        if any(
            line.line_total_minor != line.unit_price_minor * line.quantity for line in part.lines
        ):
            return False
        if line_tax > part.tax_minor:
            return False
        if (
            part.vendor_net_minor
            != part.subtotal_minor + part.shipping_minor - part.commission_minor
        ):
            return False
    sums = (
        sum(p.subtotal_minor for p in parts) == order.items_total_minor,
        sum(p.shipping_minor for p in parts) == order.shipping_total_minor,
        sum(p.tax_minor for p in parts) == order.tax_total_minor,
    )
    grand = order.items_total_minor + order.shipping_total_minor + order.tax_total_minor
    split = sum(p.vendor_net_minor + p.commission_minor + p.tax_minor for p in parts)
    return all(sums) and grand == order.grand_total_minor == split


# ---------------------------------------------------------------------------------------------
# The buyer's orders


class OrdersPage(Page[Order]):
    """A page of the buyer's orders."""

    @property
    def orders(self) -> list[Order]:
        return self.items


def list_buyer_orders(buyer_id: int, page: int = 1, per_page: int = ORDERS_PAGE_SIZE) -> OrdersPage:
    """The buyer's own orders, newest first."""
    total = db.session.scalar(select(func.count(Order.id)).where(Order.buyer_id == buyer_id)) or 0
    stmt = (
        select(Order)
        .where(Order.buyer_id == buyer_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .options(selectinload(Order.vendor_orders).selectinload(VendorOrder.lines))
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return OrdersPage(list(db.session.scalars(stmt)), total, max(page, 1), per_page)


def get_buyer_order(buyer_id: int, number: str) -> Order:
    """The buyer's own order by number; anyone else's is OrderNotFound (it isn't theirs to see)."""
    stmt = (
        select(Order)
        .where(Order.number == number, Order.buyer_id == buyer_id)
        .options(
            selectinload(Order.vendor_orders).selectinload(VendorOrder.lines),
            selectinload(Order.vendor_orders).selectinload(VendorOrder.vendor),
        )
    )
    order = db.session.scalars(stmt).first()
    if order is None:
        raise OrderNotFound()
    return order


def is_expired(order: Order, now: datetime | None = None) -> bool:
    """An unpaid order whose hold on the stock has run out (even before the sweep ran)."""
    if order.status == OrderStatus.EXPIRED:
        return True
    expires = order.reservation_expires_at
    return (
        order.status == OrderStatus.PENDING_PAYMENT
        and expires is not None
        and expires <= (now or utcnow())
    )
