"""Aggregates follow the published reviews through jobs: after a review is written, edited,
deleted or moderated, the product's and shop's histograms, Product.rating_count/rating_sum and
the search document agree with the reviews; `flask reviews recompute` finds and fixes drift."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.jobs import OutboxJob
from marketplace.reviews import aggregates, moderation, services, shop_ratings
from marketplace.reviews.models import ProductRatingStats
from marketplace.search.database.models import SearchDocumentRow
from marketplace.search.documents import bayesian_rating
from tests.unit.reviews.reviews_support import GOOD_TEXT, review_input


@pytest.fixture
def product(make_product):
    product = make_product()
    db.session.commit()
    return product


def _review(delivered_line, product, rating: int, body: str = GOOD_TEXT):
    line = delivered_line(product=product)
    review = services.submit_review(
        buyer_id=line.vendor_order.order.buyer_id,
        line_id=line.id,
        data=review_input(rating=rating, body=f"{body} ({line.id})"),
    )
    db.session.commit()  # the aggregate jobs run after the commit (inline here)
    return review


def _fresh_product(product_id: int) -> Product:
    db.session.expire_all()
    return db.session.get(Product, product_id)


def _histogram(product_id: int) -> dict[int, int]:
    return aggregates.product_rating(product_id).histogram


def test_publishing_reviews_updates_histogram_totals_and_bayesian_average(
    app, delivered_line, product
):
    for rating in (5, 4, 4):
        _review(delivered_line, product, rating)

    fresh = _fresh_product(product.id)
    summary = aggregates.product_rating(product.id)
    assert (fresh.rating_count, fresh.rating_sum) == (3, 13)
    assert summary.histogram == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}
    assert summary.average == pytest.approx(13 / 3)
    prior_mean, prior_weight = app.config["SEARCH_RATING_PRIOR_MEAN"], 10
    assert summary.bayesian_average == pytest.approx((prior_weight * prior_mean + 13) / 13)
    assert summary.bayesian_average == pytest.approx(bayesian_rating(13, 3))


def test_the_search_document_follows_the_rating(app, delivered_line, product):
    _review(delivered_line, product, 2)
    _review(delivered_line, product, 4)

    document = db.session.get(SearchDocumentRow, product.id)
    db.session.refresh(document)
    assert document.rating_count == 2
    assert document.rating_avg == pytest.approx(3.0)
    assert document.rating_score == pytest.approx(round(bayesian_rating(6, 2), 4))


def test_held_reviews_do_not_count(delivered_line, product):
    _review(delivered_line, product, 5)
    _review(delivered_line, product, 1, body="Rubbish from an idiot shop, avoid at all costs")

    assert _fresh_product(product.id).rating_count == 1
    assert _histogram(product.id)[1] == 0


def test_editing_moves_the_review_between_stars(delivered_line, product):
    review = _review(delivered_line, product, 5)

    services.edit_review(
        review_id=review.id, buyer_id=review.author_id, data=review_input(rating=2)
    )
    db.session.commit()

    fresh = _fresh_product(product.id)
    assert (fresh.rating_count, fresh.rating_sum) == (1, 2)
    assert _histogram(product.id) == {1: 0, 2: 1, 3: 0, 4: 0, 5: 0}


def test_deleting_removes_the_review_from_the_aggregates(delivered_line, product):
    keep = _review(delivered_line, product, 3)
    gone = _review(delivered_line, product, 5)

    services.delete_review(review_id=gone.id, buyer_id=gone.author_id)
    db.session.commit()

    fresh = _fresh_product(product.id)
    assert (fresh.rating_count, fresh.rating_sum) == (1, 3)
    assert aggregates.vendor_rating(keep.vendor_id).count == 1


def test_moderation_decisions_change_the_aggregates(make_user, delivered_line, product):
    admin = make_user(is_admin=True)
    held = _review(delivered_line, product, 1, body="Nice.")  # too short: held
    assert _fresh_product(product.id).rating_count == 0

    moderation.decide(review_id=held.id, admin_id=admin.id, decision="approve", reason="Fine")
    db.session.commit()
    assert _fresh_product(product.id).rating_count == 1

    moderation.decide(review_id=held.id, admin_id=admin.id, decision="remove", reason="Spam")
    db.session.commit()
    fresh = _fresh_product(product.id)
    assert (fresh.rating_count, fresh.rating_sum) == (0, 0)
    assert _histogram(product.id) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


def test_shop_aggregates_count_product_reviews_and_shop_ratings(
    delivered_line, make_product, make_vendor
):
    vendor = make_vendor()
    first, second = make_product(vendor=vendor), make_product(vendor=vendor)
    review = _review(delivered_line, first, 4)
    _review(delivered_line, second, 2)
    shop_ratings.rate_shop(
        vendor_order_id=db.session.get(
            type(review.order_line), review.order_line_id
        ).vendor_order_id,
        buyer_id=review.author_id,
        scores=shop_ratings.ShopScores(5, 3, 4),
    )
    db.session.commit()

    summary = aggregates.vendor_rating(vendor.id)
    assert summary is not None
    assert (summary.count, summary.average) == (2, 3.0)
    assert summary.histogram == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}
    assert summary.dimension_count == 1
    assert summary.dimensions == {
        "item_as_described": 5.0,
        "shipping_speed": 3.0,
        "communication": 4.0,
    }
    assert set(aggregates.vendor_ratings([vendor.id, vendor.id + 999])) == {vendor.id}


def test_a_shop_without_reviews_has_no_rating(make_vendor):
    assert aggregates.vendor_rating(make_vendor().id) is None


def test_refresh_jobs_are_queued_with_the_change_and_are_safe_to_run_twice(delivered_line, product):
    review = _review(delivered_line, product, 4)
    jobs = {job.func for job in db.session.query(OutboxJob)}
    assert "marketplace.reviews.tasks.refresh_product_rating" in jobs
    assert "marketplace.reviews.tasks.refresh_vendor_rating" in jobs

    assert aggregates.refresh_product(product.id) is False  # already current: nothing changes
    assert aggregates.refresh_vendor(review.vendor_id) is False


# --- recompute ---------------------------------------------------------------------------------


def test_recompute_check_finds_nothing_when_aggregates_are_current(delivered_line, product):
    _review(delivered_line, product, 5)
    result = aggregates.recompute(fix=False)
    assert (result.products, result.vendors, result.mismatched) == (1, 1, 0)


def test_recompute_finds_and_fixes_a_drifted_product(delivered_line, product):
    _review(delivered_line, product, 5)
    db.session.execute(
        update(Product).where(Product.id == product.id).values(rating_count=2, rating_sum=9)
    )
    db.session.execute(
        update(ProductRatingStats)
        .where(ProductRatingStats.product_id == product.id)
        .values(stars_1=3)
    )
    db.session.commit()

    checked = aggregates.recompute(fix=False)
    assert checked.mismatched == 1
    assert checked.mismatched_products == [product.id]

    fixed = aggregates.recompute(fix=True)
    db.session.commit()
    assert fixed.fixed == 1
    fresh = _fresh_product(product.id)
    assert (fresh.rating_count, fresh.rating_sum) == (1, 5)
    assert _histogram(product.id) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1}
    assert aggregates.recompute(fix=False).mismatched == 0


def _run_cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["reviews", "recompute", *args])


def test_recompute_command_prints_counts_and_exits_zero_when_consistent(
    app, delivered_line, product
):
    _review(delivered_line, product, 4)

    result = _run_cli(app, "--check")

    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[0] == "products=1 vendors=1 mismatched=0"


def test_recompute_check_exits_non_zero_on_a_mismatch_and_changes_nothing(
    app, delivered_line, product
):
    review = _review(delivered_line, product, 4)
    # A review published behind the jobs' back: the stored aggregates are now stale.
    db.session.execute(update(type(review)).where(type(review).id == review.id).values(rating=1))
    db.session.commit()

    checked = _run_cli(app, "--check")
    assert checked.exit_code == 1
    assert "products=1 vendors=1 mismatched=2" in checked.output
    assert _fresh_product(product.id).rating_sum == 4  # --check changed nothing

    fixed = _run_cli(app)
    assert fixed.exit_code == 1  # it reports the mismatches it fixed
    assert _fresh_product(product.id).rating_sum == 1
    assert _run_cli(app, "--check").exit_code == 0


def test_pending_count_for_the_admin_hub(make_user, delivered_line, product):
    _review(delivered_line, product, 1, body="Short")
    assert moderation.pending_review_count() == 1
