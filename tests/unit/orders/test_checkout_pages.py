"""Checkout pages: address, shipping per vendor and summary, pay; the buyer's order pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Variant
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders import services
from marketplace.orders.models import Order, OrderStatus, ShippingRate, TaxRate
from marketplace.payouts.commission import set_commission_rule
from tests import factories
from tests.helpers import sign_in

ADDRESS_FORM = {
    "name": "Ava Morgan",
    "line1": "12 Alder Street",
    "line2": "",
    "city": "Portland",
    "region": "OR",
    "postal_code": "97205",
    "country": "US",
}


def _orders() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Order))


@pytest.fixture
def shopper(client, make_vendor, make_variant):
    """A signed-in buyer whose cart holds items from two shops; 8% tax in Oregon."""
    set_commission_rule(1000, 30)
    north, south = make_vendor(display_name="Northwind"), make_vendor(display_name="Kiln & Co")
    db.session.add_all(
        [
            ShippingRate(vendor_id=north.id, country="US", name="Ground", rate_minor=500),
            ShippingRate(vendor_id=north.id, country="US", name="Express", rate_minor=1500),
            TaxRate(country="US", region="OR", name="Oregon tax", rate_bps=800),
        ]
    )
    tent = make_variant(vendor=north, price_minor=10_000, stock=3, title="Ultralight Tent")
    mug = make_variant(vendor=south, price_minor=2000, stock=5, title="Speckled Mug")
    user = factories.UserFactory(display_name="Ava")
    db.session.commit()
    sign_in(client, user)
    client.post("/cart/add", data={"variant_id": tent.id})
    client.post("/cart/add", data={"variant_id": mug.id, "quantity": "2"})
    return user, tent, mug, north


def _to_review(client) -> str:
    response = client.post("/checkout", data=ADDRESS_FORM)
    assert response.status_code == 302 and response.headers["Location"] == "/checkout/review"
    return client.get("/checkout/review").get_data(as_text=True)


def _total(page: str) -> str:
    return re.search(r'name="expected_total" value="(\d+)"', page).group(1)


def test_the_address_form_says_what_is_wrong_next_to_the_field(client, shopper):
    response = client.post("/checkout", data={**ADDRESS_FORM, "postal_code": "9720"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a ZIP code like 97205" in page
    assert 'aria-invalid="true"' in page
    assert client.get("/checkout/review").headers["Location"] == "/checkout"


def test_the_review_shows_each_shop_with_shipping_tax_and_totals(client, shopper):
    page = _to_review(client)

    assert "from Northwind" in page and "from Kiln &amp; Co" in page
    assert "Ground" in page and "Express" in page
    # Northwind: 100.00 + ground 5.00, tax 8% = 8.40; Kiln & Co: 40.00 + standard 5.99,
    # tax 3.20 + 0.48 (5.99 * 8% = 0.4792 → 0.48)
    assert "$113.40" in page and "$49.67" in page
    assert _total(page) == str(11_340 + 4_967)
    assert "Pay $163.07" in page


def test_choosing_express_shipping_changes_the_total(client, shopper):
    _user, _tent, _mug, north = shopper
    page = _to_review(client)
    express = re.search(
        rf'name="shipping-{north.id}" value="([^"]+)"[^>]*>\s*'
        r'<span class="shipping-option-name">Express',
        page,
    )

    client.post(
        "/checkout/review", data={f"shipping-{north.id}": express.group(1), "action": "update"}
    )
    page = client.get("/checkout/review").get_data(as_text=True)

    assert _total(page) == str(16_307 + 1_000 + 80)


def test_paying_places_the_order_and_hands_over_to_the_payment_page(client, shopper):
    user, tent, _mug, _north = shopper
    page = _to_review(client)

    response = client.post(
        "/checkout/review", data={"action": "pay", "expected_total": _total(page)}
    )

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/checkout/pay/")
    db.session.expire_all()
    order = db.session.scalars(select(Order).where(Order.buyer_id == user.id)).one()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.grand_total_minor == 16_307
    assert services.order_totals_reconcile(order)
    assert db.session.get(Variant, tent.id).stock_reserved == 1
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_a_total_that_moved_since_the_page_was_shown_is_not_charged(client, shopper):
    page = _to_review(client)
    rate = db.session.scalars(select(TaxRate)).one()
    rate.rate_bps = 900
    db.session.commit()

    response = client.post(
        "/checkout/review",
        data={"action": "pay", "expected_total": _total(page)},
        follow_redirects=True,
    )

    assert "The total changed" in response.get_data(as_text=True)
    assert _orders() == 0


def test_a_line_sold_out_before_paying_is_named_and_nothing_is_placed(client, shopper):
    _user, tent, _mug, _north = shopper
    page = _to_review(client)
    db.session.get(Variant, tent.id).stock_reserved = 3
    db.session.commit()

    response = client.post(
        "/checkout/review",
        data={"action": "pay", "expected_total": _total(page)},
        follow_redirects=True,
    )

    body = response.get_data(as_text=True)
    assert "Ultralight Tent" in body and "no longer available" in body
    assert "Check the new summary" in body
    assert _orders() == 0
    assert db.session.get(Variant, tent.id).stock_reserved == 3


def _placed_order(user, make_variant, address) -> Order:
    from marketplace.orders import cart as carts

    cart = carts.get_or_create_cart(user.id, None)
    carts.add_item(cart, make_variant(title="Brass Lamp").id, 1)
    order = services.place_order(cart, user, address, {})
    db.session.commit()
    return order


def test_the_buyer_sees_their_order_and_no_one_elses(client, app, make_variant):
    from marketplace.orders.addresses import Address

    address = Address.from_mapping(ADDRESS_FORM)
    owner, stranger = factories.UserFactory(), factories.UserFactory()
    order = _placed_order(owner, make_variant, address)

    sign_in(client, owner)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Brass Lamp" in page and "Awaiting payment" in page and "Pay now" in page
    assert order.number in client.get("/orders").get_data(as_text=True)

    others = app.test_client()
    sign_in(others, stranger)
    assert others.get(f"/orders/{order.number}").status_code == 404
    assert order.number not in others.get("/orders").get_data(as_text=True)
    assert others.post(f"/orders/{order.number}/pay").status_code == 404

    visitor = app.test_client()
    assert visitor.get(f"/orders/{order.number}").status_code == 302


def test_an_order_whose_hold_ran_out_shows_expired_and_cannot_be_paid(client, make_variant):
    from marketplace.orders.addresses import Address

    owner = factories.UserFactory()
    order = _placed_order(owner, make_variant, Address.from_mapping(ADDRESS_FORM))
    order.reservation_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sign_in(client, owner)

    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    refused = client.post(f"/orders/{order.number}/pay", follow_redirects=True)

    assert "This order expired" in page and "Pay now" not in page
    assert "can&#39;t be paid any more" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.EXPIRED
