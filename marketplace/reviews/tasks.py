"""Jobs that keep rating aggregates current; each takes an id and is safe to run twice."""

from __future__ import annotations

from marketplace.jobs import enqueue
from marketplace.reviews import aggregates


def refresh_product_rating(product_id: int) -> None:
    """Recompute a product's histogram and rating totals (search re-indexes it if they moved)."""
    aggregates.refresh_product(product_id)


def refresh_vendor_rating(vendor_id: int) -> None:
    """Recompute a shop's histogram and shop-rating sums."""
    aggregates.refresh_vendor(vendor_id)


def schedule_refresh(*, product_id: int | None = None, vendor_id: int | None = None) -> None:
    """Queue the aggregate jobs in the caller's transaction; they run after it commits."""
    if product_id is not None:
        enqueue(refresh_product_rating, product_id)
    if vendor_id is not None:
        enqueue(refresh_vendor_rating, vendor_id)
