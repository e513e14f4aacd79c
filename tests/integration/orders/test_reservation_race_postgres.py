"""On PostgreSQL, buyers racing for the last units: the conditional UPDATE lets exactly as many
win as there are units, the others are refused cleanly, and nothing deadlocks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.catalog.models import Variant
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders import cart as carts
from marketplace.orders import services
from marketplace.orders.addresses import Address
from marketplace.orders.exceptions import OutOfStock
from marketplace.orders.models import Order, OrderStatus
from tests import factories

pytestmark = pytest.mark.integration

ADDRESS = Address(
    name="Ava Morgan",
    line1="1 Main St",
    city="Portland",
    region="OR",
    postal_code="97205",
    country="US",
)


def _variant(stock: int) -> int:
    product = factories.ProductFactory()
    return factories.VariantFactory(product=product, stock_on_hand=stock).id


def _buyers_with_carts(items: list[list[tuple[int, int]]]) -> list[int]:
    """One buyer per entry, each with a cart of (variant id, quantity); returns the user ids."""
    ids = []
    for wanted in items:
        user = factories.UserFactory()
        cart = carts.get_or_create_cart(user.id, None)
        for variant_id, quantity in wanted:
            carts.add_item(cart, variant_id, quantity)
        ids.append(user.id)
    db.session.commit()
    return ids


def _race(app: Flask, user_ids: list[int], attempt: Callable[[int], str]) -> list[str]:
    """Run `attempt(user_id)` in one thread per buyer, all released at once."""
    barrier = threading.Barrier(len(user_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(user_id: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                result = attempt(user_id)
            except Exception as error:  # reported in the outcomes, never swallowed
                db.session.rollback()
                result = f"error:{type(error).__name__}:{error}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _checkout(user_id: int) -> str:
    from marketplace.accounts.models import User

    user = db.session.get(User, user_id)
    try:
        services.place_order(carts.find_cart(user_id, None), user, ADDRESS, {})
    except OutOfStock:
        db.session.rollback()
        return "refused"
    db.session.commit()
    return "placed"


def test_eight_buyers_for_the_last_unit_exactly_one_wins(pg_app):
    variant_id = _variant(stock=1)
    buyers = _buyers_with_carts([[(variant_id, 1)]] * 8)

    outcomes = _race(pg_app, buyers, _checkout)

    assert sorted(outcomes) == ["placed"] + ["refused"] * 7
    db.session.expire_all()
    variant = db.session.get(Variant, variant_id)
    assert (variant.stock_on_hand, variant.stock_reserved) == (1, 1)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_overlapping_carts_in_opposite_orders_never_deadlock_or_oversell(pg_app):
    first, second = _variant(stock=3), _variant(stock=3)
    buyers = _buyers_with_carts(
        [[(first, 1), (second, 1)] if n % 2 else [(second, 1), (first, 1)] for n in range(6)]
    )

    outcomes = _race(pg_app, buyers, _checkout)

    assert sorted(outcomes) == ["placed"] * 3 + ["refused"] * 3
    db.session.expire_all()
    assert [db.session.get(Variant, v).stock_reserved for v in (first, second)] == [3, 3]


def test_paying_and_expiring_the_same_order_at_once_lets_exactly_one_happen(pg_app):
    variant_id = _variant(stock=2)
    [buyer] = _buyers_with_carts([[(variant_id, 2)]])
    assert _checkout(buyer) == "placed"
    order = db.session.scalars(select(Order)).one()
    order.reservation_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    order_id = order.id

    def pay_or_expire(actor: int) -> str:
        if actor == 1:
            services.mark_paid(order_id, utcnow())
        else:
            services.expire_reservations(utcnow())
        db.session.commit()
        return "done"

    assert _race(pg_app, [1, 2], pay_or_expire) == ["done", "done"]

    db.session.expire_all()
    order = db.session.get(Order, order_id)
    variant = db.session.get(Variant, variant_id)
    # Whichever ran first, the order ends paid and its two units are sold exactly once: paid
    # first (the sweep then finds nothing), or expired first (the payment takes them again).
    assert order.status == OrderStatus.PAID
    assert (variant.stock_on_hand, variant.stock_reserved) == (0, 0)
    assert variant.product.sales_count == 2
