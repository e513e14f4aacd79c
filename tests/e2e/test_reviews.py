"""A buyer reviews a delivered item in a real browser and sees the review on the product page."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from marketplace.extensions import db
from tests import factories
from tests.e2e.browser import screenshot
from tests.unit.reviews.reviews_support import place_line

pytestmark = pytest.mark.e2e

TITLE = "Keeps my tea hot for ages"
BODY = (
    "Heavier than it looks and beautifully glazed. The handle fits three fingers and it has "
    "survived the dishwasher every day for two weeks."
)


def _seed_delivered_order(app) -> tuple[str, str, str]:
    """A buyer with a delivered order of one mug; returns (e-mail, order number, product slug)."""
    with app.app_context():
        product = factories.ProductFactory(title="Hand-Thrown Stoneware Mug")
        factories.VariantFactory(product=product, price_minor=2800)
        buyer = factories.UserFactory(display_name="Robin B.")
        db.session.flush()
        line = place_line(buyer, product)
        db.session.commit()
        return buyer.email, line.vendor_order.order.number, product.slug


def _photo(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 160)).save(buffer, format="PNG")
    path = tmp_path / "mug-on-desk.png"
    path.write_bytes(buffer.getvalue())
    return path


def test_buyer_reviews_a_delivered_item_and_sees_it_on_the_product_page(
    live_server, page, tmp_path
):
    app, base = live_server
    email, number, slug = _seed_delivered_order(app)

    page.goto(base + "/account/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Sign in")).to_have_count(0)

    page.goto(f"{base}/orders/{number}")
    page.get_by_role("link", name="Review this item").click()
    expect(page.get_by_role("heading", name="Write a review")).to_be_visible()
    page.get_by_label("4 stars — good").check()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your review").fill(BODY)
    page.get_by_label("Photos").set_input_files(_photo(tmp_path))
    screenshot(page, "review-form")
    page.get_by_role("button", name="Publish review").click()

    expect(page.get_by_text("Your review is published.")).to_be_visible()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()

    page.goto(f"{base}/products/{slug}")
    reviews = page.locator("#reviews")
    expect(reviews.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(reviews.get_by_text("Robin B.")).to_be_visible()
    expect(reviews.get_by_text("Verified purchase", exact=True)).to_be_visible()
    expect(reviews.locator(".rating-average-value")).to_have_text("4.0")
    expect(reviews.locator(".review-photos img")).to_have_count(1)
    screenshot(page, "product-reviews")
