"""A full payout run over a large marketplace: release what is due, then pay every vendor.

    python bench/payout_run.py --vendors 2000 --orders 100000
    python bench/payout_run.py --vendors 2000 --orders 100000 --backlog   # everything due at once
    python bench/payout_run.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Builds a fresh database (a SQLite file in a temporary folder, or a database of its own on the
PostgreSQL server of `--database-url` / DATABASE_URL, dropped afterwards) with the migrations,
then bulk-inserts what checkout, fulfilment and earlier runs would have left: `--vendors`
approved shops with enabled payout accounts at the offline gateway, `--orders` paid one-shop
orders (payment, fee and split booked in the ledger, a succeeded charge at the gateway), all
delivered over the last 90 days. Orders delivered more than 37 days ago were released by earlier
runs (their transfers are booked); those delivered 30 to 37 days ago are due now. `--backlog`
leaves every order unreleased (the worst case: a first run on a busy marketplace).

It times one real `run_payouts()` (release through the gateway with a transfer per vendor order,
then one payout per vendor) and prints

    vendors=N orders=M released=R paid_vendors=P paid_minor=X seconds=S

(seeding time and the run's skipped reasons go to standard error).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout_race import database, log, settings  # a sibling script
from flask_migrate import upgrade
from sqlalchemy import String, insert, select

from marketplace import create_app
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, VendorOrder
from marketplace.payments.models import OfflineGatewayObject, Payment, WebhookEvent
from marketplace.payouts.models import (
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    PayoutSettings,
    Transfer,
)
from marketplace.vendors.models import Vendor

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
CURRENCY = "USD"
BATCH = 5000


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start : start + BATCH])


def _ids(model: Any, column: Any) -> list[int]:
    return list(db.session.scalars(select(column).order_by(column)))


def seed_vendors(count: int) -> list[int]:
    now = utcnow()
    _insert(
        User,
        [
            {
                "email": f"bench-shop-{i}@example.com",
                "password_hash": "!",
                "display_name": f"Shop {i}",
                "is_admin": False,
                "created_at": now,
            }
            for i in range(count + 1)
        ],
    )
    users = _ids(User, User.id)
    _insert(
        Vendor,
        [
            {
                "owner_id": user_id,
                "slug": f"bench-shop-{i}",
                "display_name": f"Bench Shop {i}",
                "business_name": f"Bench Shop {i} LLC",
                "country": "US",
                "contact_email": f"bench-shop-{i}@example.com",
                "description": "",
                "status": "approved",
                "payout_gateway": "offline",
                "payout_account_id": None,
                "charges_enabled": True,
                "payouts_enabled": True,
                "strikes": 0,
                "handling_days": 2,
                "created_at": now,
                "approved_at": now,
            }
            for i, user_id in enumerate(users[1:])
        ],
    )
    vendors = _ids(Vendor, Vendor.id)
    db.session.execute(
        Vendor.__table__.update().values(payout_account_id="acct_offline_" + Vendor.id.cast(String))
    )
    _insert(
        WebhookEvent,
        [
            {
                "provider": "offline",
                "event_id": f"evt_bench_account_{v}",
                "type": "account.updated",
                "received_at": now,
                "payload": {
                    "id": f"evt_bench_account_{v}",
                    "type": "account.updated",
                    "created": 1,
                    "data": {
                        "object": {
                            "id": f"acct_offline_{v}",
                            "charges_enabled": True,
                            "payouts_enabled": True,
                            "details_submitted": True,
                        }
                    },
                },
            }
            for v in vendors
        ],
    )
    # Daily payouts, so that every vendor is due whatever the weekday.
    _insert(
        PayoutSettings,
        [
            {"vendor_id": v, "schedule": "daily", "weekday": 0, "month_day": 1, "updated_at": now}
            for v in vendors
        ],
    )
    return vendors


def _accounts(vendors: list[int]) -> dict[str, int]:
    codes = [
        "platform:cash",
        "platform:commission",
        "platform:gateway_fees",
        "platform:tax_payable",
    ]
    rows = [
        {"code": c, "name": c, "kind": k, "currency": CURRENCY, "vendor_id": None}
        for c, k in zip(codes, ["asset", "revenue", "expense", "liability"], strict=True)
    ]
    for v in vendors:
        for name, kind in (("payable", "liability"), ("balance", "liability")):
            rows.append(
                {
                    "code": f"vendor:{v}:{name}",
                    "name": f"Vendor {v} {name}",
                    "kind": kind,
                    "currency": CURRENCY,
                    "vendor_id": v,
                }
            )
    _insert(LedgerAccount, rows)
    return dict(db.session.execute(select(LedgerAccount.code, LedgerAccount.id)).all())


def seed_orders(vendors: list[int], count: int, *, backlog: bool, seed: int) -> None:
    rng = random.Random(seed)
    now = utcnow()
    buyer = db.session.scalar(select(User.id).order_by(User.id).limit(1))
    accounts = _accounts(vendors)
    orders, vendor_orders, payments, charges, ages = [], [], [], [], []
    for i in range(1, count + 1):
        vendor = vendors[i % len(vendors)]
        subtotal = rng.randrange(500, 20000)
        shipping = rng.choice((0, 0, 499))
        tax = subtotal * 8 // 100
        commission = subtotal // 10 + 30
        total = subtotal + shipping + tax
        age = timedelta(days=rng.uniform(0, 90))
        ages.append(age)
        paid_at = now - age - timedelta(days=3)
        orders.append(
            {
                "id": i,
                "number": f"B{i:08d}",
                "buyer_id": buyer,
                "status": "paid",
                "currency": CURRENCY,
                "items_total_minor": subtotal,
                "shipping_total_minor": shipping,
                "tax_total_minor": tax,
                "grand_total_minor": total,
                "email": "buyer@example.com",
                "shipping_address": {},
                "created_at": paid_at,
                "paid_at": paid_at,
            }
        )
        vendor_orders.append(
            {
                "id": i,
                "order_id": i,
                "vendor_id": vendor,
                "status": "delivered",
                "currency": CURRENCY,
                "subtotal_minor": subtotal,
                "shipping_minor": shipping,
                "tax_minor": tax,
                "commission_minor": commission,
                "vendor_net_minor": subtotal + shipping - commission,
                "created_at": paid_at,
                "delivered_at": now - age,
            }
        )
        payments.append(
            {
                "id": i,
                "order_id": i,
                "gateway": "offline",
                "gateway_reference": f"pi_b{i}",
                "charge_reference": f"ch_b{i}",
                "amount_minor": total,
                "fee_minor": 0,
                "currency": CURRENCY,
                "status": "succeeded",
                "idempotency_key": f"order:{i}:pi",
                "created_at": paid_at,
                "updated_at": paid_at,
                "succeeded_at": paid_at,
            }
        )
        charges.append(
            {
                "object_id": f"ch_b{i}",
                "kind": "charge",
                "idempotency_key": None,
                "created_at": paid_at,
                "updated_at": paid_at,
                "data": {
                    "id": f"ch_b{i}",
                    "object": "charge",
                    "amount": total,
                    "currency": "usd",
                    "status": "succeeded",
                    "transferred": 0,
                },
            }
        )
    _insert(Order, orders)
    _insert(VendorOrder, vendor_orders)
    _insert(Payment, payments)
    _insert(OfflineGatewayObject, charges)
    _book(vendor_orders, orders, accounts, ages, backlog=backlog)


def _book(vendor_orders, orders, accounts, ages, *, backlog: bool) -> None:
    """The ledger as checkout (payment, split) and earlier releases (transfer) left it."""
    txns, entries, transfers = [], [], []
    txn_id = 0
    for vo, order, age in zip(vendor_orders, orders, ages, strict=True):
        i, vendor, net = vo["id"], vo["vendor_id"], vo["vendor_net_minor"]
        clearing = f"order:{i}:clearing"
        postings = [
            (
                f"payment:{i}",
                "payment",
                [
                    ("platform:cash", order["grand_total_minor"]),
                    (clearing, -order["grand_total_minor"]),
                ],
            ),
            (
                f"order:{i}:split",
                "order_split",
                [
                    (clearing, order["grand_total_minor"]),
                    (f"vendor:{vendor}:payable", -net),
                    ("platform:commission", -vo["commission_minor"]),
                    ("platform:tax_payable", -vo["tax_minor"]),
                ],
            ),
        ]
        if not backlog and age > timedelta(days=37):
            postings.append(
                (
                    f"transfer:{i}",
                    "transfer",
                    [(f"vendor:{vendor}:payable", net), (f"vendor:{vendor}:balance", -net)],
                )
            )
            transfers.append(
                {
                    "id": i,
                    "vendor_order_id": i,
                    "vendor_id": vendor,
                    "amount_minor": net,
                    "currency": CURRENCY,
                    "status": "succeeded",
                    "gateway_reference": f"tr_b{i}",
                    "idempotency_key": f"order:{i}:transfer:{vendor}",
                    "created_at": vo["delivered_at"] + timedelta(days=37),
                }
            )
        for reference, kind, lines in postings:
            txn_id += 1
            txns.append(
                {
                    "id": txn_id,
                    "reference": reference,
                    "kind": kind,
                    "description": kind,
                    "order_id": i,
                    "created_at": vo["created_at"],
                }
            )
            entries.extend(
                {
                    "transaction_id": txn_id,
                    "account_id": code,
                    "amount_minor": amount,
                    "currency": CURRENCY,
                }
                for code, amount in lines
                if amount
            )
    clearing_codes = [
        {
            "code": f"order:{vo['id']}:clearing",
            "name": "clearing",
            "kind": "liability",
            "currency": CURRENCY,
            "vendor_id": None,
        }
        for vo in vendor_orders
    ]
    _insert(LedgerAccount, clearing_codes)
    accounts.update(db.session.execute(select(LedgerAccount.code, LedgerAccount.id)).all())
    for entry in entries:  # account codes to ids, now that the clearing accounts have theirs
        entry["account_id"] = accounts[entry["account_id"]]
    _insert(LedgerTransaction, txns)
    _insert(LedgerEntry, entries)
    _insert(Transfer, transfers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vendors", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--backlog", action="store_true", help="nothing released before the run")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    with tempfile.TemporaryDirectory() as tmp, database(Path(tmp)) as uri:
        app = create_app(settings(uri, Path(tmp)))
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            started = time.perf_counter()
            vendors = seed_vendors(args.vendors)
            seed_orders(vendors, args.orders, backlog=args.backlog, seed=args.seed)
            db.session.commit()
            log(
                f"seeded {args.vendors} vendors and {args.orders} orders in "
                f"{time.perf_counter() - started:.1f}s"
            )
            from marketplace.payouts.runs import run_payouts

            started = time.perf_counter()
            result = run_payouts()
            seconds = time.perf_counter() - started
            log(f"skipped: {dict(result.skipped_reasons)}")
            print(
                f"vendors={args.vendors} orders={args.orders} released={result.released} "
                f"paid_vendors={result.vendors} paid_minor={result.paid_minor} "
                f"seconds={seconds:.2f}",
                flush=True,
            )
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
