"""A vendor's listing in a real browser: it fails a product standard, is fixed and goes live."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from marketplace.catalog.compliance import install_default_standards
from marketplace.extensions import db
from tests import factories
from tests.e2e.browser import screenshot

pytestmark = pytest.mark.e2e

SHOUTED_TITLE = "BLUE MUG!!!"
FIXED_TITLE = "Hand-Thrown Stoneware Mug in Cobalt Blue"
DESCRIPTION = (
    "A 350 ml stoneware mug, thrown on the wheel and glazed in cobalt blue. "
    "Dishwasher and microwave safe."
)


def _seed_shop(app) -> str:
    """An approved, payable shop, one category and the default standards; returns the e-mail."""
    with app.app_context():
        vendor = factories.VendorFactory(display_name="Kiln & Co")
        factories.CategoryFactory(name="Mugs", slug="mugs")
        install_default_standards()
        db.session.commit()
        return vendor.owner.email


def _photo(tmp_path):
    """A real 800 by 800 pixel PNG, big enough for every image standard."""
    buffer = io.BytesIO()
    Image.new("RGB", (800, 800), (40, 70, 160)).save(buffer, format="PNG")
    path = tmp_path / "mug.png"
    path.write_bytes(buffer.getvalue())
    return path


def _sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/account/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Sign in")).to_have_count(0)


def test_vendor_fixes_a_listing_that_fails_a_standard_and_it_goes_live(live_server, page, tmp_path):
    app, base = live_server
    email = _seed_shop(app)
    _sign_in(page, base, email)

    # A draft with a shouted title, and a photo.
    page.goto(base + "/sell/")
    page.get_by_role("link", name="New listing").first.click()
    page.get_by_label("Title").fill(SHOUTED_TITLE)
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_label("Category").select_option(label="Mugs")
    page.get_by_label("Variant 1: sku").fill("MUG-BLUE-350")
    page.get_by_label("Variant 1: price").fill("28.00")
    page.get_by_label("Variant 1: stock on hand").fill("12")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Edit listing")).to_be_visible()
    page.get_by_label("Add photos").set_input_files(_photo(tmp_path))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("800\u00d7800 px")).to_be_visible()

    # Submitting runs the standards: the title problems are shown next to the title.
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".listing-page-status .badge")).to_have_text("Needs changes")
    basics = page.locator("section[aria-labelledby=basics-heading]")
    title_notes = basics.locator(".standard-notes").first
    expect(title_notes).to_contain_text("Must fix")
    expect(title_notes).to_contain_text("capital")
    expect(page.locator(".standards-summary")).to_contain_text("to fix before this listing")
    screenshot(page, "listing-rejected")

    # Fixed and submitted again, it passes and is live in the shop.
    page.get_by_label("Title").fill(FIXED_TITLE)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".listing-page-status .badge")).to_have_text("Live")
    expect(page.locator(".standards-summary--block")).to_have_count(0)
    screenshot(page, "listing-live")
    page.get_by_role("link", name="See it in the shop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FIXED_TITLE)
    expect(page.get_by_text("$28.00").first).to_be_visible()
