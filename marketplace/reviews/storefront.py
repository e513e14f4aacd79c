"""A shop's reputation as its storefront shows it: buyers' ratings and its fulfilment record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from marketplace.fulfilment.performance import VendorPerformance, vendor_performance
from marketplace.models_base import utcnow
from marketplace.reviews.aggregates import RatingSummary, vendor_rating

PERFORMANCE_DAYS = 365  # a shop is judged on its last year, so it can recover from a bad start


@dataclass(frozen=True)
class Reputation:
    rating: RatingSummary | None
    performance: VendorPerformance
    performance_days: int


def shop_reputation(vendor_id: int) -> Reputation:
    since = utcnow() - timedelta(days=PERFORMANCE_DAYS)
    return Reputation(
        rating=vendor_rating(vendor_id),
        performance=vendor_performance(vendor_id, since=since),
        performance_days=PERFORMANCE_DAYS,
    )
