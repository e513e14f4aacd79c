"""The review pages: the product page's summary, sorts, filters and pages; writing, editing and
deleting through the forms; votes and reports; the shop's page; moderation; the order page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.reviews import services
from marketplace.reviews.models import Review, ReviewStatus, VendorReply
from tests.helpers import sign_in
from tests.unit.reviews.reviews_support import GOOD_TEXT, png_upload, review_input


def _publish(line, rating=5, title="Lovely mug", body=GOOD_TEXT, age_days=0):
    review = services.submit_review(
        buyer_id=line.vendor_order.order.buyer_id,
        line_id=line.id,
        data=review_input(rating=rating, title=title, body=f"{body} [{line.id}]"),
    )
    review.created_at = utcnow() - timedelta(days=age_days)
    return review


@pytest.fixture
def reviewed_product(make_product, delivered_line):
    """A product with five published reviews of 1..5 stars (newest is the 1-star one)."""
    product = make_product()
    for stars in (5, 4, 3, 2, 1):
        _publish(
            delivered_line(product=product), rating=stars, title=f"{stars}-star", age_days=stars
        )
    db.session.commit()
    return product


def _titles(html: str) -> list[str]:
    import re

    return re.findall(r'class="review-title" id="review-\d+-title">([^<]+)<', html)


def test_product_page_shows_summary_histogram_and_reviews(client, reviewed_product):
    html = client.get(f"/products/{reviewed_product.slug}").get_data(as_text=True)

    assert "Customer reviews" in html
    assert '<span class="rating-average-value">3.0</span>' in html
    assert html.count("<progress") == 5
    assert "Showing 1\u20135 of 5 reviews" in html
    assert "Verified purchase" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("review_sort=newest", ["1-star", "2-star", "3-star", "4-star", "5-star"]),
        ("review_sort=highest", ["5-star", "4-star", "3-star", "2-star", "1-star"]),
        ("review_sort=lowest", ["1-star", "2-star", "3-star", "4-star", "5-star"]),
        ("stars=4", ["4-star"]),
        ("review_sort=nonsense&stars=9", ["1-star", "2-star", "3-star", "4-star", "5-star"]),
    ],
)
def test_reviews_sort_and_filter_from_the_url(client, reviewed_product, query, expected):
    html = client.get(f"/products/{reviewed_product.slug}?{query}").get_data(as_text=True)
    assert _titles(html) == expected


def test_most_helpful_comes_first_by_default(client, reviewed_product, make_user):
    from marketplace.reviews import feedback

    three = db.session.query(Review).filter_by(title="3-star").one()
    feedback.vote_helpful(three.id, make_user().id)
    db.session.commit()

    html = client.get(f"/products/{reviewed_product.slug}").get_data(as_text=True)
    assert _titles(html)[0] == "3-star"
    assert "1 person found this helpful" in html


def test_photo_and_verified_filters(app, client, reviewed_product):
    four = db.session.query(Review).filter_by(title="4-star").one()
    four.photo_count = 1
    two = db.session.query(Review).filter_by(title="2-star").one()
    two.verified = False
    db.session.commit()
    url = f"/products/{reviewed_product.slug}"

    assert _titles(client.get(f"{url}?with_photos=1").get_data(as_text=True)) == ["4-star"]
    verified = _titles(client.get(f"{url}?verified=1").get_data(as_text=True))
    assert "2-star" not in verified and len(verified) == 4


def test_reviews_are_paginated(app, client, reviewed_product):
    app.config["REVIEWS_PER_PAGE"] = 2
    url = f"/products/{reviewed_product.slug}?review_sort=highest"

    page_two = client.get(f"{url}&review_page=2").get_data(as_text=True)

    assert _titles(page_two) == ["3-star", "2-star"]
    assert "Showing 3\u20134 of 5 reviews" in page_two
    assert "review_page=3" in page_two


def test_review_text_is_escaped(client, delivered_line, make_product):
    product = make_product()
    _publish(delivered_line(product=product), title="<script>alert(1)</script> Great mug")
    db.session.commit()
    html = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_a_product_without_reviews_says_so(client, make_product):
    product = make_product()
    db.session.commit()
    assert "No reviews yet" in client.get(f"/products/{product.slug}").get_data(as_text=True)


# --- the buyer's forms -------------------------------------------------------------------------


def test_the_buyer_reviews_with_a_photo_through_the_form(app, client, delivered_line):
    line = delivered_line()
    buyer = line.vendor_order.order.buyer
    db.session.commit()
    sign_in(client, buyer)

    response = client.post(
        f"/account/reviews/items/{line.id}",
        data={"rating": "4", "title": "Solid mug", "body": GOOD_TEXT, "photos": png_upload()},
        content_type="multipart/form-data",
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    review = db.session.query(Review).one()
    assert (review.rating, review.status, review.photo_count) == (4, "published", 1)
    stored = app.extensions["storage"].exists(review.photos[0].storage_key)
    assert stored is True


def test_a_bad_photo_is_refused_and_nothing_is_written(client, delivered_line):
    import io

    from werkzeug.datastructures import FileStorage

    line = delivered_line()
    db.session.commit()
    sign_in(client, line.vendor_order.order.buyer)
    fake = FileStorage(io.BytesIO(b"not a picture"), filename="x.png", content_type="image/png")

    response = client.post(
        f"/account/reviews/items/{line.id}",
        data={"rating": "4", "title": "Solid mug", "body": GOOD_TEXT, "photos": fake},
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert "could not be read as an image" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(Review).count() == 0


def test_the_form_is_not_for_undelivered_or_other_peoples_lines(client, delivered_line, make_user):
    pending = delivered_line(status="shipped")
    other = delivered_line()
    db.session.commit()
    sign_in(client, pending.vendor_order.order.buyer)

    not_yet = client.get(f"/account/reviews/items/{pending.id}")
    assert not_yet.status_code == 302
    assert client.get(f"/account/reviews/items/{other.id}").status_code == 404


def test_my_reviews_lists_reviews_and_items_waiting(client, delivered_line, make_product):
    line = delivered_line()
    buyer = line.vendor_order.order.buyer
    waiting = delivered_line(buyer=buyer, product=make_product())
    _publish(line, title="My own words")
    db.session.commit()
    sign_in(client, buyer)

    html = client.get("/account/reviews").get_data(as_text=True)

    assert "My own words" in html
    assert f"/account/reviews/items/{waiting.id}" in html
    assert "Rate this shop" in html


def test_the_buyer_deletes_through_the_page(client, delivered_line):
    line = delivered_line()
    review = _publish(line)
    db.session.commit()
    sign_in(client, line.vendor_order.order.buyer)

    response = client.post(f"/account/reviews/{review.id}/delete")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(Review).count() == 0


def test_vote_and_report_from_the_product_page(client, delivered_line, make_user):
    review = _publish(delivered_line())
    reader = make_user()
    db.session.commit()
    sign_in(client, reader)

    assert client.post(f"/reviews/{review.id}/helpful").status_code == 302
    reported = client.post(f"/reviews/{review.id}/report", data={"reason": "Spam"})
    assert reported.status_code == 302
    db.session.expire_all()
    assert db.session.get(Review, review.id).helpful_count == 1
    assert client.post(f"/reviews/{review.id}/helpful").status_code == 302
    db.session.expire_all()
    assert db.session.get(Review, review.id).helpful_count == 1


def test_rate_the_shop_through_the_form(client, delivered_line):
    line = delivered_line()
    db.session.commit()
    sign_in(client, line.vendor_order.order.buyer)
    url = f"/account/reviews/shops/{line.vendor_order_id}"

    response = client.post(
        url, data={"item_as_described": "5", "shipping_speed": "4", "communication": "3"}
    )

    assert response.status_code == 302
    from marketplace.reviews.aggregates import vendor_rating

    db.session.expire_all()
    summary = vendor_rating(line.vendor_order.vendor_id)
    assert summary.dimensions["shipping_speed"] == 4.0


# --- the shop ----------------------------------------------------------------------------------


def test_the_shop_replies_from_its_reviews_page(client, delivered_line):
    line = delivered_line()
    review = _publish(line)
    owner = line.vendor_order.vendor.owner
    db.session.commit()
    sign_in(client, owner)

    assert "Reviews of your products" in client.get("/sell/reviews").get_data(as_text=True)
    response = client.post(f"/sell/reviews/{review.id}/reply", data={"body": "Thanks a lot!"})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(VendorReply).one().body == "Thanks a lot!"
    product_page = client.get(f"/products/{review.product.slug}").get_data(as_text=True)
    assert "Thanks a lot!" in product_page


def test_the_shop_cannot_edit_delete_or_reply_to_other_shops_reviews(
    client, delivered_line, make_vendor
):
    line = delivered_line()
    review = _publish(line)
    owner = line.vendor_order.vendor.owner
    other_shop = make_vendor()
    other_review = _publish(delivered_line())
    db.session.commit()

    sign_in(client, owner)
    assert client.post(f"/account/reviews/{review.id}/delete").status_code == 404
    assert client.get(f"/account/reviews/items/{review.order_line_id}").status_code == 404
    assert (
        client.post(f"/sell/reviews/{other_review.id}/reply", data={"body": "x"}).status_code == 404
    )
    sign_in(client, other_shop.owner)
    assert client.post(f"/sell/reviews/{review.id}/reply", data={"body": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.query(Review).count() == 2


# --- moderation pages --------------------------------------------------------------------------


def test_moderators_decide_from_the_queue(client, delivered_line, make_user):
    held = _publish(delivered_line(), body="Nice.")  # too short
    admin = make_user(is_admin=True)
    db.session.commit()
    sign_in(client, admin)

    queue = client.get("/admin/reviews").get_data(as_text=True)
    assert f"/admin/reviews/{held.id}" in queue and "Length" in queue
    detail = client.get(f"/admin/reviews/{held.id}").get_data(as_text=True)
    assert "Automatic checks" in detail and "Approve and publish" in detail

    refused = client.post(f"/admin/reviews/{held.id}/decide", data={"decision": "approve"})
    assert refused.status_code == 400
    done = client.post(
        f"/admin/reviews/{held.id}/decide", data={"decision": "approve", "reason": "Short is ok"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Review, held.id).status == ReviewStatus.PUBLISHED


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/admin/reviews"), ("get", "/admin/reviews/1"), ("post", "/admin/reviews/1/decide")],
)
def test_moderation_pages_are_for_admins_only(client, make_user, method, path):
    user = make_user()
    db.session.commit()
    assert getattr(client, method)(path).status_code == 302  # anonymous: to sign-in
    sign_in(client, user)
    assert getattr(client, method)(path).status_code == 403


# --- order page and storefront -----------------------------------------------------------------


def test_the_order_page_links_delivered_lines_to_the_review_form(client, delivered_line):
    delivered = delivered_line()
    db.session.commit()
    sign_in(client, delivered.vendor_order.order.buyer)

    html = client.get(f"/orders/{delivered.vendor_order.order.number}").get_data(as_text=True)

    assert f"/account/reviews/items/{delivered.id}" in html
    assert f"/account/reviews/shops/{delivered.vendor_order_id}" in html


def test_the_order_page_has_no_review_link_before_delivery(client, delivered_line):
    shipped = delivered_line(status="shipped")
    db.session.commit()
    sign_in(client, shipped.vendor_order.order.buyer)
    html = client.get(f"/orders/{shipped.vendor_order.order.number}").get_data(as_text=True)
    assert "Review this item" not in html


def test_the_storefront_shows_the_shop_rating_and_track_record(client, reviewed_product):
    html = client.get(f"/vendors/{reviewed_product.vendor.slug}").get_data(as_text=True)
    assert "Rating and track record" in html
    assert "from 5 product reviews" in html
    assert "Shipped on time" in html
