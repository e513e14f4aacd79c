"""Buyers rate the shop once per delivered vendor order: item as described, shipping speed and
communication, 1 to 5 each. Rating again changes the same rating."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.models import Order, VendorOrder
from marketplace.reviews.aggregates import DIMENSIONS
from marketplace.reviews.exceptions import InvalidReview, NotEligible
from marketplace.reviews.models import VendorRating
from marketplace.reviews.services import DELIVERED_STATES
from marketplace.reviews.tasks import schedule_refresh


@dataclass(frozen=True)
class ShopScores:
    item_as_described: int
    shipping_speed: int
    communication: int


def buyers_vendor_order(vendor_order_id: int, buyer_id: int) -> VendorOrder:
    """A vendor order of this buyer's; anyone else's looks like it does not exist."""
    vendor_order = db.session.scalar(
        select(VendorOrder)
        .join(Order, VendorOrder.order_id == Order.id)
        .where(VendorOrder.id == vendor_order_id, Order.buyer_id == buyer_id)
    )
    if vendor_order is None:
        raise NotEligible("We couldn't find that order.")
    return vendor_order


def ratable_vendor_order(vendor_order_id: int, buyer_id: int) -> VendorOrder:
    vendor_order = buyers_vendor_order(vendor_order_id, buyer_id)
    if vendor_order.status not in DELIVERED_STATES:
        raise NotEligible("You can rate the shop once your order from it has been delivered.")
    if vendor_order.vendor.owner_id == buyer_id:
        raise NotEligible("You can't rate your own shop.")
    return vendor_order


def rating_of(vendor_order_id: int) -> VendorRating | None:
    return db.session.scalar(
        select(VendorRating).where(VendorRating.vendor_order_id == vendor_order_id)
    )


def rate_shop(*, vendor_order_id: int, buyer_id: int, scores: ShopScores) -> VendorRating:
    """Rate (or re-rate) the shop for one delivered vendor order."""
    vendor_order = ratable_vendor_order(vendor_order_id, buyer_id)
    for name in DIMENSIONS:
        value = getattr(scores, name)
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise InvalidReview("Choose from 1 to 5 for each score.", field=name)
    rating = rating_of(vendor_order.id)
    if rating is None:
        rating = VendorRating(
            vendor_order_id=vendor_order.id, vendor_id=vendor_order.vendor_id, author_id=buyer_id
        )
        db.session.add(rating)
    for name in DIMENSIONS:
        setattr(rating, name, getattr(scores, name))
    db.session.flush()
    schedule_refresh(vendor_id=vendor_order.vendor_id)
    return rating


def vendor_orders_awaiting_rating(buyer_id: int, limit: int = 20) -> list[VendorOrder]:
    """The buyer's delivered vendor orders whose shop they have not rated yet, newest first."""
    rated = select(VendorRating.id).where(VendorRating.vendor_order_id == VendorOrder.id)
    return list(
        db.session.scalars(
            select(VendorOrder)
            .join(Order, VendorOrder.order_id == Order.id)
            .where(
                Order.buyer_id == buyer_id,
                VendorOrder.status.in_(DELIVERED_STATES),
                ~rated.exists(),
            )
            .order_by(Order.created_at.desc(), VendorOrder.id)
            .limit(limit)
        )
    )
