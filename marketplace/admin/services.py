"""Figures and queues for the admin console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, OrderStatus
from marketplace.vendors.models import Vendor, VendorStatus

PAID_STATES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.COMPLETED)


@dataclass(frozen=True)
class Overview:
    """The marketplace at a glance over the last `days` days."""

    days: int
    vendors_by_status: dict[str, int]
    live_products: int
    listings_to_review: int
    buyers: int
    paid_orders: int
    gmv_minor: int
    pending_applications: list[Vendor]


def overview(days: int = 30) -> Overview:
    """Counts for the admin home page; money is summed in minor units by the database."""
    since = utcnow() - timedelta(days=days)
    vendor_counts = dict(
        db.session.execute(select(Vendor.status, func.count()).group_by(Vendor.status)).all()
    )
    products = dict(
        db.session.execute(
            select(Product.status, func.count())
            .where(Product.status.in_((ProductStatus.LIVE, ProductStatus.PENDING_REVIEW)))
            .group_by(Product.status)
        ).all()
    )
    orders, gmv = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Order.grand_total_minor), 0)).where(
            Order.status.in_(PAID_STATES), Order.paid_at >= since
        )
    ).one()
    pending = db.session.scalars(
        select(Vendor).where(Vendor.status == VendorStatus.APPLIED).order_by(Vendor.created_at)
    ).all()
    return Overview(
        days=days,
        vendors_by_status={s.value: vendor_counts.get(s.value, 0) for s in VendorStatus},
        live_products=products.get(ProductStatus.LIVE.value, 0),
        listings_to_review=products.get(ProductStatus.PENDING_REVIEW.value, 0),
        buyers=db.session.scalar(select(func.count()).select_from(User)) or 0,
        paid_orders=orders,
        gmv_minor=int(gmv),
        pending_applications=list(pending),
    )
