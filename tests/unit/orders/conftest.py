"""Shops, products and carts for the order tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders.addresses import Address
from marketplace.orders.models import Cart
from tests import factories

ADDRESS = Address(
    name="Ava Morgan",
    line1="12 Alder Street",
    city="Portland",
    region="OR",
    postal_code="97205",
    country="US",
)


@pytest.fixture
def address() -> Address:
    return ADDRESS


@pytest.fixture
def make_variant(app) -> Callable[..., Any]:
    """A live product of a selling vendor with one variant; returns the variant."""

    def make(
        price_minor: int = 2500, stock: int = 10, *, vendor=None, category=None, **fields: Any
    ):
        product_fields = {k: v for k, v in (("vendor", vendor), ("category", category)) if v}
        product = factories.ProductFactory(**product_fields, **fields)
        return factories.VariantFactory(
            product=product, price_minor=price_minor, stock_on_hand=stock
        )

    return make


@pytest.fixture
def buyer(app):
    return factories.UserFactory(display_name="Ava Morgan")


@pytest.fixture
def cart_of(app) -> Callable[..., Cart]:
    """A buyer's cart holding (variant, quantity) pairs, added the way a buyer adds them."""

    def make(user, *items: tuple[Any, int]) -> Cart:
        cart = carts.get_or_create_cart(user.id, None)
        for variant, quantity in items:
            carts.add_item(cart, variant.id, quantity)
        db.session.flush()
        return cart

    return make
