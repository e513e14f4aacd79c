"""Everything the product page shows about reviews, gathered in one call for the view."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from marketplace.pagination import Page
from marketplace.reviews.aggregates import RatingSummary, product_rating
from marketplace.reviews.feedback import voted_review_ids
from marketplace.reviews.models import Review
from marketplace.reviews.queries import SORTS, ReviewFilters, parse_filters, product_reviews


@dataclass(frozen=True)
class ProductReviewsView:
    summary: RatingSummary
    page: Page[Review]
    filters: ReviewFilters
    voted: set[int]
    viewer_id: int | None
    sorts: Mapping[str, str]


def product_reviews_view(
    product_id: int, args: Mapping[str, str], viewer_id: int | None
) -> ProductReviewsView:
    """The rating summary, the chosen page of reviews, and which of them the reader voted."""
    filters = parse_filters(args)
    page = product_reviews(product_id, filters)
    return ProductReviewsView(
        summary=product_rating(product_id),
        page=page,
        filters=filters,
        voted=voted_review_ids(viewer_id, [review.id for review in page.items]),
        viewer_id=viewer_id,
        sorts=SORTS,
    )
