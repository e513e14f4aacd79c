"""In a real browser: a visitor fills a cart from three shops, signs in at checkout (the cart
comes along), and pays once with the offline gateway's test card; and a declined card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders import services as order_services
from marketplace.orders.models import Order, OrderStatus, TaxRate
from marketplace.payments import connect
from marketplace.payments.gateway import get_gateway
from marketplace.payments.offline import TEST_ACCOUNT_NUMBER, TEST_ROUTING_NUMBER, PayoutDetails
from marketplace.payouts.commission import set_commission_rule
from tests import factories
from tests.e2e.browser import screenshot

pytestmark = pytest.mark.e2e

SHOPS = [
    ("Kiln & Co", "Speckled Stoneware Mug", 3400),
    ("Northwind Outfitters", "Ultralight Two-Person Tent", 18_900),
    ("Paper Lantern Press", "Hand-Bound Linen Journal", 2200),
]
BUYER_EMAIL = "ava.morgan@example.com"


def seed_shops(app) -> list[str]:
    """Three payable shops with one product each, a commission and Oregon's tax; a buyer."""
    with app.app_context():
        set_commission_rule(1000, 30)
        db.session.add(TaxRate(country="US", region="OR", name="Oregon tax", rate_bps=800))
        slugs = []
        for shop, title, price in SHOPS:
            vendor = factories.VendorFactory(display_name=shop)
            gateway = get_gateway()
            vendor.payout_account_id = gateway.create_connected_account(vendor)
            vendor.payout_gateway = gateway.name
            details = PayoutDetails(shop, TEST_ROUTING_NUMBER, TEST_ACCOUNT_NUMBER)
            event = gateway.complete_onboarding(vendor.payout_account_id, details)
            connect.handle_gateway_event(event)
            product = factories.ProductFactory(vendor=vendor, title=title)
            factories.VariantFactory(product=product, price_minor=price, stock_on_hand=4)
            slugs.append(product.slug)
        factories.UserFactory(email=BUYER_EMAIL, display_name="Ava Morgan")
        db.session.commit()
        return slugs


def fill_cart_and_reach_payment(page, base: str, slugs: list[str]) -> None:
    """As a visitor: add one of each product, check out, sign in, address, shipping, Pay."""
    for number, slug in enumerate(slugs):
        page.goto(f"{base}/products/{slug}")
        if number == 0:
            screenshot(page, "checkout-product")
        page.get_by_role("button", name="Add to cart").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    expect(page.get_by_role("link", name="Cart, 3 items")).to_be_visible()
    for shop, title, _price in SHOPS:
        expect(page.get_by_role("link", name=title)).to_be_visible()
        expect(page.get_by_role("heading", name=f"From {shop}")).to_be_visible()
    screenshot(page, "checkout-cart")

    page.get_by_role("link", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/account/sign-in"))
    page.get_by_label("E-mail address").fill(BUYER_EMAIL)
    page.get_by_label("Password").fill(factories.DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Where should we deliver?")).to_be_visible()
    page.get_by_label("Street address").fill("12 Alder Street")
    page.get_by_label("Town or city").fill("Portland")
    page.get_by_label("State, province or region").fill("OR")
    page.get_by_label("Postal code").fill("9720")  # one digit short: the form says so
    page.get_by_label("Country").select_option("US")
    page.get_by_role("button", name="Continue to shipping").click()
    expect(page.get_by_text("Enter a ZIP code like 97205").first).to_be_visible()
    screenshot(page, "checkout-address-error")
    page.get_by_label("Postal code").fill("97205")
    page.get_by_role("button", name="Continue to shipping").click()

    expect(page.get_by_role("heading", name="Shipping and order summary")).to_be_visible()
    for shop, _title, _price in SHOPS:
        expect(page.get_by_text(f"from {shop}").first).to_be_visible()
    # Items 34.00 + 189.00 + 22.00; standard shipping 5.99 for the two shops under 75.00;
    # Oregon tax 8% on items and shipping: 2.72 + 0.48, 15.12, 1.76 + 0.48.
    expect(page.locator("[data-grand-total]")).to_have_text("$277.54")
    screenshot(page, "checkout-review")
    page.get_by_role("button", name="Pay $277.54").click()
    expect(page).to_have_url(re.compile(r"/checkout/pay/"))
    expect(page.get_by_role("heading", name="Pay $277.54")).to_be_visible()


def pay_with(page, card: str) -> None:
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiry date (MM / YY)").fill("12 / 30")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def _the_order(app) -> Order:
    with app.app_context():
        return db.session.scalars(select(Order)).one()


def test_a_buyer_fills_a_cart_from_three_shops_and_pays_once(live_server, page):
    app, base = live_server
    slugs = seed_shops(app)

    fill_cart_and_reach_payment(page, base, slugs)
    screenshot(page, "checkout-payment-page")
    pay_with(page, "4242 4242 4242 4242")

    expect(page.get_by_text("your payment is confirmed")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order MP-")
    for shop, title, _price in SHOPS:
        expect(page.get_by_role("heading", name=f"From {shop}")).to_be_visible()
        expect(page.get_by_text(title)).to_be_visible()
    expect(page.get_by_role("link", name="Cart, 0 items")).to_be_visible()
    screenshot(page, "checkout-order-paid")

    with app.app_context():
        order = db.session.scalars(select(Order)).one()
        assert order.status == OrderStatus.PAID
        assert order.grand_total_minor == 27_754
        assert len(order.vendor_orders) == 3
        assert order_services.order_totals_reconcile(order)

    page.goto(f"{base}/orders")
    expect(page.get_by_role("link", name=re.compile(r"MP-"))).to_be_visible()
    screenshot(page, "checkout-orders")


def test_a_declined_card_leaves_the_order_unpaid_and_says_why(live_server, page):
    app, base = live_server
    slugs = seed_shops(app)

    fill_cart_and_reach_payment(page, base, slugs)
    pay_with(page, "4000 0000 0000 0002")

    expect(page.get_by_text(re.compile("declined", re.I)).first).to_be_visible()
    screenshot(page, "checkout-declined")
    assert _the_order(app).status == OrderStatus.PENDING_PAYMENT

    number = _the_order(app).number
    page.goto(f"{base}/orders/{number}")
    expect(page.get_by_text("Your payment didn't go through.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Try paying again"))).to_be_visible()
    screenshot(page, "checkout-order-declined")
