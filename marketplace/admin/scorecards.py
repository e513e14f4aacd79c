"""Vendor scorecards: rating, fulfilment rates, listing violations and strikes, against the
thresholds admins set; a vendor over any threshold is flagged for review.

Figures come from their owners: ratings from `reviews.aggregates.vendor_ratings`, fulfilment
rates from `fulfilment.performance.performance_by_vendor` (over the scorecard window), listing
violations from moderation decisions that took a listing down (rejected or delisted, by an
admin or a standards re-check) in the window, and strikes from the vendor record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from marketplace.admin.audit import record_admin_action
from marketplace.admin.models import AdminSetting
from marketplace.catalog.models import ModerationDecision, Product
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.fulfilment.performance import VendorPerformance, performance_by_vendor
from marketplace.models_base import utcnow
from marketplace.reviews.aggregates import RatingSummary, vendor_ratings
from marketplace.vendors.models import Vendor, VendorStatus

THRESHOLDS_KEY = "scorecard_thresholds"
VIOLATION_DECISIONS = ("rejected", "delisted")
SCORED_STATUSES = (VendorStatus.APPROVED, VendorStatus.SUSPENDED)


class InvalidThresholds(DomainError):
    message = "Those thresholds cannot be used."


@dataclass(frozen=True)
class Thresholds:
    """When a vendor is flagged. Rates are fractions (0.1 = 10 %); None switches a check off.

    Rates and ratings are judged only once there is enough to judge on (`min_orders` paid
    orders, `min_reviews` ratings), so one late parcel does not flag a new shop.
    """

    window_days: int = 90
    min_rating: float | None = 3.5
    min_reviews: int = 5
    max_late_shipment_rate: float | None = 0.10
    max_cancellation_rate: float | None = 0.05
    max_return_rate: float | None = 0.15
    min_orders: int = 10
    max_violations: int | None = 3
    max_strikes: int | None = 2

    def __post_init__(self) -> None:
        for name in ("max_late_shipment_rate", "max_cancellation_rate", "max_return_rate"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise InvalidThresholds("Rates are percentages between 0 and 100.")
        if self.min_rating is not None and not 1 <= self.min_rating <= 5:
            raise InvalidThresholds("The minimum rating is between 1 and 5 stars.")
        if not 1 <= self.window_days <= 730:
            raise InvalidThresholds("The window is between 1 and 730 days.")
        counts = (self.min_reviews, self.min_orders, self.max_violations, self.max_strikes)
        if any(value is not None and value < 0 for value in counts):
            raise InvalidThresholds("Counts cannot be negative.")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Thresholds:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def current_thresholds() -> Thresholds:
    """The thresholds admins saved, or the defaults."""
    row = db.session.get(AdminSetting, THRESHOLDS_KEY)
    return Thresholds.from_mapping(row.value) if row is not None else Thresholds()


def save_thresholds(thresholds: Thresholds, *, actor_id: int) -> None:
    """Store new thresholds and audit the change (the caller commits)."""
    before = current_thresholds()
    row = db.session.get(AdminSetting, THRESHOLDS_KEY)
    if row is None:
        row = AdminSetting(key=THRESHOLDS_KEY)
        db.session.add(row)
    row.value = asdict(thresholds)
    row.updated_by_id = actor_id
    record_admin_action(
        actor_id=actor_id,
        action="scorecard.thresholds",
        target_type="setting",
        target_id=THRESHOLDS_KEY,
        before=asdict(before),
        after=asdict(thresholds),
    )
    db.session.flush()


@dataclass(frozen=True)
class Scorecard:
    vendor: Vendor
    rating: RatingSummary | None
    performance: VendorPerformance | None
    violations: int
    flags: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def over(self, check: str) -> bool:
        """Whether `check` (a Thresholds field name) is one of this vendor's flags."""
        return check in self.flags


FLAG_LABELS = {
    "min_rating": "Low rating",
    "max_late_shipment_rate": "Late shipments",
    "max_cancellation_rate": "Cancellations",
    "max_return_rate": "Returns",
    "max_violations": "Listing violations",
    "max_strikes": "Strikes",
}


def _violations(vendor_ids: Sequence[int], since: Any) -> dict[int, int]:
    if not vendor_ids:
        return {}
    rows = db.session.execute(
        select(Product.vendor_id, func.count(ModerationDecision.id))
        .join(Product, ModerationDecision.product_id == Product.id)
        .where(
            Product.vendor_id.in_(vendor_ids),
            ModerationDecision.decision.in_(VIOLATION_DECISIONS),
            ModerationDecision.created_at >= since,
        )
        .group_by(Product.vendor_id)
    ).all()
    return dict(rows)


def _over(value: float | None, limit: float | None) -> bool:
    return value is not None and limit is not None and value > limit


def flags_for(
    vendor: Vendor,
    rating: RatingSummary | None,
    performance: VendorPerformance | None,
    violations: int,
    limits: Thresholds,
) -> list[str]:
    """The thresholds (by field name) the vendor is past, in a fixed order."""
    flags = []
    if (
        rating is not None
        and limits.min_rating is not None
        and rating.count >= limits.min_reviews
        and rating.average is not None
        and rating.average < limits.min_rating
    ):
        flags.append("min_rating")
    if performance is not None and performance.orders >= limits.min_orders:
        for name, value in (
            ("max_late_shipment_rate", performance.late_shipment_rate),
            ("max_cancellation_rate", performance.cancellation_rate),
            ("max_return_rate", performance.return_rate),
        ):
            if _over(value, getattr(limits, name)):
                flags.append(name)
    if _over(violations, limits.max_violations):
        flags.append("max_violations")
    if _over(vendor.strikes, limits.max_strikes):
        flags.append("max_strikes")
    return flags


def scorecards(limits: Thresholds | None = None) -> list[Scorecard]:
    """Every approved or suspended vendor's scorecard, flagged vendors first (most flags first)."""
    limits = limits or current_thresholds()
    vendors = list(
        db.session.scalars(
            select(Vendor).where(Vendor.status.in_(SCORED_STATUSES)).order_by(Vendor.display_name)
        )
    )
    ids = [vendor.id for vendor in vendors]
    since = utcnow() - timedelta(days=limits.window_days)
    ratings = vendor_ratings(ids)
    performance = performance_by_vendor(ids, since=since)
    violations = _violations(ids, since)
    cards = []
    for vendor in vendors:
        rating, record = ratings.get(vendor.id), performance.get(vendor.id)
        count = violations.get(vendor.id, 0)
        flags = flags_for(vendor, rating, record, count, limits)
        cards.append(Scorecard(vendor, rating, record, count, flags))
    return sorted(cards, key=lambda card: -len(card.flags))


def flagged_vendors(limits: Thresholds | None = None) -> list[Scorecard]:
    return [card for card in scorecards(limits) if card.flagged]
