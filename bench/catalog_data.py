"""The judged catalog for the search benchmarks: load it into a marketplace, and score rankings.

The data lives in `../shared/data/catalog/` (see its README): `products.jsonl.gz` (20,000
products), `queries.tsv` (judged buyer queries) and `labels.tsv` (graded judgments).

- `build_app` makes an app on a database built by the migrations (a fresh SQLite file unless a
  database URL is given; a PostgreSQL database must be empty).
- `load_catalog` writes the products as live listings of approved, payable vendors (one vendor
  per `vendor` name, the category tree from the `category` paths, one variant per product with
  its price and stock, attributes type/color/material/style/brand/feature, review and sales
  totals), keeping each product's id, so judgments need no mapping. `copies` > 1 adds varied
  copies (other ids, titles, prices, ratings and sales) for load tests at 40,000 or 200,000.
- `score` computes nDCG@10 (gain 2^grade - 1, unjudged = 0) and recall@50 of grade ≥ 2, per
  query averaged over queries, overall and on the typo and synonym subsets.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import math
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, text

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from marketplace import create_app  # noqa: E402
from marketplace.accounts.models import User  # noqa: E402
from marketplace.catalog.models import Category, Product, ProductStatus, Variant  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.vendors.models import Vendor, VendorStatus  # noqa: E402

DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "catalog"
PRODUCTS_FILE = DATA_DIR / "products.jsonl.gz"
QUERIES_FILE = DATA_DIR / "queries.tsv"
LABELS_FILE = DATA_DIR / "labels.tsv"
MIGRATIONS = REPO_ROOT / "migrations"
ATTRIBUTES = ("type", "color", "material", "style", "brand", "feature")
COPY_ID_STRIDE = 1_000_000  # copy n of product p gets id p + n * stride
WRITE_BATCH = 2000
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

# Words that make a copy's title differ from its original without changing what it is.
_EDITIONS = (
    "Classic", "Everyday", "Signature", "Studio", "Heritage", "Essential", "Select",
    "Original", "Premium", "Compact", "Deluxe", "Urban", "Atelier", "Homestead", "Series",
)  # fmt: skip


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def app_settings(folder: Path, database_url: str | None) -> dict[str, Any]:
    url = database_url or f"sqlite:///{folder / 'catalog.db'}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return {
        "ENV_NAME": "test",
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_DIR": folder / "instance",
        "UPLOAD_DIR": folder / "uploads",
        "SEARCH_BACKEND": "database",
    }


def build_app(folder: Path, database_url: str | None = None, **overrides: Any) -> Flask:
    """An app whose database the migrations have just built (call inside no app context)."""
    app = create_app({**app_settings(folder, database_url), **overrides})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    return app


# --- reading the data ----------------------------------------------------------------------------


def read_products(path: Path = PRODUCTS_FILE, limit: int | None = None) -> list[dict[str, Any]]:
    products = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                products.append(json.loads(line))
                if limit is not None and len(products) >= limit:
                    break
    return products


@dataclass(frozen=True)
class JudgedQuery:
    query_id: str
    text: str
    noise: str
    intent: Mapping[str, str]

    def in_subset(self, word: str) -> bool:
        return word in self.noise.split("+")


def read_queries(path: Path = QUERIES_FILE) -> list[JudgedQuery]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [
            JudgedQuery(r["query_id"], r["query"], r["noise"], json.loads(r["intent"] or "{}"))
            for r in rows
        ]


def read_labels(path: Path = LABELS_FILE) -> dict[str, dict[int, int]]:
    labels: dict[str, dict[int, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            labels.setdefault(row["query_id"], {})[int(row["product_id"])] = int(row["grade"])
    return labels


# --- scoring ------------------------------------------------------------------------------------


def dcg(grades: Iterable[int]) -> float:
    return sum((2**g - 1) / math.log2(position + 2) for position, g in enumerate(grades))


def ndcg_at(ranked: Sequence[int], judged: Mapping[int, int], k: int = 10) -> float:
    ideal = dcg(sorted(judged.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(judged.get(pid, 0) for pid in ranked[:k]) / ideal


def recall_at(
    ranked: Sequence[int], judged: Mapping[int, int], k: int = 50, min_grade: int = 2
) -> float | None:
    """Share of the products graded `min_grade` or more found in the top k (None: none are)."""
    relevant = {pid for pid, grade in judged.items() if grade >= min_grade}
    if not relevant:
        return None
    return len(relevant & set(ranked[:k])) / len(relevant)


@dataclass
class Scores:
    ndcg: float
    recall: float
    ndcg_typo: float
    ndcg_synonym: float
    queries: int
    per_query: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"ndcg@10={self.ndcg:.3f} recall@50={self.recall:.3f} "
            f"ndcg@10_typo={self.ndcg_typo:.3f} ndcg@10_synonym={self.ndcg_synonym:.3f} "
            f"queries={self.queries}"
        )


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def score(
    rankings: Mapping[str, Sequence[int]],
    queries: Sequence[JudgedQuery],
    labels: Mapping[str, Mapping[int, int]],
) -> Scores:
    ndcgs: dict[str, float] = {}
    recalls: list[float] = []
    for query in queries:
        judged = labels.get(query.query_id, {})
        ranked = rankings.get(query.query_id, ())
        ndcgs[query.query_id] = ndcg_at(ranked, judged)
        recall = recall_at(ranked, judged)
        if recall is not None:
            recalls.append(recall)
    subset = {
        word: [ndcgs[q.query_id] for q in queries if q.in_subset(word)]
        for word in ("typo", "synonym")
    }
    return Scores(
        ndcg=_mean(list(ndcgs.values())),
        recall=_mean(recalls),
        ndcg_typo=_mean(subset["typo"]),
        ndcg_synonym=_mean(subset["synonym"]),
        queries=len(queries),
        per_query=ndcgs,
    )


# --- loading into the marketplace -----------------------------------------------------------------


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def _vendors(names: Iterable[str]) -> dict[str, tuple[int, str]]:
    """One approved, payable vendor per name: name -> (vendor id, slug)."""
    found: dict[str, tuple[int, str]] = {}
    now = datetime.now(UTC)
    for number, name in enumerate(sorted(set(names)), start=1):
        slug = slugify(name)
        owner = User(
            email=f"catalog-vendor{number}@example.com",
            password_hash="!",  # nobody signs in to a benchmark database
            display_name=name,
        )
        vendor = Vendor(
            owner=owner,
            slug=slug,
            display_name=name,
            business_name=f"{name} LLC",
            country="US",
            contact_email=owner.email,
            status=VendorStatus.APPROVED,
            charges_enabled=True,
            payouts_enabled=True,
            approved_at=now,
        )
        db.session.add_all([owner, vendor])
        db.session.flush()
        found[name] = (vendor.id, slug)
    return found


def _categories(paths: Iterable[str]) -> dict[str, int]:
    """The tree of `A > B > C` paths: path text -> id of its last category."""
    ids: dict[str, int] = {}
    slugs: set[str] = set()
    nodes: dict[tuple[str, ...], Category] = {}
    for path_text in sorted(set(paths)):
        names = tuple(n.strip() for n in path_text.split(">"))
        for depth in range(1, len(names) + 1):
            chain = names[:depth]
            if chain in nodes:
                continue
            parent = nodes.get(chain[:-1])
            slug = slugify(chain[-1])
            if slug in slugs:  # "Bags > Bags": slugs are unique across the tree
                slug = f"{parent.slug}-{slug}" if parent else f"{slug}-{depth}"
            slugs.add(slug)
            node = Category(
                name=chain[-1],
                slug=slug,
                path=f"{parent.path}/{slug}" if parent else slug,
                parent=parent,
                position=len(nodes),
            )
            db.session.add(node)
            nodes[chain] = node
        db.session.flush()
        ids[path_text] = nodes[names].id
    return ids


def _copy(product: dict[str, Any], number: int, rng: random.Random) -> dict[str, Any]:
    """Copy `number` of a product: another id, an edition word in its title, other figures."""
    if number == 0:
        return product
    edition = _EDITIONS[(product["product_id"] + number) % len(_EDITIONS)]
    count = max(0, int(product["rating_count"] * rng.uniform(0.3, 1.7)))
    return {
        **product,
        "product_id": product["product_id"] + number * COPY_ID_STRIDE,
        "title": f"{product['title']} {edition} {number + 1}",
        "price_cents": max(99, int(product["price_cents"] * rng.uniform(0.8, 1.25))),
        "rating_count": count,
        "rating_avg": round(min(5.0, max(1.0, product["rating_avg"] + rng.uniform(-0.4, 0.4))), 1),
        "units_sold": max(0, int(product["units_sold"] * rng.uniform(0.3, 1.7))),
    }


def _rows(
    product: dict[str, Any], vendors: Mapping[str, tuple[int, str]], categories: Mapping[str, int]
) -> tuple[dict[str, Any], dict[str, Any]]:
    pid = int(product["product_id"])
    vendor_id, vendor_slug = vendors[product["vendor"]]
    created = EPOCH - timedelta(minutes=pid % 500_000)
    count = int(product["rating_count"])
    rating_sum = min(5 * count, max(count, round(product["rating_avg"] * count)))
    attributes = {name: product[name] for name in ATTRIBUTES if product.get(name)}
    product_row = {
        "id": pid,
        "vendor_id": vendor_id,
        "category_id": categories[product["category"]],
        "title": product["title"][:200],
        "slug": f"{slugify(product['title'])[:200]}-{pid}",
        "description": product["description"],
        "status": ProductStatus.LIVE,
        "attributes": attributes,
        "sales_count": int(product["units_sold"]),
        "rating_count": count,
        "rating_sum": rating_sum,
        "created_at": created,
        "updated_at": created,
        "published_at": created,
    }
    variant_row = {
        "product_id": pid,
        "vendor_id": vendor_id,
        "sku": f"{vendor_slug[:20]}-{pid}",
        "name": "Default",
        "options": {},
        "price_minor": int(product["price_cents"]),
        "currency": product.get("currency") or "USD",
        "stock_on_hand": int(product["stock"]),
    }
    return product_row, variant_row


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def load_catalog(
    products: Sequence[dict[str, Any]], total: int | None = None, seed: int = 5
) -> int:
    """Write the products as live listings (commits); returns how many were written.

    With `total` above the number of products, varied copies of them make up the rest (see
    `_copy`); below it, only the first `total` are written. Plain bulk inserts: the search
    index is built afterwards with one reindex, as `flask search reindex` would.
    """
    started = time.perf_counter()
    total = len(products) if total is None else total
    vendors = _vendors(p["vendor"] for p in products)
    categories = _categories(p["category"] for p in products)
    rng = random.Random(seed)
    copies = -(-total // max(1, len(products)))
    copied = itertools.islice((_copy(p, n, rng) for n in range(copies) for p in products), total)
    written = 0
    for chunk in _chunks(copied, WRITE_BATCH):
        pairs = [_rows(p, vendors, categories) for p in chunk]
        db.session.execute(insert(Product), [p for p, _ in pairs])
        db.session.execute(insert(Variant), [v for _, v in pairs])
        written += len(chunk)
    db.session.commit()
    # Fresh statistics, as the database's own maintenance would gather after a bulk load:
    # without them PostgreSQL plans the document queries of the reindex for empty tables.
    for table in ("products", "variants", "vendors", "categories"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()
    log(f"loaded {written} products in {time.perf_counter() - started:.1f} s")
    return written
