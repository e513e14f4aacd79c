"""Time the product page of a product with thousands of reviews, and a full aggregate recompute.

    python bench/reviews.py --reviews 200000

Builds a fresh SQLite database in a temporary folder with the migrations and bulk-loads that many
published reviews, each on an order line of its own (one shop, 20,000 buyers): 2,000 on one
product (the "hot" product) and 20 on each of the others. Then:

1. `flask reviews recompute` (fix): every product's and the shop's histogram and the products'
   rating totals are rebuilt from the reviews (none were stored by the bulk load), committed;
   in the embedded default the commit also re-indexes the fixed products for search inline;
2. `flask reviews recompute --check`: the same comparison with nothing to fix;
3. the hot product's page through the test client, several requests each for the default view
   (most helpful, page 1), a deep page sorted by newest, and a star filter; the median of each,
   and for comparison the page of a product with 20 reviews.

Prints `reviews=N products=P hot_reviews=2000 page_ms=… deep_page_ms=… filtered_page_ms=…
small_product_page_ms=… recompute_s=… check_s=…` on standard output; progress goes to standard
error.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace import create_app
from marketplace.accounts.models import User
from marketplace.catalog.models import Category, Product, ProductStatus, Variant
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, OrderLine, OrderStatus, VendorOrder
from marketplace.reviews.aggregates import recompute
from marketplace.reviews.models import Review, ReviewStatus
from marketplace.vendors.models import Vendor, VendorStatus

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
HOT_REVIEWS = 2_000
REVIEWS_PER_PRODUCT = 20
BUYERS = 20_000
CHUNK = 10_000
REQUESTS = 15
STAR_WEIGHTS = (4, 4, 10, 30, 52)  # 1..5 stars, roughly what shops see
WORDS = [
    "sturdy",
    "lovely",
    "arrived",
    "quickly",
    "well",
    "packed",
    "colour",
    "matches",
    "photos",
    "handle",
    "comfortable",
    "glaze",
    "smaller",
    "than",
    "expected",
    "gift",
    "daughter",
    "loved",
    "it",
    "would",
    "buy",
    "again",
    "heavy",
    "solid",
    "dishwasher",
    "safe",
]


def settings(folder: Path) -> dict[str, object]:
    return {
        "ENV_NAME": "test",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        "INSTANCE_DIR": folder / "instance",
        "UPLOAD_DIR": folder / "uploads",
    }


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seed_shop() -> tuple[int, int]:
    now = utcnow()
    owner = User(email="bench-shop@example.com", password_hash="!", display_name="Bench Shop")
    vendor = Vendor(
        owner=owner,
        slug="bench-shop",
        display_name="Bench Shop",
        business_name="Bench Shop LLC",
        country="US",
        contact_email="bench-shop@example.com",
        status=VendorStatus.APPROVED,
        charges_enabled=True,
        payouts_enabled=True,
        approved_at=now,
    )
    category = Category(name="Mugs", slug="mugs", path="mugs", required_attributes=[])
    db.session.add_all([owner, vendor, category])
    db.session.flush()
    return vendor.id, category.id


def bulk(model: type, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def seed_products(vendor_id: int, category_id: int, count: int) -> list[int]:
    now = utcnow()
    bulk(
        Product,
        [
            {
                "vendor_id": vendor_id,
                "category_id": category_id,
                "title": f"Stoneware Mug No. {n}",
                "slug": f"stoneware-mug-{n}",
                "description": "A sturdy stoneware mug.",
                "status": ProductStatus.LIVE,
                "attributes": {},
                "published_at": now,
            }
            for n in range(count)
        ],
    )
    ids = list(db.session.scalars(select(Product.id).order_by(Product.id)))
    bulk(
        Variant,
        [
            {"product_id": pid, "vendor_id": vendor_id, "sku": f"MUG-{pid}", "price_minor": 2800,
             "stock_on_hand": 50}
            for pid in ids
        ],
    )  # fmt: skip
    return ids


def seed_buyers() -> list[int]:
    bulk(
        User,
        [
            {"email": f"buyer{n}@example.com", "password_hash": "!", "display_name": f"Buyer {n}"}
            for n in range(BUYERS)
        ],
    )
    return list(db.session.scalars(select(User.id).where(User.email.like("buyer%"))))


def seed_reviews(total: int, product_ids: list[int], vendor_id: int, buyers: list[int]) -> None:
    """One paid, delivered order with one line per review; then the reviews themselves."""
    rng = random.Random(8)
    now = utcnow()
    targets = [product_ids[0]] * HOT_REVIEWS
    for product_id in product_ids[1:]:
        targets += [product_id] * REVIEWS_PER_PRODUCT
    targets = targets[:total]
    address = {
        "name": "B",
        "line1": "1 Main St",
        "city": "X",
        "postal_code": "97205",
        "country": "US",
    }
    bulk(
        Order,
        [
            {"number": f"B{n:08d}", "buyer_id": buyers[n % len(buyers)], "status": OrderStatus.PAID,
             "items_total_minor": 2800, "grand_total_minor": 2800, "email": "b@example.com",
             "shipping_address": address, "paid_at": now}
            for n in range(len(targets))
        ],
    )  # fmt: skip
    order_ids = list(db.session.scalars(select(Order.id).order_by(Order.id)))
    bulk(
        VendorOrder,
        [
            {"order_id": oid, "vendor_id": vendor_id, "status": "delivered",
             "subtotal_minor": 2800, "vendor_net_minor": 2800, "delivered_at": now}
            for oid in order_ids
        ],
    )  # fmt: skip
    vendor_order_ids = list(db.session.scalars(select(VendorOrder.id).order_by(VendorOrder.id)))
    bulk(
        OrderLine,
        [
            {"vendor_order_id": void, "product_id": pid, "title": "Stoneware Mug", "sku": "MUG",
             "unit_price_minor": 2800, "quantity": 1, "line_total_minor": 2800}
            for void, pid in zip(vendor_order_ids, targets, strict=True)
        ],
    )  # fmt: skip
    line_ids = list(db.session.scalars(select(OrderLine.id).order_by(OrderLine.id)))
    progress(f"  orders and lines: {len(line_ids)}")
    rows = []
    for n, (line_id, product_id) in enumerate(zip(line_ids, targets, strict=True)):
        stars = rng.choices(range(1, 6), weights=STAR_WEIGHTS)[0]
        words = " ".join(rng.choices(WORDS, k=rng.randint(8, 40)))
        created = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        rows.append(
            {
                "order_line_id": line_id,
                "product_id": product_id,
                "vendor_id": vendor_id,
                "author_id": buyers[n % len(buyers)],
                "rating": stars,
                "title": words[:60].capitalize(),
                "body": words.capitalize() + ".",
                "status": ReviewStatus.PUBLISHED,
                "verified": rng.random() > 0.05,
                "photo_count": 0,
                "helpful_count": rng.choice((0, 0, 0, 1, 2, 5, 12)),
                "created_at": created,
                "updated_at": created,
                "published_at": created,
            }
        )
    bulk(Review, rows)


def timed_requests(client, url: str) -> float:
    assert client.get(url).status_code == 200, url  # warm-up (and a sanity check)
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=200_000, help="published reviews to load")
    args = parser.parse_args()
    if args.reviews < HOT_REVIEWS:
        parser.error(f"--reviews must be at least {HOT_REVIEWS}")
    logging.disable(logging.INFO)
    products = 1 + -(-(args.reviews - HOT_REVIEWS) // REVIEWS_PER_PRODUCT)

    with tempfile.TemporaryDirectory(prefix="reviews-bench-") as tmp:
        app = create_app(settings(Path(tmp)))
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            started = time.perf_counter()
            vendor_id, category_id = seed_shop()
            product_ids = seed_products(vendor_id, category_id, products)
            buyers = seed_buyers()
            seed_reviews(args.reviews, product_ids, vendor_id, buyers)
            db.session.commit()
            progress(f"seeded {args.reviews} reviews in {time.perf_counter() - started:.1f} s")

            started = time.perf_counter()
            fixed = recompute(fix=True)
            db.session.commit()
            recompute_seconds = time.perf_counter() - started
            progress(f"recompute: {fixed.summary()} fixed={fixed.fixed}")

            started = time.perf_counter()
            checked = recompute(fix=False)
            db.session.rollback()
            check_seconds = time.perf_counter() - started
            progress(f"recompute --check: {checked.summary()}")
            hot_slug = db.session.scalar(select(Product.slug).where(Product.id == product_ids[0]))
            small_slug = db.session.scalar(
                select(Product.slug).where(Product.id == product_ids[-1])
            )
            db.session.remove()

        client = app.test_client()
        url = f"/products/{hot_slug}"
        page_ms = timed_requests(client, url)
        deep_ms = timed_requests(client, f"{url}?review_sort=newest&review_page=150")
        filtered_ms = timed_requests(client, f"{url}?stars=2&verified=1&review_sort=lowest")
        small_ms = timed_requests(client, f"/products/{small_slug}")
        with app.app_context():
            db.engine.dispose()
    print(
        f"reviews={args.reviews} products={products} hot_reviews={HOT_REVIEWS} "
        f"page_ms={page_ms:.1f} deep_page_ms={deep_ms:.1f} filtered_page_ms={filtered_ms:.1f} "
        f"small_product_page_ms={small_ms:.1f} "
        f"recompute_s={recompute_seconds:.2f} check_s={check_seconds:.2f}"
    )


if __name__ == "__main__":
    main()
