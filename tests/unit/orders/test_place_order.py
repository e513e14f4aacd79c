"""place_order: one order per checkout, one vendor order per shop, snapshots, stock held —
all or nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import ProductStatus, Variant
from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.exceptions import (
    CartEmpty,
    InvalidAddress,
    LineNotPlaceable,
    OutOfStock,
    PriceChanged,
    ShippingUnavailable,
)
from marketplace.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    ShippingRate,
    TaxRate,
    VendorOrder,
    VendorOrderStatus,
)
from marketplace.payouts.commission import set_commission_rule


def _counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Order, VendorOrder, OrderLine)
    )


def _stock(variant: Variant) -> tuple[int, int]:
    db.session.refresh(variant)
    return variant.stock_on_hand, variant.stock_reserved


@pytest.fixture
def priced(app):
    """A marketplace with a default commission and an 8.25% sales tax in the US."""
    set_commission_rule(1000, 30)
    db.session.add(TaxRate(country="US", region="", name="Sales tax", rate_bps=825))
    db.session.flush()


def test_placing_an_order_splits_it_per_vendor_with_snapshots(
    app, priced, make_vendor, make_variant, buyer, cart_of, address
):
    north, south = make_vendor(display_name="North"), make_vendor(display_name="South")
    mug = make_variant(vendor=north, price_minor=2400, stock=5, title="Speckled Mug")
    bowl = make_variant(vendor=north, price_minor=1800, stock=5)
    tent = make_variant(vendor=south, price_minor=15_000, stock=2, title="Two-Person Tent")
    cart = cart_of(buyer, (mug, 2), (bowl, 1), (tent, 1))

    order = services.place_order(cart, buyer, address, {})

    assert re.fullmatch(r"MP-\d{8}-[0-9A-HJKMNP-TV-Z]{8}", order.number)
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.buyer_id == buyer.id and order.email == buyer.email
    assert order.shipping_address["postal_code"] == "97205"
    assert order.reservation_expires_at > order.created_at
    north_part, south_part = order.vendor_orders
    assert (north_part.vendor_id, south_part.vendor_id) == (north.id, south.id)
    assert north_part.subtotal_minor == 2 * 2400 + 1800
    assert north_part.shipping_minor == 599 and south_part.shipping_minor == 0  # free from $75
    assert north_part.status == VendorOrderStatus.PENDING_PAYMENT
    line = north_part.lines[0]
    assert (line.title, line.sku, line.unit_price_minor, line.quantity) == (
        "Speckled Mug",
        mug.sku,
        2400,
        2,
    )
    assert line.line_total_minor == 4800 and line.tax_minor == 396  # 8.25% of 48.00
    assert line.reserved_quantity == 2
    assert order.grand_total_minor == (
        order.items_total_minor + order.shipping_total_minor + order.tax_total_minor
    )
    assert services.order_totals_reconcile(order)
    assert _stock(mug) == (5, 2) and _stock(tent) == (2, 1)
    assert cart.items == []


def test_a_later_price_change_does_not_touch_a_placed_order(
    app, make_variant, buyer, cart_of, address
):
    variant = make_variant(price_minor=2400, title="Speckled Mug")
    order = services.place_order(cart_of(buyer, (variant, 1)), buyer, address, {})

    variant.price_minor = 9900
    variant.product.title = "Renamed"
    db.session.flush()
    db.session.refresh(order)

    line = order.vendor_orders[0].lines[0]
    assert (line.unit_price_minor, line.title) == (2400, "Speckled Mug")


def test_an_empty_cart_is_refused(app, buyer, cart_of, address):
    with pytest.raises(CartEmpty):
        services.place_order(cart_of(buyer), buyer, address, {})


def test_one_line_sold_out_meanwhile_means_nothing_is_reserved_or_written(
    app, make_vendor, make_variant, buyer, cart_of, address
):
    shop = make_vendor()
    first = make_variant(vendor=shop, stock=5)
    last_unit = make_variant(vendor=shop, stock=1, title="Last Lamp")
    third = make_variant(stock=4)
    cart = cart_of(buyer, (first, 2), (last_unit, 1), (third, 3))
    # Another buyer's order takes the last lamp after this cart was filled; the cart still
    # shows it (the buyer hasn't looked again), so the reservation itself must refuse.
    db.session.execute(
        Variant.__table__.update().where(Variant.id == last_unit.id).values(stock_reserved=1)
    )

    with pytest.raises(OutOfStock) as caught:
        services.place_order(cart, buyer, address, {})

    assert caught.value.line == "Last Lamp"
    assert "Last Lamp" in caught.value.message
    assert _counts() == (0, 0, 0)
    assert _stock(first) == (5, 0) and _stock(third) == (4, 0)
    assert _stock(last_unit) == (1, 1)
    assert len(cart.items) == 3


def test_the_reservation_itself_refuses_when_stock_went_between_check_and_update(
    app, make_variant, buyer, cart_of, address, monkeypatch
):
    """The conditional UPDATE is the real guard: even when the checks passed, a line whose
    stock is gone when its UPDATE runs rolls back the lines already held."""
    from marketplace.orders import reservations

    first, second = make_variant(stock=3), make_variant(stock=3, title="Teak Stool")
    cart = cart_of(buyer, (first, 3), (second, 3))
    real_take = reservations._take

    def take_after_a_rival(variant_id: int, quantity: int) -> bool:
        if variant_id == second.id:  # a rival buyer's commit lands just before this UPDATE
            db.session.execute(
                Variant.__table__.update().where(Variant.id == second.id).values(stock_reserved=1)
            )
        return real_take(variant_id, quantity)

    monkeypatch.setattr(reservations, "_take", take_after_a_rival)

    with pytest.raises(OutOfStock) as caught:
        services.place_order(cart, buyer, address, {})

    assert caught.value.line == "Teak Stool"
    assert "only 2 left" in caught.value.message
    assert _stock(first) == (3, 0)
    assert _counts() == (0, 0, 0)


def test_a_price_changed_since_the_buyer_saw_it_stops_the_order_and_names_the_line(
    app, make_variant, buyer, cart_of, address
):
    steady = make_variant(price_minor=1000)
    moved = make_variant(price_minor=1000, title="Brass Lamp")
    cart = cart_of(buyer, (steady, 1), (moved, 1))
    moved.price_minor = 1200
    db.session.flush()

    with pytest.raises(PriceChanged) as caught:
        services.place_order(cart, buyer, address, {})

    assert caught.value.line == "Brass Lamp"
    assert "changed from $10.00 to $12.00" in caught.value.message
    assert _counts() == (0, 0, 0)
    assert _stock(steady) == (10, 0)


def test_a_delisted_line_stops_the_order(app, make_variant, buyer, cart_of, address):
    variant = make_variant(title="Oak Shelf")
    cart = cart_of(buyer, (variant, 1))
    variant.product.status = ProductStatus.DELISTED
    db.session.flush()

    with pytest.raises(LineNotPlaceable, match="Oak Shelf is no longer available"):
        services.place_order(cart, buyer, address, {})
    assert _counts() == (0, 0, 0)


def test_a_vendor_that_does_not_ship_to_the_address_stops_the_order(
    app, make_vendor, make_variant, buyer, cart_of, address
):
    shop = make_vendor(display_name="Local Only")
    db.session.add(ShippingRate(vendor_id=shop.id, country="CA", name="Standard", rate_minor=900))
    variant = make_variant(vendor=shop)
    cart = cart_of(buyer, (variant, 1))

    with pytest.raises(ShippingUnavailable, match="Local Only doesn't ship to United States"):
        services.place_order(cart, buyer, address, {})
    assert _counts() == (0, 0, 0)
    assert _stock(variant) == (10, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [("postal_code", "ABC"), ("region", ""), ("country", "XX"), ("line1", ""), ("name", " ")],
)
def test_a_bad_address_stops_the_order(app, make_variant, buyer, cart_of, address, field, value):
    cart = cart_of(buyer, (make_variant(), 1))
    data = {**address.to_dict(), field: value}

    with pytest.raises(InvalidAddress) as caught:
        services.place_order(cart, buyer, data, {})

    assert caught.value.field == field
    assert _counts() == (0, 0, 0)


def test_a_backorder_line_holds_what_is_left_and_owes_the_rest(
    app, make_variant, buyer, cart_of, address
):
    variant = make_variant(stock=2)
    variant.allow_backorder = True
    db.session.flush()
    cart = cart_of(buyer, (variant, 5))

    order = services.place_order(cart, buyer, address, {})

    line = order.vendor_orders[0].lines[0]
    assert (line.quantity, line.reserved_quantity) == (5, 2)
    assert _stock(variant) == (2, 2)


def test_order_numbers_differ(app, make_variant, buyer, cart_of, address):
    variant = make_variant(stock=50)
    numbers = {
        services.place_order(cart_of(buyer, (variant, 1)), buyer, address, {}).number
        for _ in range(5)
    }
    assert len(numbers) == 5


def test_reconcile_catches_a_total_that_does_not_add_up(
    app, priced, make_variant, buyer, cart_of, address
):
    order = services.place_order(cart_of(buyer, (make_variant(), 2)), buyer, address, {})
    assert services.order_totals_reconcile(order)

    order.vendor_orders[0].commission_minor += 1  # the net no longer adds up
    assert not services.order_totals_reconcile(order)
    order.vendor_orders[0].commission_minor -= 1
    order.vendor_orders[0].lines[0].line_total_minor += 1
    assert not services.order_totals_reconcile(order)
