"""Vendor services: what a vendor sees of its own shop. Every query is scoped to one vendor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from marketplace.catalog.models import Product, ProductStatus, Variant
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.models import Notification
from marketplace.orders.models import VendorOrder, VendorOrderStatus
from marketplace.vendors.models import Vendor, VendorEvent

OPEN_ORDER_STATES = (
    VendorOrderStatus.PAID,
    VendorOrderStatus.ACCEPTED,
    VendorOrderStatus.PARTIALLY_SHIPPED,
)

MAX_HANDLING_DAYS = 30


class HandlingTimeInvalid(DomainError):
    """A handling time outside what the marketplace accepts."""


def set_handling_days(vendor_id: int, days: int) -> Vendor:
    """Set how many business days the shop takes to ship an order.

    It counts from payment: each new order's ship-by date is computed from it, and orders
    already paid keep the date they were promised.
    """
    if not 0 <= days <= MAX_HANDLING_DAYS:
        raise HandlingTimeInvalid(f"Choose between 0 and {MAX_HANDLING_DAYS} business days.")
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        raise HandlingTimeInvalid("There is no such shop.")
    vendor.handling_days = days
    db.session.flush()
    return vendor


@dataclass(frozen=True)
class DashboardSummary:
    """The figures on a vendor's dashboard."""

    products_by_status: dict[str, int]
    low_stock: list[Variant]
    open_orders: int
    recent_orders: list[VendorOrder]


def dashboard_summary(vendor: Vendor, low_stock_limit: int = 10) -> DashboardSummary:
    """Counts and lists for `vendor`'s dashboard, all filtered by its id."""
    counts = db.session.execute(
        select(Product.status, func.count())
        .where(Product.vendor_id == vendor.id)
        .group_by(Product.status)
    ).all()
    products_by_status = {status.value: 0 for status in ProductStatus}
    products_by_status.update({status: count for status, count in counts})
    low_stock = db.session.scalars(
        select(Variant)
        .join(Product)
        .where(
            Variant.vendor_id == vendor.id,
            Product.status == ProductStatus.LIVE,
            Variant.stock_on_hand - Variant.stock_reserved <= Variant.reorder_point,
        )
        .order_by(Variant.stock_on_hand - Variant.stock_reserved, Variant.id)
        .limit(low_stock_limit)
    ).all()
    open_orders = db.session.scalar(
        select(func.count())
        .select_from(VendorOrder)
        .where(VendorOrder.vendor_id == vendor.id, VendorOrder.status.in_(OPEN_ORDER_STATES))
    )
    recent_orders = db.session.scalars(
        select(VendorOrder)
        .where(VendorOrder.vendor_id == vendor.id)
        .order_by(VendorOrder.created_at.desc())
        .limit(10)
    ).all()
    return DashboardSummary(
        products_by_status, list(low_stock), open_orders or 0, list(recent_orders)
    )


def vendor_history(vendor: Vendor, limit: int = 50) -> list[VendorEvent]:
    """The vendor's audit trail, newest first, so the seller sees what was decided and why."""
    return list(
        db.session.scalars(
            select(VendorEvent)
            .where(VendorEvent.vendor_id == vendor.id)
            .order_by(VendorEvent.created_at.desc(), VendorEvent.id.desc())
            .limit(limit)
        )
    )


def unread_notifications(user_id: int, limit: int = 20) -> list[Notification]:
    """The newest notices the user has not read yet."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_notification_count(user_id: int) -> int:
    """How many notices wait for the user (the list shows only the newest few)."""
    count = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return count or 0


def mark_all_notifications_read(user_id: int) -> int:
    """Mark every unread notice of this user read; returns how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.flush()
    return result.rowcount or 0
