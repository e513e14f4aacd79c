"""The cart pages: add from the product page, change, remove, the header count, the cookie,
and the cart kept through sign-in."""

from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.models import Cart, CartItem
from tests import factories
from tests.helpers import sign_in


def _cart_items(user_id=None) -> list[tuple[int, int]]:
    db.session.expire_all()
    stmt = select(CartItem.variant_id, CartItem.quantity).join(Cart).order_by(CartItem.id)
    if user_id is not None:
        stmt = stmt.where(Cart.user_id == user_id)
    return [tuple(row) for row in db.session.execute(stmt)]


def test_the_product_page_offers_add_to_cart_for_purchasable_variants(client, make_variant):
    variant = make_variant(price_minor=2400, stock=3)
    db.session.commit()

    page = client.get(f"/products/{variant.product.slug}").get_data(as_text=True)

    assert "Add to cart" in page
    assert f'name="variant_id" value="{variant.id}"' in page
    assert 'max="3"' in page


def test_a_sold_out_product_page_has_no_add_to_cart(client, make_variant):
    variant = make_variant(stock=1)
    variant.allow_backorder = False
    other = factories.VariantFactory(product=variant.product, stock_on_hand=0, name="Large")
    variant.stock_reserved = 1
    db.session.commit()

    page = client.get(f"/products/{variant.product.slug}?variant={other.id}").get_data(as_text=True)

    assert "Add to cart" not in page
    assert "sold out at the moment" in page


def test_a_visitor_adds_to_cart_with_a_signed_httponly_cookie(client, make_variant):
    variant = make_variant(price_minor=1250)
    db.session.commit()

    response = client.post("/cart/add", data={"variant_id": variant.id, "quantity": "2"})

    assert response.status_code == 302 and response.headers["Location"] == "/cart"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("cart=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert _cart_items() == [(variant.id, 2)]
    page = client.get("/cart").get_data(as_text=True)
    assert variant.product.title in page and "$25.00" in page
    assert 'aria-label="Cart, 2 items"' in page


def test_a_tampered_cookie_gets_an_empty_cart(client, make_variant):
    variant = make_variant()
    db.session.commit()
    client.post("/cart/add", data={"variant_id": variant.id})
    client.set_cookie("cart", "forged-value")

    page = client.get("/cart").get_data(as_text=True)

    assert "Your cart is empty" in page


def test_adding_what_cannot_be_bought_explains_and_adds_nothing(client, make_variant):
    variant = make_variant(stock=0)
    db.session.commit()

    response = client.post(
        "/cart/add",
        data={"variant_id": variant.id, "next": f"/products/{variant.product.slug}"},
        follow_redirects=True,
    )

    assert "isn&#39;t available to buy" in response.get_data(as_text=True)
    assert response.request.path == f"/products/{variant.product.slug}"
    assert _cart_items() == []


def test_the_cart_page_groups_by_vendor_and_explains_changes(client, make_vendor, make_variant):
    north, south = make_vendor(display_name="Northwind"), make_vendor(display_name="Kiln & Co")
    tent = make_variant(vendor=north, price_minor=15_000, title="Ultralight Tent")
    mug = make_variant(vendor=south, price_minor=2400, title="Speckled Mug", stock=4)
    db.session.commit()
    client.post("/cart/add", data={"variant_id": tent.id})
    client.post("/cart/add", data={"variant_id": mug.id, "quantity": "4"})
    tent.price_minor = 14_000
    mug.stock_reserved = 3
    db.session.commit()

    page = client.get("/cart").get_data(as_text=True)

    groups = page[page.index('class="checkout-layout"') :]
    assert groups.index("Northwind") < groups.index("Ultralight Tent") < groups.index("Kiln &amp;")
    assert "Your cart changed" in page
    assert "went down from $150.00 to $140.00" in page
    assert "quantity went from 4 to 1" in page
    assert "Check out" in page


def test_changing_and_removing_lines(client, make_variant):
    variant = make_variant(stock=5)
    db.session.commit()
    client.post("/cart/add", data={"variant_id": variant.id})
    [(item_id,)] = db.session.execute(select(CartItem.id)).all()

    client.post(f"/cart/items/{item_id}", data={"quantity": "9", "action": "update"})
    assert _cart_items() == [(variant.id, 5)]

    response = client.post(f"/cart/items/{item_id}", data={"action": "remove"})
    assert response.status_code == 302
    assert _cart_items() == []


def test_nobody_changes_another_carts_lines(client, app, make_variant):
    variant = make_variant()
    owner = factories.UserFactory()
    db.session.commit()
    owners = app.test_client()
    sign_in(owners, owner)
    owners.post("/cart/add", data={"variant_id": variant.id})
    [(item_id,)] = db.session.execute(select(CartItem.id)).all()

    client.post("/cart/add", data={"variant_id": variant.id})  # a visitor with a cart of its own
    client.post(f"/cart/items/{item_id}", data={"action": "remove"})

    assert (variant.id, 1) in _cart_items(owner.id)


def test_signing_in_through_the_form_keeps_the_visitors_cart(client, make_variant):
    variant = make_variant()
    user = factories.UserFactory(email="robin@example.com")
    db.session.commit()
    client.post("/cart/add", data={"variant_id": variant.id, "quantity": "3"})

    response = client.post(
        "/account/sign-in?next=/checkout",
        data={"email": "robin@example.com", "password": factories.DEFAULT_PASSWORD},
    )

    assert response.status_code == 302 and response.headers["Location"] == "/checkout"
    assert _cart_items(user.id) == [(variant.id, 3)]
    page = client.get("/cart").get_data(as_text=True)
    assert re.search(r'aria-label="Cart, 3 items"', page)


def test_checkout_asks_a_visitor_to_sign_in_first(client, make_variant):
    variant = make_variant()
    db.session.commit()
    client.post("/cart/add", data={"variant_id": variant.id})

    response = client.get("/checkout")

    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_a_product_page_puts_run_out_reservations_back_on_sale(client, make_variant, buyer):
    from datetime import timedelta

    from marketplace.models_base import utcnow
    from marketplace.orders import cart as carts
    from marketplace.orders import services
    from marketplace.orders.addresses import Address
    from marketplace.orders.models import Order, OrderStatus

    variant = make_variant(stock=2, title="Last Two Lamps")
    cart = carts.get_or_create_cart(buyer.id, None)
    carts.add_item(cart, variant.id, 2)
    address = Address(
        name="A B",
        line1="1 Main St",
        city="Portland",
        region="OR",
        postal_code="97205",
        country="US",
    )
    order = services.place_order(cart, buyer, address, {})
    order.reservation_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = client.get(f"/products/{variant.product.slug}").get_data(as_text=True)

    assert "Add to cart" in page and "Only 2 left" in page
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.EXPIRED
