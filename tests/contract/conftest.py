"""The search contract's fixtures: one app per backend, and a small catalogue to search.

Every test of `test_search_backend.py` runs three times: the database backend on SQLite, the
database backend on PostgreSQL, and the Elasticsearch backend (on an Elasticsearch-API server,
with an index alias of the test's own). Products are made with the real models and reach the
index the way they do in production: the commit writes outbox rows, the drain job (inline in
tests) builds documents with `documents.load_documents` and hands them to the backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from marketplace.catalog.models import Category, Product, ProductStatus
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.search import service
from marketplace.search.types import SearchBackend
from marketplace.vendors.models import Vendor, VendorStatus
from tests import factories

BACKENDS = {
    "database-sqlite": ("app", "database"),
    "database-postgres": ("pg_app", "database"),
    "elasticsearch": ("es_app", "elasticsearch"),
}


@dataclass
class SearchEnv:
    """An app whose configured search backend is the one under test."""

    app: Flask
    backend: SearchBackend
    label: str


@pytest.fixture(params=list(BACKENDS))
def search_env(request: pytest.FixtureRequest) -> SearchEnv:
    app_fixture, backend_name = BACKENDS[request.param]
    app = request.getfixturevalue(app_fixture)
    backend = service.get_backend()
    assert backend.name == backend_name
    backend.reindex([])  # start from an empty index, whatever an earlier test left behind
    return SearchEnv(app=app, backend=backend, label=request.param)


# --- the catalogue -----------------------------------------------------------------------------


@dataclass
class Catalogue:
    """Products by a short name; `searchable` names the ones buyers may find."""

    products: dict[str, Product] = field(default_factory=dict)
    vendors: dict[str, Vendor] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    searchable: set[str] = field(default_factory=set)

    def id(self, name: str) -> int:
        return self.products[name].id

    def ids(self, *names: str) -> set[int]:
        return {self.products[name].id for name in names}

    def names(self, ids) -> list[str]:
        by_id = {product.id: name for name, product in self.products.items()}
        return [by_id.get(product_id, str(product_id)) for product_id in ids]


def add_category(catalogue: Catalogue, path: str, name: str) -> Category:
    parent_path, _, slug = path.rpartition("/")
    category = factories.CategoryFactory(
        name=name,
        slug=slug,
        path=path,
        parent=catalogue.categories.get(parent_path) if parent_path else None,
    )
    catalogue.categories[path] = category
    return category


def add_product(
    catalogue: Catalogue,
    name: str,
    *,
    vendor: str,
    category: str,
    price_minor: int,
    stock: int = 5,
    backorder: bool = False,
    ratings: tuple[int, int] = (0, 0),
    sales: int = 0,
    age_days: int = 0,
    status: str = ProductStatus.LIVE,
    searchable: bool = True,
    **fields: Any,
) -> Product:
    """A product with one variant; `ratings` is (count, sum of stars)."""
    published = utcnow() - timedelta(days=age_days, minutes=len(catalogue.products))
    product = factories.ProductFactory(
        vendor=catalogue.vendors[vendor],
        category=catalogue.categories[category],
        slug=f"{name}-{len(catalogue.products)}",
        status=status,
        rating_count=ratings[0],
        rating_sum=ratings[1],
        sales_count=sales,
        published_at=published,
        created_at=published,
        **fields,
    )
    factories.VariantFactory(
        product=product, price_minor=price_minor, stock_on_hand=stock, allow_backorder=backorder
    )
    catalogue.products[name] = product
    if searchable:
        catalogue.searchable.add(name)
    return product


def build_catalogue() -> Catalogue:
    """Eight products buyers can find in three shops and five categories, and four they can't."""
    catalogue = Catalogue()
    for path, name in [
        ("home", "Home"),
        ("home/furniture", "Furniture"),
        ("home/furniture/sofas", "Sofas"),
        ("home/kitchen", "Kitchen"),
        ("home/kitchen/mugs", "Mugs"),
        ("clothing", "Clothing"),
        ("clothing/jeans", "Jeans"),
    ]:
        add_category(catalogue, path, name)
    for key, display_name, status in [
        ("oak", "Oak & Iron", VendorStatus.APPROVED),
        ("clay", "Clay Studio", VendorStatus.APPROVED),
        ("denim", "Denim Works", VendorStatus.APPROVED),
        ("closed", "Shuttered Goods", VendorStatus.SUSPENDED),
    ]:
        catalogue.vendors[key] = factories.VendorFactory(
            display_name=display_name, slug=f"{key}-shop", status=status
        )

    add_product(
        catalogue,
        "chesterfield",
        vendor="oak",
        category="home/furniture/sofas",
        price_minor=89900,
        ratings=(120, 576),  # 4.8
        sales=300,
        age_days=30,
        title="Velvet Chesterfield Sofa",
        description="Deep buttoned three-seater with rolled arms.",
        attributes={"colour": "Green", "material": "Velvet"},
    )
    add_product(
        catalogue,
        "two_seater",
        vendor="oak",
        category="home/furniture/sofas",
        price_minor=54900,
        ratings=(1, 5),
        sales=5,
        age_days=3,
        title="Linen Two-Seater Sofa",
        description="A compact sofa for small living rooms.",
        attributes={"colour": "Beige", "material": "Linen"},
    )
    add_product(
        catalogue,
        "table",
        vendor="oak",
        category="home/furniture",
        price_minor=19900,
        sales=40,
        age_days=60,
        title="Oak Coffee Table",
        description="Solid oak with a low shelf for magazines.",
        attributes={"colour": "Brown", "finish": "Walnut"},
    )
    add_product(
        catalogue,
        "stoneware",
        vendor="clay",
        category="home/kitchen/mugs",
        price_minor=1800,
        ratings=(40, 180),  # 4.5
        sales=500,
        age_days=10,
        title="Stoneware Coffee Mug",
        description="Hand-thrown mug for your morning coffee.",
        attributes={"colour": "Blue", "material": "Stoneware"},
    )
    add_product(
        catalogue,
        "teacup",
        vendor="clay",
        category="home/kitchen/mugs",
        price_minor=2200,
        ratings=(10, 40),  # 4.0
        sales=80,
        age_days=20,
        title="Porcelain Tea Cup",
        description="Fine bone china with a gold rim, packed in linen.",
        attributes={"colour": "White", "material": "Porcelain"},
    )
    add_product(
        catalogue,
        "camping",
        vendor="clay",
        category="home/kitchen/mugs",
        price_minor=1200,
        stock=0,
        backorder=True,
        ratings=(4, 12),  # 3.0
        sales=2,
        age_days=1,
        title="Enamel Camping Mug",
        description="Chip-resistant enamel for the trail.",
        attributes={"colour": "Red", "material": "Enamel"},
    )
    add_product(
        catalogue,
        "slim",
        vendor="denim",
        category="clothing/jeans",
        price_minor=6900,
        ratings=(30, 126),  # 4.2
        sales=150,
        age_days=5,
        title="Slim Fit Jeans",
        description="Cut slim <through> the leg & seat, in rigid denim.",
        attributes={"colour": "Blue", "material": "Denim", "size": "32"},
    )
    add_product(
        catalogue,
        "relaxed",
        vendor="denim",
        category="clothing/jeans",
        price_minor=5900,
        ratings=(2, 6),  # 3.0
        sales=1,
        age_days=40,
        title="Relaxed Jeans",
        description="Roomy through the thigh, tapered below the knee.",
        attributes={"colour": "Black", "material": "Denim", "size": "34"},
    )
    # Never found: delisted, a suspended shop's, sold out without backorder, a draft.
    add_product(
        catalogue,
        "delisted",
        vendor="oak",
        category="home/furniture/sofas",
        price_minor=30000,
        status=ProductStatus.DELISTED,
        searchable=False,
        title="Chesterfield Sofa Bed",
    )
    add_product(
        catalogue,
        "suspended",
        vendor="closed",
        category="home/kitchen/mugs",
        price_minor=1500,
        searchable=False,
        title="Stoneware Espresso Mug",
    )
    add_product(
        catalogue,
        "sold_out",
        vendor="clay",
        category="home/kitchen/mugs",
        price_minor=1600,
        stock=0,
        searchable=False,
        title="Stoneware Travel Mug",
    )
    add_product(
        catalogue,
        "draft",
        vendor="denim",
        category="clothing/jeans",
        price_minor=4900,
        status=ProductStatus.DRAFT,
        searchable=False,
        title="Bootcut Jeans",
    )
    return catalogue


@pytest.fixture
def catalogue(search_env: SearchEnv) -> Catalogue:
    """The catalogue, committed: the search outbox's drain has indexed it."""
    built = build_catalogue()
    db.session.commit()
    return built
