"""The cart: what can be added, quantities capped by stock, re-checks explained, sign-in merge."""

from __future__ import annotations

import pytest

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders.exceptions import CartItemNotFound, InvalidQuantity, ItemUnavailable
from marketplace.orders.models import Cart, CartItem
from marketplace.vendors.models import VendorStatus
from tests import factories


def _visitor_cart() -> Cart:
    return carts.get_or_create_cart(None, None)


def test_adding_puts_the_variant_in_with_the_price_seen(app, make_variant):
    variant = make_variant(price_minor=1899, stock=5)
    cart = _visitor_cart()

    notice = carts.add_item(cart, variant.id, 2)

    assert notice.kind == "added"
    [item] = cart.items
    assert (item.variant_id, item.quantity, item.seen_price_minor) == (variant.id, 2, 1899)


def test_adding_again_adds_up_and_is_capped_by_the_stock_left(app, make_variant):
    variant = make_variant(stock=4)
    cart = _visitor_cart()
    carts.add_item(cart, variant.id, 3)

    notice = carts.add_item(cart, variant.id, 3)

    assert cart.items[0].quantity == 4
    assert notice.kind == "capped"
    assert "Only 4" in notice.message


def test_stock_held_by_unpaid_orders_is_not_for_sale(app, make_variant):
    variant = make_variant(stock=3)
    variant.stock_reserved = 3
    db.session.flush()

    with pytest.raises(ItemUnavailable):
        carts.add_item(_visitor_cart(), variant.id, 1)


@pytest.mark.parametrize(
    "change",
    [
        lambda v: setattr(v.product, "status", ProductStatus.DELISTED),
        lambda v: setattr(v.product, "status", ProductStatus.DRAFT),
        lambda v: setattr(v.product.vendor, "status", VendorStatus.SUSPENDED),
        lambda v: setattr(v.product.vendor, "charges_enabled", False),
        lambda v: setattr(v, "stock_on_hand", 0),
    ],
    ids=["delisted", "draft", "vendor-suspended", "vendor-not-payable", "sold-out"],
)
def test_only_purchasable_variants_of_findable_products_can_be_added(app, make_variant, change):
    variant = make_variant()
    change(variant)
    db.session.flush()

    with pytest.raises(ItemUnavailable):
        carts.add_item(_visitor_cart(), variant.id, 1)


def test_a_backorder_variant_can_be_added_beyond_its_stock(app, make_variant):
    variant = make_variant(stock=0)
    variant.allow_backorder = True
    db.session.flush()
    cart = _visitor_cart()

    carts.add_item(cart, variant.id, 5)

    assert cart.items[0].quantity == 5


@pytest.mark.parametrize("quantity", ["0", "-2", "two", ""])
def test_a_bad_quantity_is_refused(app, make_variant, quantity):
    variant = make_variant()
    with pytest.raises(InvalidQuantity):
        carts.add_item(_visitor_cart(), variant.id, quantity)


def test_setting_a_quantity_caps_it_and_zero_removes_the_line(app, make_variant):
    variant = make_variant(stock=6)
    cart = _visitor_cart()
    carts.add_item(cart, variant.id, 1)
    item_id = cart.items[0].id

    capped = carts.set_quantity(cart, item_id, "40")
    assert (capped.kind, cart.items[0].quantity) == ("capped", 6)

    carts.set_quantity(cart, item_id, "0")
    assert cart.items == []


def test_removing_an_item_of_another_cart_is_not_found(app, make_variant):
    variant = make_variant()
    theirs = _visitor_cart()
    carts.add_item(theirs, variant.id, 1)
    mine = _visitor_cart()

    with pytest.raises(CartItemNotFound):
        carts.remove_item(mine, theirs.items[0].id)
    assert len(theirs.items) == 1


def test_review_explains_a_price_rise_once_and_takes_the_new_price(app, make_variant):
    variant = make_variant(price_minor=2000)
    cart = _visitor_cart()
    carts.add_item(cart, variant.id, 1)
    variant.price_minor = 2250
    db.session.flush()

    first = carts.review(cart)
    second = carts.review(cart)

    [notice] = first.notices
    assert notice.kind == "price_up"
    assert "went up from $20.00 to $22.50" in notice.message
    assert cart.items[0].seen_price_minor == 2250
    assert second.notices == []


def test_review_explains_a_price_drop(app, make_variant):
    variant = make_variant(price_minor=2000)
    cart = _visitor_cart()
    carts.add_item(cart, variant.id, 1)
    variant.price_minor = 1500
    db.session.flush()

    [notice] = carts.review(cart).notices

    assert notice.kind == "price_down"
    assert "went down from $20.00 to $15.00" in notice.message


def test_review_lowers_a_quantity_above_the_stock_left_and_says_so(app, make_variant):
    variant = make_variant(stock=5)
    cart = _visitor_cart()
    carts.add_item(cart, variant.id, 5)
    variant.stock_reserved = 3  # another buyer's unpaid order holds 3
    db.session.flush()

    review = carts.review(cart)

    [notice] = review.notices
    assert notice.kind == "reduced"
    assert "quantity went from 5 to 2" in notice.message
    assert cart.items[0].quantity == 2


def test_review_removes_what_can_no_longer_be_bought_and_names_it(app, make_variant):
    kept = make_variant()
    gone = make_variant(title="Walnut Serving Board")
    cart = _visitor_cart()
    carts.add_item(cart, kept.id, 1)
    carts.add_item(cart, gone.id, 1)
    gone.product.status = ProductStatus.DELISTED
    db.session.flush()

    review = carts.review(cart)

    [notice] = review.notices
    assert notice.kind == "removed"
    assert "Walnut Serving Board is no longer available" in notice.message
    assert [line.variant.id for line in review.lines] == [kept.id]
    assert [item.variant_id for item in cart.items] == [kept.id]


def test_review_groups_lines_by_vendor_in_the_order_added(app, make_variant, make_vendor):
    north, south = make_vendor(display_name="North"), make_vendor(display_name="South")
    a = make_variant(vendor=north, price_minor=1000)
    b = make_variant(vendor=south, price_minor=500)
    c = make_variant(vendor=north, price_minor=250)
    cart = _visitor_cart()
    for variant in (a, b, c):
        carts.add_item(cart, variant.id, 2)

    review = carts.review(cart)

    assert [g.vendor.display_name for g in review.groups] == ["North", "South"]
    assert [g.subtotal_minor for g in review.groups] == [2500, 1000]
    assert (review.count, review.subtotal_minor) == (6, 3500)


def test_visitor_cart_is_found_by_token_but_an_accounts_cart_never_is(app, buyer):
    visitor = _visitor_cart()
    account = carts.get_or_create_cart(buyer.id, None)

    assert carts.find_cart(None, visitor.token) is visitor
    assert carts.find_cart(None, account.token) is None
    assert carts.find_cart(buyer.id, visitor.token) is account


def test_the_cookie_value_is_signed_and_tampering_is_ignored(app):
    token = carts.new_token()
    value = carts.sign_token(token)

    assert carts.read_token(value) == token
    assert carts.read_token(value[:-2] + "xx") is None
    assert carts.read_token(token) is None
    assert carts.read_token(None) is None


def test_sign_in_keeps_the_visitors_cart_when_the_account_has_none(app, make_variant, buyer):
    variant = make_variant()
    visitor = _visitor_cart()
    carts.add_item(visitor, variant.id, 2)

    carts.merge_guest_cart(visitor.token, buyer.id)

    cart = carts.find_cart(buyer.id, None)
    assert cart is visitor
    assert [(i.variant_id, i.quantity) for i in cart.items] == [(variant.id, 2)]


def test_sign_in_merges_quantities_capped_by_stock(app, make_variant, buyer):
    shared = make_variant(stock=5, title="Linen Apron")
    only_visitor = make_variant(stock=9)
    account = carts.get_or_create_cart(buyer.id, None)
    carts.add_item(account, shared.id, 3)
    visitor = _visitor_cart()
    carts.add_item(visitor, shared.id, 4)
    carts.add_item(visitor, only_visitor.id, 2)
    visitor_id = visitor.id

    notices = carts.merge_guest_cart(visitor.token, buyer.id)

    quantities = {i.variant_id: i.quantity for i in account.items}
    assert quantities == {shared.id: 5, only_visitor.id: 2}
    assert [n.kind for n in notices] == ["merged", "capped"]
    assert "Only 5 of Linen Apron" in notices[1].message
    assert db.session.get(Cart, visitor_id) is None
    assert db.session.query(CartItem).filter_by(cart_id=visitor_id).count() == 0


def test_merging_without_a_visitor_cart_changes_nothing(app, buyer):
    assert carts.merge_guest_cart(None, buyer.id) == []
    assert carts.merge_guest_cart(carts.new_token(), buyer.id) == []
    assert carts.find_cart(buyer.id, None) is None


def test_item_count_counts_units(app, make_variant, buyer):
    cart = carts.get_or_create_cart(buyer.id, None)
    carts.add_item(cart, make_variant().id, 2)
    carts.add_item(cart, make_variant().id, 3)

    assert carts.item_count(buyer.id, None) == 5
    assert carts.item_count(None, None) == 0
    assert carts.item_count(None, factories.UserFactory().email) == 0
