"""Checkout throughput: orders per second through the real pages, served by gunicorn.

    python bench/checkout_throughput.py                 # 1, 4 and 16 concurrent buyers
    python bench/checkout_throughput.py --orders-per-buyer 8 --workers 4

Uses PostgreSQL when DATABASE_URL names a server (a fresh database is created there and dropped
afterwards), else a SQLite file in a temporary folder. It seeds three shops (each with an
enabled offline payout account and one well-stocked product), a sales tax, a commission and 16
buyers, starts gunicorn on a free local port and, for each concurrency level, runs that many
buyers at once, each placing `--orders-per-buyer` orders the way a browser does: sign in once,
then per order add one item from each of the three shops on their product pages, enter the
address, open the summary, press Pay, and pay on the offline gateway's page with the success
test card. Every form is fetched first and its CSRF token posted back. An order counts only
when its page then says it is paid.

Standard output gets one line per level, `buyers=N orders=M seconds=S orders_per_second=X`
(failed attempts, if any, go to standard error with their reason).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout_race import database, log, onboard_offline  # a sibling script
from flask_migrate import upgrade

from marketplace import create_app
from marketplace.accounts.models import User
from marketplace.accounts.services import hash_password
from marketplace.catalog.models import Category, Product, ProductStatus, Variant
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders.models import TaxRate
from marketplace.payouts.commission import set_commission_rule
from marketplace.vendors.models import Vendor, VendorStatus

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
LEVELS = (1, 4, 16)
PASSWORD = "bench-password-1"
CARD = {"card_number": "4242 4242 4242 4242", "expiry": "12 / 30", "cvc": "123"}
ADDRESS = {
    "name": "Bench Buyer",
    "line1": "1 Main Street",
    "line2": "",
    "city": "Portland",
    "region": "OR",
    "postal_code": "97205",
    "country": "US",
}
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
EXPECTED_TOTAL = re.compile(r'name="expected_total" value="(\d+)"')
TIMEOUT = 60


# --- the app gunicorn serves ------------------------------------------------------------------


def serve_app():
    """gunicorn's entry point (`checkout_throughput:serve_app()`): the app on the bench database."""
    uri = os.environ["BENCH_DATABASE_URI"]
    engine_options: dict[str, Any] = {"pool_pre_ping": True}
    if uri.startswith("sqlite"):
        engine_options["connect_args"] = {"timeout": 60}  # workers queue for the file lock
    return create_app(
        {
            "ENV_NAME": "development",
            "SQLALCHEMY_DATABASE_URI": uri,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "SECRET_KEY": os.environ["BENCH_SECRET_KEY"],
            "INSTANCE_DIR": Path(os.environ["BENCH_FOLDER"]) / "instance",
            "UPLOAD_DIR": Path(os.environ["BENCH_FOLDER"]) / "uploads",
            "REDIS_URL": None,
            "STRIPE_SECRET_KEY": None,
            "LOGIN_RATE_LIMIT": "10000 per minute",
        }
    )


# --- seeding ----------------------------------------------------------------------------------


def seed(buyers: int) -> list[str]:
    """Three shops with a product each, tax and commission, and buyers; returns product slugs."""
    set_commission_rule(1000, 30)
    db.session.add(TaxRate(country="US", region="", name="Sales tax", rate_bps=800))
    category = Category(name="Goods", slug="goods", path="goods")
    db.session.add(category)
    password_hash = hash_password(PASSWORD)
    slugs = []
    for number in range(1, 4):
        owner = User(
            email=f"shop{number}@example.com", password_hash="!", display_name=f"Shop {number}"
        )
        vendor = Vendor(
            owner=owner,
            slug=f"shop-{number}",
            display_name=f"Shop {number}",
            business_name=f"Shop {number} LLC",
            country="US",
            contact_email=owner.email,
            status=VendorStatus.APPROVED,
            approved_at=utcnow(),
        )
        db.session.add_all([owner, vendor])
        db.session.flush()
        onboard_offline(vendor)
        product = Product(
            vendor=vendor,
            category=category,
            title=f"Shop {number} Bestseller",
            slug=f"shop-{number}-bestseller",
            status=ProductStatus.LIVE,
            published_at=utcnow(),
        )
        db.session.add(product)
        db.session.flush()
        db.session.add(
            Variant(
                product=product,
                vendor_id=vendor.id,
                sku=f"BEST-{number}",
                price_minor=1500 * number + 99,
                stock_on_hand=1_000_000,
            )
        )
        slugs.append(product.slug)
    for number in range(buyers):
        db.session.add(
            User(email=f"buyer{number}@example.com", password_hash=password_hash, display_name="B")
        )
    db.session.commit()
    return slugs


# --- a buyer in a browser ---------------------------------------------------------------------


class CheckoutFailed(RuntimeError):
    pass


def _token(response: requests.Response) -> str:
    found = CSRF.search(response.text)
    if response.status_code != 200 or not found:
        raise CheckoutFailed(f"{response.request.method} {response.url}: {response.status_code}")
    return found.group(1)


class Buyer:
    """One browser: a cookie jar that signs in once, then orders again and again."""

    def __init__(self, base: str, email: str, slugs: list[str]) -> None:
        self.base, self.slugs = base, slugs
        self.http = requests.Session()
        page = self.http.get(f"{base}/account/sign-in", timeout=TIMEOUT)
        signed_in = self.http.post(
            f"{base}/account/sign-in",
            data={"csrf_token": _token(page), "email": email, "password": PASSWORD},
            timeout=TIMEOUT,
        )
        if "Sign out" not in signed_in.text:
            raise CheckoutFailed(f"could not sign in as {email}")

    def _post(self, path: str, data: dict[str, str], page: requests.Response) -> requests.Response:
        return self.http.post(
            f"{self.base}{path}", data={"csrf_token": _token(page), **data}, timeout=TIMEOUT
        )

    def order_once(self) -> None:
        """Fill the cart from three shops, check out and pay; raises CheckoutFailed."""
        for slug in self.slugs:
            product = self.http.get(f"{self.base}/products/{slug}", timeout=TIMEOUT)
            variant_id = re.search(r'name="variant_id" value="(\d+)"', product.text).group(1)
            self._post("/cart/add", {"variant_id": variant_id, "quantity": "1"}, product)
        form = self.http.get(f"{self.base}/checkout", timeout=TIMEOUT)
        review = self._post("/checkout", ADDRESS, form)
        total = EXPECTED_TOTAL.search(review.text)
        if not total:
            raise CheckoutFailed(f"no summary after the address: {review.url}")
        pay_page = self._post(
            "/checkout/review", {"action": "pay", "expected_total": total.group(1)}, review
        )
        if "/checkout/pay/" not in pay_page.url:
            raise CheckoutFailed(f"not sent to the payment page: {pay_page.url}")
        paid = self._post(pay_page.url[len(self.base) :], CARD, pay_page)
        if "/orders/" not in paid.url or "your payment is confirmed" not in paid.text:
            raise CheckoutFailed(f"order not paid: {paid.url}")


def run_level(base: str, slugs: list[str], concurrency: int, per_buyer: int) -> None:
    buyers = [Buyer(base, f"buyer{n}@example.com", slugs) for n in range(concurrency)]
    done, failures = [0], []
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)

    def shop(buyer: Buyer) -> None:
        start.wait()
        for _ in range(per_buyer):
            try:
                buyer.order_once()
            except (CheckoutFailed, requests.RequestException, AttributeError) as error:
                with lock:
                    failures.append(str(error))
                continue
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=shop, args=(buyer,)) for buyer in buyers]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for failure in failures[:5]:
        log(f"failed: {failure}")
    print(
        f"buyers={concurrency} orders={done[0]} seconds={elapsed:.2f} "
        f"orders_per_second={done[0] / elapsed:.2f}",
        flush=True,
    )


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    here = Path(__file__).resolve().parent
    command = [
        str(gunicorn),
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--pythonpath", f"{here},{here.parent}",
        "--log-level", "warning",
        "checkout_throughput:serve_app()",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.3)
    stop(server)
    raise SystemExit("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders-per-buyer", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="checkout-throughput-") as tmp,
        database(Path(tmp)) as uri,
    ):
        secret = secrets.token_hex(32)
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
            "BENCH_DATABASE_URI": uri,
            "BENCH_SECRET_KEY": secret,
            "BENCH_FOLDER": tmp,
        }
        os.environ.update(
            {k: env[k] for k in ("BENCH_DATABASE_URI", "BENCH_SECRET_KEY", "BENCH_FOLDER")}
        )
        app = serve_app()
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            slugs = seed(max(LEVELS))
            db.session.remove()
            db.engine.dispose()
        port = free_port()
        log(f"database={uri.split(':', 1)[0]} gunicorn workers={args.workers} port={port}")
        server = start_gunicorn(env, port, args.workers)
        try:
            for level in LEVELS:
                run_level(f"http://127.0.0.1:{port}", slugs, level, args.orders_per_buyer)
        finally:
            stop(server)


if __name__ == "__main__":
    main()
