"""Buyers racing for the last units: many processes check out and pay at the same moment.

    python bench/checkout_race.py --buyers 50 --stock 10

Uses PostgreSQL when DATABASE_URL names a server (a fresh database is created there and dropped
afterwards), else a SQLite file in a temporary folder. It seeds one shop with an enabled offline
payout account and one product with `--stock` units, and `--buyers` buyers with one unit each in
their cart. Then one process per buyer, all released together, runs the real checkout:
`orders.services.place_order` (the atomic reservation), `payments.services.start_payment` and the
offline gateway's card payment (`payments.offline_checkout.pay` with the success test card),
whose signed `payment_intent.succeeded` event marks the order paid and books the ledger.

Afterwards everything is counted from the database, never from what the processes reported:

- sold: units in paid orders;
- oversold: units sold beyond the stock, plus units missing from or left over in stock;
- failed_cleanly: buyers without any order or payment whose cart still holds their unit;
- lost: succeeded payments whose order isn't paid, plus paid orders without a succeeded payment
  of their whole total.

Details go to standard error; the last line of standard output is
`sold=S oversold=O failed_cleanly=F lost=L`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace import create_app
from marketplace.accounts.models import User
from marketplace.catalog.models import Category, Product, ProductStatus, Variant
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders import cart as carts
from marketplace.orders import services as orders
from marketplace.orders.addresses import Address
from marketplace.orders.models import (
    Cart,
    CartItem,
    Order,
    OrderLine,
    OrderStatus,
    TaxRate,
    VendorOrder,
)
from marketplace.payments import connect, offline_checkout
from marketplace.payments import services as payments
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import Payment, PaymentStatus
from marketplace.payments.offline import TEST_ACCOUNT_NUMBER, TEST_ROUTING_NUMBER, PayoutDetails
from marketplace.payouts.audit import verify as verify_ledger
from marketplace.payouts.commission import set_commission_rule
from marketplace.vendors.models import Vendor, VendorStatus

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SUCCESS_CARD = "4242 4242 4242 4242"
ADDRESS = Address(
    name="Race Buyer",
    line1="1 Main Street",
    city="Portland",
    region="OR",
    postal_code="97205",
    country="US",
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def database(folder: Path):
    """A fresh PostgreSQL database (DATABASE_URL's server) or SQLite file; yields its URI."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres", "postgresql")):
        yield f"sqlite:///{folder / 'race.db'}"
        return
    base = make_url(
        server.replace("postgresql://", "postgresql+psycopg://", 1).replace(
            "postgres://", "postgresql+psycopg://", 1
        )
    )
    name = f"checkout_race_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def settings(uri: str, folder: Path) -> dict[str, Any]:
    """The embedded default (offline gateway, inline jobs) on the bench's own database."""
    engine_options: dict[str, Any] = {"pool_pre_ping": True}
    if uri.startswith("sqlite"):
        engine_options["connect_args"] = {"timeout": 120}  # writers queue for the file lock
    return {
        "ENV_NAME": "test",
        "SQLALCHEMY_DATABASE_URI": uri,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "INSTANCE_DIR": folder / "instance",
        "UPLOAD_DIR": folder / "uploads",
        "REDIS_URL": None,
        "STRIPE_SECRET_KEY": None,
        "SERVER_NAME": "localhost",
    }


def onboard_offline(vendor: Any) -> None:
    """An enabled payout account at the offline gateway, as its confirmation page makes one."""
    gateway = get_gateway()
    vendor.payout_account_id = gateway.create_connected_account(vendor)
    vendor.payout_gateway = gateway.name
    details = PayoutDetails("Race Shop", TEST_ROUTING_NUMBER, TEST_ACCOUNT_NUMBER)
    connect.handle_gateway_event(gateway.complete_onboarding(vendor.payout_account_id, details))


def _user(email: str, name: str) -> User:
    user = User(email=email, password_hash="!", display_name=name)  # nobody signs in here
    db.session.add(user)
    return user


def seed(buyers: int, stock: int) -> tuple[int, list[int]]:
    """One shop and product with `stock` units; `buyers` buyers with one unit in their cart."""
    set_commission_rule(1000, 30)
    db.session.add(TaxRate(country="US", region="", name="Sales tax", rate_bps=800))
    vendor = Vendor(
        owner=_user("race-shop@example.com", "Race Shop"),
        slug="last-units-shop",
        display_name="Last Units Shop",
        business_name="Last Units Shop LLC",
        country="US",
        contact_email="race-shop@example.com",
        status=VendorStatus.APPROVED,
        approved_at=utcnow(),
    )
    category = Category(name="Prints", slug="prints", path="prints")
    db.session.add_all([vendor, category])
    db.session.flush()
    onboard_offline(vendor)
    product = Product(
        vendor=vendor,
        category=category,
        title="Limited Edition Print",
        slug="limited-edition-print",
        status=ProductStatus.LIVE,
        published_at=utcnow(),
    )
    variant = Variant(
        product=product, vendor_id=vendor.id, sku="PRINT-1", price_minor=4500, stock_on_hand=stock
    )
    db.session.add_all([product, variant])
    db.session.flush()
    user_ids = []
    for number in range(buyers):
        user = _user(f"race-buyer{number}@example.com", f"Buyer {number}")
        db.session.flush()
        cart = carts.get_or_create_cart(user.id, None)
        carts.add_item(cart, variant.id, 1)
        user_ids.append(user.id)
    db.session.commit()
    return variant.id, user_ids


def buy(config: dict[str, Any], user_id: int, barrier: Any, results: Any) -> None:
    """One buyer's process: check out, start the payment, pay with the success card."""
    app = create_app(config)
    with app.app_context():
        user = db.session.get(User, user_id)
        cart = carts.find_cart(user_id, None)
        db.session.commit()  # end the read transaction before the race starts
        barrier.wait()
        started = time.perf_counter()
        try:
            order = orders.place_order(cart, user, ADDRESS, {})
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            results.put((user_id, "refused", type(error).__name__, time.perf_counter() - started))
            return
        except Exception as error:  # reported: a crash is not a clean failure
            db.session.rollback()
            results.put((user_id, "error", repr(error), time.perf_counter() - started))
            return
        try:
            start = payments.start_payment(order.id)
            db.session.commit()
            reference = db.session.get(Payment, start.payment_id).session_reference
            offline_checkout.pay(reference, user_id, SUCCESS_CARD)
            db.session.commit()
            outcome = ("paid", order.number)
        except Exception as error:  # reported: an order left unpaid shows up in the counts
            db.session.rollback()
            outcome = ("error", repr(error))
        results.put((user_id, *outcome, time.perf_counter() - started))


def race(config: dict[str, Any], user_ids: list[int]) -> tuple[list[tuple], float]:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(user_ids))
    results = context.Queue()
    processes = [
        context.Process(target=buy, args=(config, user_id, barrier, results))
        for user_id in user_ids
    ]
    for process in processes:
        process.start()
    started = time.perf_counter()
    outcomes = [results.get(timeout=600) for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join(timeout=60)
    return outcomes, elapsed


def audit(variant_id: int, stock: int, user_ids: list[int]) -> dict[str, int]:
    """The figures, from the database alone."""
    db.session.expire_all()
    variant = db.session.get(Variant, variant_id)
    paid = [OrderStatus.PAID]
    sold = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
        .join(Order, Order.id == VendorOrder.order_id)
        .where(Order.status.in_(paid), OrderLine.variant_id == variant_id)
    )
    held = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.reserved_quantity), 0))
        .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
        .join(Order, Order.id == VendorOrder.order_id)
        .where(Order.status == OrderStatus.PENDING_PAYMENT, OrderLine.variant_id == variant_id)
    )
    stock_error = abs((stock - sold) - variant.stock_on_hand) + abs(held - variant.stock_reserved)
    log(
        f"stock_on_hand={variant.stock_on_hand} stock_reserved={variant.stock_reserved} "
        f"held_by_unpaid_orders={held}"
    )
    return {
        "sold": int(sold),
        "oversold": max(0, int(sold) - stock) + stock_error,
        "failed_cleanly": _failed_cleanly(variant_id, user_ids),
        "lost": _lost(),
    }


def _failed_cleanly(variant_id: int, user_ids: list[int]) -> int:
    with_orders = set(
        db.session.scalars(select(Order.buyer_id).where(Order.buyer_id.in_(user_ids)))
    )
    still_in_cart = set(
        db.session.scalars(
            select(Cart.user_id)
            .join(CartItem, CartItem.cart_id == Cart.id)
            .where(
                Cart.user_id.in_(user_ids),
                CartItem.variant_id == variant_id,
                CartItem.quantity == 1,
            )
        )
    )
    return sum(1 for uid in user_ids if uid not in with_orders and uid in still_in_cart)


def _lost() -> int:
    succeeded = db.session.execute(
        select(Payment.order_id, Payment.amount_minor).where(
            Payment.status == PaymentStatus.SUCCEEDED
        )
    ).all()
    paid_orders = dict(
        db.session.execute(
            select(Order.id, Order.grand_total_minor).where(Order.status == OrderStatus.PAID)
        ).all()
    )
    money_without_order = sum(1 for order_id, _ in succeeded if order_id not in paid_orders)
    taken = {order_id: amount for order_id, amount in succeeded}
    order_without_money = sum(
        1 for order_id, total in paid_orders.items() if taken.get(order_id) != total
    )
    return money_without_order + order_without_money


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--stock", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="checkout-race-") as tmp, database(Path(tmp)) as uri:
        config = settings(uri, Path(tmp))
        app = create_app(config)
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            variant_id, user_ids = seed(args.buyers, args.stock)
            db.session.remove()
            db.engine.dispose()  # the forked buyers open connections of their own
        log(f"database={make_url(uri).get_backend_name()} buyers={args.buyers} stock={args.stock}")
        outcomes, elapsed = race(config, user_ids)
        kinds = [outcome[1] for outcome in outcomes]
        log(
            f"seconds={elapsed:.2f} reported: paid={kinds.count('paid')} "
            f"refused={kinds.count('refused')} errors={kinds.count('error')}"
        )
        for outcome in outcomes:
            if outcome[1] == "error":
                log(f"buyer {outcome[0]}: {outcome[2]}")
        with app.app_context():
            figures = audit(variant_id, args.stock, user_ids)
            log(f"ledger: {verify_ledger().summary()}")
            db.session.remove()
            db.engine.dispose()
    print(" ".join(f"{key}={value}" for key, value in figures.items()), flush=True)


if __name__ == "__main__":
    main()
