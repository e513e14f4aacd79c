"""Main journeys in a real browser: browse the storefront, open an account, reset a password."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.notifications.models import OutboundEmail
from tests import factories
from tests.e2e.browser import screenshot

pytestmark = pytest.mark.e2e


def seed_storefront(app) -> None:
    with app.app_context():
        for shop, product in [
            ("Kiln & Co", "Speckled Stoneware Mug"),
            ("Northwind Outfitters", "Ultralight Two-Person Tent"),
            ("Paper Lantern Press", "Hand-Bound Linen Journal"),
        ]:
            vendor = factories.VendorFactory(display_name=shop)
            item = factories.ProductFactory(vendor=vendor, title=product)
            factories.VariantFactory(product=item, price_minor=3400, stock_on_hand=5)
        db.session.commit()


def test_visitor_browses_home_product_and_vendor(live_server, page):
    app, base = live_server
    seed_storefront(app)

    page.goto(base + "/")
    expect(page.get_by_role("link", name="Ultralight Two-Person Tent").first).to_be_visible()
    screenshot(page, "home")

    page.get_by_role("link", name="Ultralight Two-Person Tent").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ultralight Two-Person Tent")
    expect(page.get_by_text("$34.00").first).to_be_visible()
    screenshot(page, "product")

    page.get_by_role("link", name="Northwind Outfitters").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northwind Outfitters")

    page.get_by_label("Search products").fill("journal")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Hand-Bound Linen Journal").first).to_be_visible()
    expect(page.get_by_role("link", name="Speckled Stoneware Mug")).to_have_count(0)


def test_buyer_signs_up_out_and_in_and_is_kept_out_of_admin(live_server, page):
    _app, base = live_server

    page.goto(base + "/account/sign-up")
    page.get_by_label("E-mail address").fill("Robin.Hart@example.com")
    page.get_by_label("Display name").fill("Robin")
    page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
    page.get_by_label("Repeat the password", exact=True).fill("a-long-enough-passphrase")
    screenshot(page, "sign-up")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Robin").first).to_be_visible()

    response = page.goto(base + "/admin/")
    assert response.status == 403
    screenshot(page, "forbidden")

    page.goto(base + "/")
    page.locator("summary.menu-toggle").click()
    page.get_by_role("button", name="Sign out").click()
    account_nav = page.get_by_role("navigation", name="Your account", exact=True)
    expect(account_nav.get_by_role("link", name="Sign in")).to_be_visible()

    page.goto(base + "/account/sign-in")
    page.get_by_label("E-mail address").fill("robin.hart@example.com")
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(re.compile("incorrect|not match|wrong", re.I)).first).to_be_visible()
    page.get_by_label("Password").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("summary.menu-toggle")).to_contain_text("Robin")


def test_forgotten_password_is_reset_through_the_mailed_link(live_server, page):
    app, base = live_server
    with app.app_context():
        factories.UserFactory(email="sam@example.com", password="the-old-passphrase")
        db.session.commit()

    page.goto(base + "/account/sign-in")
    page.get_by_role("link", name=re.compile("forgot", re.I)).click()
    page.get_by_label("E-mail address").fill("sam@example.com")
    page.get_by_role("button", name="Send reset link").click()

    with app.app_context():
        mail = db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.to_address == "sam@example.com")
        ).one()
    link = re.search(r"https?://\S+/account/password/reset/\S+", mail.body_text).group(0)
    page.goto(base + link[link.index("/account/") :])
    page.get_by_label("New password", exact=True).fill("the-new-passphrase")
    page.get_by_label("Repeat the password", exact=True).fill("the-new-passphrase")
    page.get_by_role("button", name="Set new password").click()

    page.goto(base + "/account/sign-in")
    page.get_by_label("E-mail address").fill("sam@example.com")
    page.get_by_label("Password").fill("the-new-passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("summary.menu-toggle")).to_be_visible()
