"""On PostgreSQL: reviews publish through the checks, the aggregate jobs keep the product and
shop ratings current, and `recompute` (bulk rewrite included) agrees with the reviews."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.reviews import aggregates, feedback, moderation, services
from marketplace.reviews.models import ProductRatingStats, ReviewStatus
from tests import factories
from tests.unit.reviews.reviews_support import GOOD_TEXT, place_line, review_input

pytestmark = pytest.mark.integration


def _product():
    product = factories.ProductFactory()
    factories.VariantFactory(product=product)
    return product


def _review(product, rating: int, body: str = GOOD_TEXT):
    line = place_line(factories.UserFactory(), product)
    review = services.submit_review(
        buyer_id=line.vendor_order.order.buyer_id,
        line_id=line.id,
        data=review_input(rating=rating, body=f"{body} #{line.id}"),
    )
    db.session.commit()
    return review


def test_reviews_votes_and_moderation_keep_aggregates_current(pg_app):
    product = _product()
    admin = factories.UserFactory(is_admin=True)
    db.session.commit()
    first = _review(product, 5)
    _review(product, 3)
    held = _review(product, 1, body="Mail me at someone@example.com")
    assert held.status == ReviewStatus.PENDING

    feedback.vote_helpful(first.id, admin.id)
    moderation.decide(review_id=held.id, admin_id=admin.id, decision="approve", reason="Fine")
    db.session.commit()

    db.session.expire_all()
    fresh = db.session.get(Product, product.id)
    assert (fresh.rating_count, fresh.rating_sum) == (3, 9)
    assert aggregates.product_rating(product.id).histogram == {1: 1, 2: 0, 3: 1, 4: 0, 5: 1}
    assert aggregates.vendor_rating(product.vendor_id).count == 3
    assert db.session.get(type(first), first.id).helpful_count == 1
    assert aggregates.recompute(fix=False).mismatched == 0


def test_recompute_rewrites_drifted_aggregates(pg_app):
    product = _product()
    db.session.commit()
    _review(product, 4)
    db.session.execute(
        update(ProductRatingStats)
        .where(ProductRatingStats.product_id == product.id)
        .values(stars_4=0, stars_2=5)
    )
    db.session.execute(
        update(Product).where(Product.id == product.id).values(rating_count=5, rating_sum=10)
    )
    db.session.commit()

    assert aggregates.recompute(fix=False).mismatched_products == [product.id]
    aggregates.recompute(fix=True)
    db.session.commit()

    db.session.expire_all()
    assert (
        db.session.get(Product, product.id).rating_count,
        aggregates.product_rating(product.id).histogram[4],
    ) == (1, 1)
    assert aggregates.recompute(fix=False).mismatched == 0
