"""Reservations: paid orders turn them into sales; unpaid ones expire and give the stock back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.catalog.models import Variant
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders import cart as carts
from marketplace.orders import services
from marketplace.orders.exceptions import OrderNotFound, ReservationLost
from marketplace.orders.models import Order, OrderStatus, VendorOrderStatus
from tests import factories


def _stock(variant: Variant) -> tuple[int, int]:
    db.session.refresh(variant)
    return variant.stock_on_hand, variant.stock_reserved


@pytest.fixture
def placed(app, make_variant, buyer, cart_of, address):
    """An unpaid order for 2 of a variant with 5 in stock (and 3 of another with 3)."""
    first = make_variant(stock=5)
    second = make_variant(stock=3)
    order = services.place_order(cart_of(buyer, (first, 2), (second, 3)), buyer, address, {})
    db.session.commit()
    return order, first, second


def _run_out(order: Order) -> None:
    order.reservation_expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()


def test_paying_turns_the_reservation_into_sales(app, placed):
    order, first, second = placed
    paid_at = utcnow()

    services.mark_paid(order.id, paid_at)

    assert order.status == OrderStatus.PAID and order.paid_at == paid_at
    assert [vo.status for vo in order.vendor_orders] == [VendorOrderStatus.PAID] * 2
    assert all(vo.ship_by is not None for vo in order.vendor_orders)
    assert _stock(first) == (3, 0) and _stock(second) == (0, 0)
    assert first.product.sales_count == 2 and second.product.sales_count == 3


def test_paying_twice_changes_nothing_the_second_time(app, placed):
    order, first, _second = placed
    services.mark_paid(order.id, utcnow())
    first_paid_at = order.paid_at

    services.mark_paid(order.id, utcnow() + timedelta(minutes=5))

    assert order.paid_at == first_paid_at
    assert _stock(first) == (3, 0)
    db.session.refresh(first.product)
    assert first.product.sales_count == 2


def test_marking_an_unknown_order_paid_is_refused(app):
    with pytest.raises(OrderNotFound):
        services.mark_paid(987_654, utcnow())


def test_releasing_gives_the_stock_back_once(app, placed):
    order, first, second = placed

    assert services.release_reservations(order) is True
    assert services.release_reservations(order) is False

    assert order.status == OrderStatus.CANCELLED
    assert [vo.status for vo in order.vendor_orders] == [VendorOrderStatus.CANCELLED] * 2
    assert _stock(first) == (5, 0) and _stock(second) == (3, 0)


def test_a_paid_order_cannot_be_released(app, placed):
    order, first, _second = placed
    services.mark_paid(order.id, utcnow())

    assert services.release_reservations(order) is False
    assert order.status == OrderStatus.PAID
    assert _stock(first) == (3, 0)


def test_expiry_releases_only_orders_whose_time_ran_out(app, make_variant, buyer, cart_of, address):
    variant = make_variant(stock=10)
    late = services.place_order(cart_of(buyer, (variant, 2)), buyer, address, {})
    fresh = services.place_order(cart_of(buyer, (variant, 3)), buyer, address, {})
    _run_out(late)

    assert services.expire_reservations(utcnow()) == 1
    assert services.expire_reservations(utcnow()) == 0

    assert (late.status, fresh.status) == (OrderStatus.EXPIRED, OrderStatus.PENDING_PAYMENT)
    assert _stock(variant) == (10, 3)


def test_expiry_narrowed_to_variants_leaves_other_orders_for_the_sweep(
    app, placed, make_variant, buyer, cart_of, address
):
    order, _first, _second = placed
    other_variant = make_variant(stock=4)
    other = services.place_order(cart_of(buyer, (other_variant, 1)), buyer, address, {})
    _run_out(order)
    _run_out(other)

    assert services.expire_reservations(utcnow(), variant_ids=[other_variant.id]) == 1

    assert other.status == OrderStatus.EXPIRED
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert services.expire_reservations(utcnow(), variant_ids=[]) == 0


def test_reading_the_cart_expires_what_ran_out_before_showing_stock(
    app, make_variant, buyer, cart_of, address
):
    variant = make_variant(stock=2)
    order = services.place_order(cart_of(buyer, (variant, 2)), buyer, address, {})
    _run_out(order)
    shopper = factories.UserFactory()
    cart = carts.get_or_create_cart(shopper.id, None)

    carts.add_item(cart, variant.id, 2)  # the held units are free again

    assert order.status == OrderStatus.EXPIRED
    assert cart.items[0].quantity == 2


def test_a_payment_after_expiry_takes_the_stock_again_when_it_is_still_there(app, placed):
    order, first, second = placed
    _run_out(order)
    services.expire_reservations(utcnow())
    assert _stock(first) == (5, 0)

    services.mark_paid(order.id, utcnow())

    assert order.status == OrderStatus.PAID
    assert _stock(first) == (3, 0) and _stock(second) == (0, 0)


def test_a_payment_after_expiry_for_sold_out_stock_is_refused_and_changes_nothing(app, placed):
    order, first, second = placed
    _run_out(order)
    services.expire_reservations(utcnow())
    second.stock_reserved = 2  # someone else holds most of it now
    db.session.flush()

    with pytest.raises(ReservationLost):
        services.mark_paid(order.id, utcnow())

    assert order.status == OrderStatus.EXPIRED
    assert _stock(first) == (5, 0) and _stock(second) == (3, 2)


def test_is_expired_sees_a_run_out_order_before_the_sweep(app, placed):
    order, _first, _second = placed
    assert not services.is_expired(order)
    _run_out(order)
    assert services.is_expired(order)


def test_the_cli_expires_and_prints_the_count(app, placed):
    order, first, _second = placed
    _run_out(order)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["orders", "expire-reservations"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "expired=1"
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.EXPIRED
    assert _stock(first) == (5, 0)
