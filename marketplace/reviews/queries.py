"""The reviews a product page shows: published ones, sorted, filtered and one page at a time.

Every sort is served by an index on (product_id, status, sort column), and the page count is
one indexed count, so a product with thousands of reviews reads only the page it shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from flask import current_app
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.extensions import db
from marketplace.pagination import Page
from marketplace.reviews.exceptions import ReviewNotFound
from marketplace.reviews.models import Review, ReviewStatus
from marketplace.web import page_number

SORTS = {
    "helpful": "Most helpful",
    "newest": "Newest",
    "highest": "Highest rated",
    "lowest": "Lowest rated",
}
DEFAULT_SORT = "helpful"


@dataclass(frozen=True)
class ReviewFilters:
    """What the reader chose; every field comes from the URL so any view can be shared."""

    sort: str = DEFAULT_SORT
    stars: int | None = None
    with_photos: bool = False
    verified: bool = False
    page: int = 1

    @property
    def active(self) -> bool:
        return self.stars is not None or self.with_photos or self.verified

    def url_args(self, **changes: object) -> dict[str, object]:
        """Query-string arguments for a link to this view with some choices changed."""
        chosen = replace(self, **changes)  # type: ignore[arg-type]
        args: dict[str, object] = {}
        if chosen.sort != DEFAULT_SORT:
            args["review_sort"] = chosen.sort
        if chosen.stars is not None:
            args["stars"] = chosen.stars
        if chosen.with_photos:
            args["with_photos"] = 1
        if chosen.verified:
            args["verified"] = 1
        if chosen.page > 1:
            args["review_page"] = chosen.page
        return args


def review_where(review_id: int, *conditions: ColumnElement[bool]) -> Review:
    """The review if it also meets `conditions` (its author's, its shop's, published…);
    otherwise ReviewNotFound, so one the asker may not see looks like one that doesn't exist."""
    review = db.session.scalar(select(Review).where(Review.id == review_id, *conditions))
    if review is None:
        raise ReviewNotFound()
    return review


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "on", "yes"}


def parse_filters(args: Mapping[str, str]) -> ReviewFilters:
    """Read the review choices from a query string; anything malformed falls back quietly."""
    sort = args.get("review_sort", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    stars: int | None
    try:
        stars = int(args.get("stars", ""))
    except ValueError:
        stars = None
    if stars is not None and not 1 <= stars <= 5:
        stars = None
    return ReviewFilters(
        sort=sort,
        stars=stars,
        with_photos=_flag(args.get("with_photos")),
        verified=_flag(args.get("verified")),
        page=page_number(args.get("review_page")),
    )


def _filtered(stmt: Select, product_id: int, filters: ReviewFilters) -> Select:  # type: ignore[type-arg]
    stmt = stmt.where(Review.product_id == product_id, Review.status == ReviewStatus.PUBLISHED)
    if filters.stars is not None:
        stmt = stmt.where(Review.rating == filters.stars)
    if filters.with_photos:
        stmt = stmt.where(Review.photo_count > 0)
    if filters.verified:
        stmt = stmt.where(Review.verified.is_(True))
    return stmt


def _ordered(stmt: Select, sort: str) -> Select:  # type: ignore[type-arg]
    if sort == "newest":
        return stmt.order_by(Review.created_at.desc(), Review.id.desc())
    if sort == "highest":
        return stmt.order_by(Review.rating.desc(), Review.created_at.desc(), Review.id.desc())
    if sort == "lowest":
        return stmt.order_by(Review.rating.asc(), Review.created_at.desc(), Review.id.desc())
    return stmt.order_by(Review.helpful_count.desc(), Review.created_at.desc(), Review.id.desc())


def per_page() -> int:
    return int(current_app.config.get("REVIEWS_PER_PAGE", 10))


def product_reviews(product_id: int, filters: ReviewFilters) -> Page[Review]:
    """One page of a product's published reviews with their authors, photos and replies."""
    size = per_page()
    total = int(
        db.session.scalar(_filtered(select(func.count(Review.id)), product_id, filters)) or 0
    )
    stmt = _ordered(_filtered(select(Review), product_id, filters), filters.sort)
    stmt = (
        stmt.options(
            joinedload(Review.author), selectinload(Review.photos), selectinload(Review.reply)
        )
        .limit(size)
        .offset((filters.page - 1) * size)
    )
    items = list(db.session.scalars(stmt).unique())
    return Page(items=items, total=total, page=filters.page, per_page=size)
