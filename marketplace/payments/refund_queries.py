"""What the refund pages show: refundable vendor orders, what is left of them, past refunds.

Every vendor query takes the acting vendor's id and filters by it in the query itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, VendorOrder
from marketplace.payments.models import Payment, PaymentStatus, Refund
from marketplace.payments.refunding import REFUNDABLE_ORDER_STATES
from marketplace.payouts.refunds import refund_history

LIST_LIMIT = 50


@dataclass(frozen=True)
class LineLeft:
    line: OrderLine
    left: int  # units that can still be refunded


@dataclass(frozen=True)
class RefundSheet:
    """One vendor order as the refund form shows it."""

    vendor_order: VendorOrder
    lines: list[LineLeft]
    shipping_left: bool
    amount_left_minor: int
    refunds: list[Refund]

    @property
    def can_refund(self) -> bool:
        return self.amount_left_minor > 0


def refund_sheet(vendor_order: VendorOrder) -> RefundSheet:
    history = refund_history(vendor_order)
    lines = [
        LineLeft(line, line.quantity - history.quantities[line.id]) for line in vendor_order.lines
    ]
    total = vendor_order.subtotal_minor + vendor_order.shipping_minor + vendor_order.tax_minor
    refunds = list(
        db.session.scalars(
            select(Refund).where(Refund.vendor_order_id == vendor_order.id).order_by(Refund.id)
        )
    )
    return RefundSheet(
        vendor_order=vendor_order,
        lines=lines,
        shipping_left=vendor_order.shipping_minor > history.shipping_minor,
        amount_left_minor=total - history.goods_minor - history.tax_minor,
        refunds=refunds,
    )


def _paid_vendor_orders():
    return (
        select(VendorOrder)
        .join(Order, VendorOrder.order_id == Order.id)
        .join(Payment, Payment.order_id == Order.id)
        .where(
            Payment.status == PaymentStatus.SUCCEEDED,
            Order.status.in_([str(s) for s in REFUNDABLE_ORDER_STATES]),
        )
        .options(selectinload(VendorOrder.order), selectinload(VendorOrder.lines))
        .order_by(VendorOrder.id.desc())
    )


def vendor_refundable_orders(vendor_id: int, limit: int = LIST_LIMIT) -> list[VendorOrder]:
    """The shop's paid vendor orders, newest first."""
    stmt = _paid_vendor_orders().where(VendorOrder.vendor_id == vendor_id).limit(limit)
    return list(db.session.scalars(stmt))


def vendor_order_of(vendor_id: int, vendor_order_id: int) -> VendorOrder | None:
    """One of the shop's vendor orders (None for anyone else's)."""
    return db.session.scalars(
        select(VendorOrder).where(
            VendorOrder.id == vendor_order_id, VendorOrder.vendor_id == vendor_id
        )
    ).first()


def vendor_refunds(vendor_id: int, limit: int = LIST_LIMIT) -> list[Refund]:
    stmt = (
        select(Refund)
        .join(VendorOrder, Refund.vendor_order_id == VendorOrder.id)
        .where(VendorOrder.vendor_id == vendor_id)
        .order_by(Refund.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def recent_refunds(limit: int = LIST_LIMIT) -> list[Refund]:
    """Every refund, newest first (admins)."""
    return list(db.session.scalars(select(Refund).order_by(Refund.id.desc()).limit(limit)))


def order_by_number(number: str) -> Order | None:
    return db.session.scalars(select(Order).where(Order.number == number.strip()[:32])).first()
