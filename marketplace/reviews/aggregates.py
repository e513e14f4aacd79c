"""Rating aggregates of products and shops: stored star histograms, read and kept current.

The histograms are the stored truth pages read (`product_rating_stats`, `vendor_rating_stats`);
`Product.rating_count` and `Product.rating_sum` follow the product's histogram, because search
ranks by them. `refresh_product` / `refresh_vendor` recompute one from the published reviews
(jobs call them after every publish, edit, delete and moderation decision), and `recompute`
checks or rebuilds all of them at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select, update

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.reviews.models import (
    STAR_VALUES,
    ProductRatingStats,
    Review,
    ReviewStatus,
    VendorRating,
    VendorRatingStats,
)
from marketplace.search import indexing
from marketplace.search.documents import bayesian_rating

DIMENSIONS = ("item_as_described", "shipping_speed", "communication")
DIMENSION_LABELS = {
    "item_as_described": "Item as described",
    "shipping_speed": "Shipping speed",
    "communication": "Communication",
}
WRITE_CHUNK = 1000

Histogram = dict[int, int]


def empty_histogram() -> Histogram:
    return dict.fromkeys(STAR_VALUES, 0)


@dataclass(frozen=True)
class RatingSummary:
    """Count, average, per-star histogram and the Bayesian average search ranks by.

    For a shop, `dimensions` holds the average of each score buyers gave the shop itself
    (item as described, shipping speed, communication) over `dimension_count` ratings.
    """

    count: int
    rating_sum: int
    histogram: Mapping[int, int]
    bayesian_average: float
    dimensions: Mapping[str, float] = field(default_factory=dict)
    dimension_count: int = 0

    @property
    def average(self) -> float | None:
        return self.rating_sum / self.count if self.count else None

    def share(self, stars: int) -> float:
        """The fraction of reviews with this many stars (0..1)."""
        return self.histogram.get(stars, 0) / self.count if self.count else 0.0

    @classmethod
    def from_histogram(cls, histogram: Mapping[int, int], **extra: object) -> RatingSummary:
        count = sum(histogram.values())
        total = sum(stars * n for stars, n in histogram.items())
        return cls(
            count=count,
            rating_sum=total,
            histogram={stars: histogram.get(stars, 0) for stars in STAR_VALUES},
            bayesian_average=bayesian_rating(total, count),
            **extra,  # type: ignore[arg-type]
        )


def _stats_histogram(stats: ProductRatingStats | VendorRatingStats | None) -> Histogram:
    return stats.histogram if stats is not None else empty_histogram()


def _vendor_summary(stats: VendorRatingStats) -> RatingSummary | None:
    if not sum(stats.histogram.values()) and not stats.ratings_count:
        return None
    dimensions = {}
    if stats.ratings_count:
        dimensions = {
            name: getattr(stats, f"{name}_sum") / stats.ratings_count for name in DIMENSIONS
        }
    return RatingSummary.from_histogram(
        stats.histogram, dimensions=dimensions, dimension_count=stats.ratings_count
    )


# --- reading -----------------------------------------------------------------------------------


def product_rating(product_id: int) -> RatingSummary:
    """A product's rating summary (a zero count when nobody has reviewed it yet)."""
    stats = db.session.get(ProductRatingStats, product_id)
    return RatingSummary.from_histogram(_stats_histogram(stats))


def vendor_rating(vendor_id: int) -> RatingSummary | None:
    """A shop's rating: its products' published reviews and its shop ratings (None: none yet)."""
    stats = db.session.get(VendorRatingStats, vendor_id)
    return _vendor_summary(stats) if stats is not None else None


def vendor_ratings(vendor_ids: Iterable[int]) -> dict[int, RatingSummary]:
    """Rating summaries of several shops in one query; shops without any are left out."""
    ids = sorted(set(vendor_ids))
    if not ids:
        return {}
    rows = db.session.scalars(select(VendorRatingStats).where(VendorRatingStats.vendor_id.in_(ids)))
    summaries = {row.vendor_id: _vendor_summary(row) for row in rows}
    return {vendor_id: summary for vendor_id, summary in summaries.items() if summary is not None}


# --- computing from the reviews ----------------------------------------------------------------


def _histograms(group_column, where=None) -> dict[int, Histogram]:  # type: ignore[no-untyped-def]
    stmt = select(group_column, Review.rating, func.count()).where(
        Review.status == ReviewStatus.PUBLISHED
    )
    if where is not None:
        stmt = stmt.where(where)
    stmt = stmt.group_by(group_column, Review.rating)
    histograms: dict[int, Histogram] = defaultdict(empty_histogram)
    for key, stars, count in db.session.execute(stmt):
        histograms[key][stars] = count
    return dict(histograms)


def product_histograms(product_ids: Sequence[int] | None = None) -> dict[int, Histogram]:
    """Published reviews per star, by product (all products with any when ids is None)."""
    where = Review.product_id.in_(product_ids) if product_ids is not None else None
    return _histograms(Review.product_id, where)


def vendor_histograms(vendor_ids: Sequence[int] | None = None) -> dict[int, Histogram]:
    where = Review.vendor_id.in_(vendor_ids) if vendor_ids is not None else None
    return _histograms(Review.vendor_id, where)


def vendor_rating_sums(vendor_ids: Sequence[int] | None = None) -> dict[int, tuple[int, ...]]:
    """(count, item sum, shipping sum, communication sum) of shop ratings, by shop."""
    stmt = select(
        VendorRating.vendor_id,
        func.count(),
        *(func.sum(getattr(VendorRating, name)) for name in DIMENSIONS),
    ).group_by(VendorRating.vendor_id)
    if vendor_ids is not None:
        stmt = stmt.where(VendorRating.vendor_id.in_(vendor_ids))
    return {row[0]: tuple(int(value or 0) for value in row[1:]) for row in db.session.execute(stmt)}


def _star_values(histogram: Mapping[int, int]) -> dict[str, int]:
    return {f"stars_{stars}": histogram.get(stars, 0) for stars in STAR_VALUES}


def _rating_totals(histogram: Mapping[int, int]) -> tuple[int, int]:
    return sum(histogram.values()), sum(stars * n for stars, n in histogram.items())


# --- refreshing one ----------------------------------------------------------------------------


def refresh_product(product_id: int) -> bool:
    """Recompute one product's histogram and rating totals; True when anything changed.

    The totals are set through the ORM, so the search listeners see the change and queue the
    product for re-indexing in the same transaction.
    """
    product = db.session.get(Product, product_id)
    if product is None:
        return False
    histogram = product_histograms([product_id]).get(product_id, empty_histogram())
    stats = db.session.get(ProductRatingStats, product_id)
    changed = False
    if stats is None:
        stats = ProductRatingStats(product_id=product_id, **_star_values(histogram))
        db.session.add(stats)
        changed = any(histogram.values())
    elif stats.histogram != histogram:
        for name, value in _star_values(histogram).items():
            setattr(stats, name, value)
        changed = True
    count, total = _rating_totals(histogram)
    if (product.rating_count, product.rating_sum) != (count, total):
        product.rating_count, product.rating_sum = count, total
        changed = True
    db.session.flush()
    return changed


def refresh_vendor(vendor_id: int) -> bool:
    """Recompute one shop's histogram and shop-rating sums; True when anything changed."""
    histogram = vendor_histograms([vendor_id]).get(vendor_id, empty_histogram())
    sums = vendor_rating_sums([vendor_id]).get(vendor_id, (0, 0, 0, 0))
    values = {**_star_values(histogram), **_vendor_sum_values(sums)}
    stats = db.session.get(VendorRatingStats, vendor_id)
    if stats is None:
        db.session.add(VendorRatingStats(vendor_id=vendor_id, **values))
        db.session.flush()
        return any(values.values())
    changed = any(getattr(stats, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(stats, name, value)
    db.session.flush()
    return changed


def _vendor_sum_values(sums: Sequence[int]) -> dict[str, int]:
    count, *dimension_sums = sums
    return {
        "ratings_count": count,
        **{f"{name}_sum": value for name, value in zip(DIMENSIONS, dimension_sums, strict=True)},
    }


# --- recomputing all ---------------------------------------------------------------------------


@dataclass
class RecomputeResult:
    """What `recompute` compared and found: counts of products and shops, and mismatches."""

    products: int = 0
    vendors: int = 0
    mismatched: int = 0
    fixed: int = 0
    mismatched_products: list[int] = field(default_factory=list)
    mismatched_vendors: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return f"products={self.products} vendors={self.vendors} mismatched={self.mismatched}"


def recompute(*, fix: bool = True) -> RecomputeResult:
    """Compare every stored aggregate with the reviews; with `fix`, rewrite those that differ.

    A product differs when its stored histogram or its `rating_count`/`rating_sum` do not match
    its published reviews; a shop, when its histogram or shop-rating sums do not. Fixed products
    are queued for re-indexing (bulk writes bypass the search listeners).
    """
    result = RecomputeResult()
    product_rows = _compare_products(result)
    vendor_rows = _compare_vendors(result)
    result.mismatched = len(result.mismatched_products) + len(result.mismatched_vendors)
    if fix and result.mismatched:
        _write_products(product_rows)
        _write_vendors(vendor_rows)
        indexing.mark_stale(result.mismatched_products)
        result.fixed = result.mismatched
    return result


def _compare_products(result: RecomputeResult) -> dict[int, Histogram]:
    """Fill `result` with the products compared and the mismatched; returns their histograms."""
    expected = product_histograms()
    stored = {
        row.product_id: row.histogram for row in db.session.scalars(select(ProductRatingStats))
    }
    totals = {
        row.id: (row.rating_count, row.rating_sum)
        for row in db.session.execute(
            select(Product.id, Product.rating_count, Product.rating_sum).where(
                (Product.rating_count != 0) | (Product.rating_sum != 0)
            )
        )
    }
    product_ids = set(expected) | set(stored) | set(totals)
    result.products = len(product_ids)
    mismatched: dict[int, Histogram] = {}
    for product_id in sorted(product_ids):
        histogram = expected.get(product_id, empty_histogram())
        if stored.get(product_id, empty_histogram()) != histogram or totals.get(
            product_id, (0, 0)
        ) != _rating_totals(histogram):
            mismatched[product_id] = histogram
    result.mismatched_products = list(mismatched)
    return mismatched


def _compare_vendors(result: RecomputeResult) -> dict[int, dict[str, int]]:
    histograms = vendor_histograms()
    sums = vendor_rating_sums()
    stored = {row.vendor_id: row for row in db.session.scalars(select(VendorRatingStats))}
    vendor_ids = set(histograms) | set(sums) | set(stored)
    result.vendors = len(vendor_ids)
    mismatched: dict[int, dict[str, int]] = {}
    for vendor_id in sorted(vendor_ids):
        values = {
            **_star_values(histograms.get(vendor_id, empty_histogram())),
            **_vendor_sum_values(sums.get(vendor_id, (0, 0, 0, 0))),
        }
        row = stored.get(vendor_id)
        current = {name: getattr(row, name) if row else 0 for name in values}
        if current != values:
            mismatched[vendor_id] = values
    result.mismatched_vendors = list(mismatched)
    return mismatched


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), WRITE_CHUNK):
        yield ids[start : start + WRITE_CHUNK]


def _write_products(rows: dict[int, Histogram]) -> None:
    now = utcnow()
    ids = list(rows)
    for chunk in _chunks(ids):
        db.session.execute(
            delete(ProductRatingStats).where(ProductRatingStats.product_id.in_(chunk))
        )
        db.session.execute(
            insert(ProductRatingStats),
            [{"product_id": pid, "updated_at": now, **_star_values(rows[pid])} for pid in chunk],
        )
        db.session.execute(
            update(Product),
            [_product_totals_row(pid, rows[pid]) for pid in chunk],
        )


def _product_totals_row(product_id: int, histogram: Histogram) -> dict[str, int]:
    count, total = _rating_totals(histogram)
    return {"id": product_id, "rating_count": count, "rating_sum": total}


def _write_vendors(rows: dict[int, dict[str, int]]) -> None:
    now = utcnow()
    ids = list(rows)
    for chunk in _chunks(ids):
        db.session.execute(delete(VendorRatingStats).where(VendorRatingStats.vendor_id.in_(chunk)))
        db.session.execute(
            insert(VendorRatingStats),
            [{"vendor_id": vid, "updated_at": now, **rows[vid]} for vid in chunk],
        )
