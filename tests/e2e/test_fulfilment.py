"""In a real browser: a shop accepts an order and ships half of it with a tracking number,
and the buyer sees that parcel, with its carrier's tracking link, on the order page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from tests import factories
from tests.e2e.browser import screenshot
from tests.unit.fulfilment import support
from tests.unit.payments import payments_support

pytestmark = pytest.mark.e2e

TRACKING = "1Z999AA10123456784"


def seed_paid_order(app) -> tuple[str, str, str]:
    """A paid order of 4 mugs from one shop; (order number, shop e-mail, buyer e-mail)."""
    with app.app_context():
        market = payments_support.build_marketplace((2500,))
        db.session.commit()
        order = support.paid_order(market, (4,))
        return order.number, market.vendors[0].owner.email, market.buyer.email


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/account/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_shop_ships_half_an_order_and_the_buyer_sees_the_parcel(live_server, browser, page):
    app, base = live_server
    number, shop_email, buyer_email = seed_paid_order(app)

    sign_in(page, base, shop_email)
    page.goto(f"{base}/sell/orders")
    screenshot(page, "fulfilment-queue")
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="Accept order").click()
    expect(page.get_by_text("Order accepted.")).to_be_visible()
    page.get_by_role("region", name="Ship a parcel").get_by_label(re.compile(r"4 left")).fill("2")
    page.get_by_label("Carrier").select_option("ups")
    page.get_by_label("Tracking number").fill(TRACKING)
    screenshot(page, "fulfilment-ship-form")
    page.get_by_role("button", name="Record parcel and tell the buyer").click()
    expect(page.get_by_text(f"Parcel {TRACKING} recorded.")).to_be_visible()
    expect(page.get_by_text("Partly shipped").first).to_be_visible()
    screenshot(page, "fulfilment-vendor-order")

    buyer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(buyer, base, buyer_email)
    buyer.goto(f"{base}/orders/{number}")
    link = buyer.get_by_role("link", name=TRACKING)
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", f"https://www.ups.com/track?tracknum={TRACKING}")
    expect(buyer.get_by_text("Partly shipped")).to_be_visible()
    expect(buyer.get_by_text("2 \u00d7 Handmade Ceramic Mug", exact=False)).to_be_visible()
    screenshot(buyer, "fulfilment-buyer-order")
    buyer.context.close()
