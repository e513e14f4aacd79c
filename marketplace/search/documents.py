"""From products to search documents: what is searchable, and what an index holds about it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence

from flask import current_app
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from marketplace.catalog.models import Category, Product, ProductStatus, Variant
from marketplace.extensions import db
from marketplace.search.types import ProductDocument
from marketplace.vendors.models import Vendor, VendorStatus

# The Bayesian average pulls a product with few reviews towards the marketplace-wide prior, so
# one 5-star review does not outrank a hundred 4.8-star ones.
DEFAULT_RATING_PRIOR_MEAN = 3.8
DEFAULT_RATING_PRIOR_WEIGHT = 10


def bayesian_rating(rating_sum: int, rating_count: int) -> float:
    """(prior_weight * prior_mean + sum of stars) / (prior_weight + count)."""
    config = current_app.config
    mean = float(config.get("SEARCH_RATING_PRIOR_MEAN", DEFAULT_RATING_PRIOR_MEAN))
    weight = float(config.get("SEARCH_RATING_PRIOR_WEIGHT", DEFAULT_RATING_PRIOR_WEIGHT))
    return (weight * mean + rating_sum) / (weight + rating_count)


def purchasable_variant_condition() -> ColumnElement[bool]:
    """SQL: a variant can be bought now (stock left after reservations, or backorder)."""
    return or_(Variant.allow_backorder.is_(True), Variant.stock_on_hand > Variant.stock_reserved)


def searchable_condition() -> ColumnElement[bool]:
    """SQL on Product (joined to Vendor): live, of a shop that can sell, and purchasable."""
    return and_(
        Product.status == ProductStatus.LIVE,
        Vendor.status == VendorStatus.APPROVED,
        Vendor.charges_enabled.is_(True),
        Vendor.payouts_enabled.is_(True),
        exists().where(Variant.product_id == Product.id, purchasable_variant_condition()),
    )


def searchable_product_ids(product_ids: Sequence[int] | None = None) -> set[int]:
    """Which of these products (all, when None) buyers may find."""
    stmt = select(Product.id).join(Product.vendor).where(searchable_condition())
    if product_ids is not None:
        stmt = stmt.where(Product.id.in_(product_ids))
    return set(db.session.scalars(stmt))


def _category_names(category: Category, cache: dict[int, tuple[str, ...]]) -> tuple[str, ...]:
    if category.id not in cache:
        names: list[str] = []
        node: Category | None = category
        while node is not None:
            names.append(node.name)
            node = node.parent
        cache[category.id] = tuple(reversed(names))
    return cache[category.id]


def _version(fields: dict[str, object]) -> str:
    encoded = json.dumps(fields, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(encoded.encode(), digest_size=12).hexdigest()


def build_document(
    product: Product, category_cache: dict[int, tuple[str, ...]] | None = None
) -> ProductDocument:
    """The document of a searchable product (the caller has checked it is searchable)."""
    purchasable = [v for v in product.variants if v.is_purchasable]
    priced = purchasable or list(product.variants)
    cheapest = min(priced, key=lambda v: v.price_minor)
    attributes = {
        str(name): str(value)
        for name, value in (product.attributes or {}).items()
        if value not in (None, "")
    }
    fields: dict[str, object] = {
        "slug": product.slug,
        "title": product.title,
        "description": product.description or "",
        "vendor_id": product.vendor_id,
        "vendor_slug": product.vendor.slug,
        "vendor_name": product.vendor.display_name,
        "category_path": product.category.path,
        "category_names": _category_names(
            product.category, {} if category_cache is None else category_cache
        ),
        "attributes": attributes,
        "price_minor": cheapest.price_minor,
        "currency": cheapest.currency,
        "rating_avg": round(product.rating_avg, 4),
        "rating_count": product.rating_count,
        "rating_score": round(bayesian_rating(product.rating_sum, product.rating_count), 4),
        "sales_count": product.sales_count,
        "in_stock": any(v.stock_available > 0 for v in product.variants),
        "created_at": product.published_at or product.created_at,
    }
    return ProductDocument(product_id=product.id, version=_version(fields), **fields)  # type: ignore[arg-type]


def load_documents(product_ids: Sequence[int]) -> dict[int, ProductDocument]:
    """Documents of those of these products that are searchable, by product id."""
    if not product_ids:
        return {}
    stmt = (
        select(Product)
        .join(Product.vendor)
        .where(Product.id.in_(product_ids), searchable_condition())
        .options(
            selectinload(Product.variants),
            selectinload(Product.category).selectinload(Category.parent),
        )
    )
    cache: dict[int, tuple[str, ...]] = {}
    return {p.id: build_document(p, cache) for p in db.session.scalars(stmt)}


def iter_all_documents(batch_size: int = 1000) -> Iterator[ProductDocument]:
    """Every searchable product's document, category by category in path order (by id within
    one), a batch at a time.

    A rebuild of the database index writes them in this order, so on PostgreSQL a category's
    documents share pages: a broad search, whose matches mostly sit in a few categories,
    reads half as many pages as with documents in id order."""
    batch: list[int] = []
    for category_id in db.session.scalars(select(Category.id).order_by(Category.path)).all():
        for product_id in _searchable_ids_in(category_id, batch_size):
            batch.append(product_id)
            if len(batch) == batch_size:
                yield from _documents_of(batch)
                batch = []
    yield from _documents_of(batch)


def _searchable_ids_in(category_id: int, batch_size: int) -> Iterator[int]:
    last_id = 0
    while True:
        ids = list(
            db.session.scalars(
                select(Product.id)
                .join(Product.vendor)
                .where(
                    Product.category_id == category_id,
                    Product.id > last_id,
                    searchable_condition(),
                )
                .order_by(Product.id)
                .limit(batch_size)
            )
        )
        yield from ids
        if len(ids) < batch_size:
            return
        last_id = ids[-1]


def _documents_of(product_ids: list[int]) -> Iterator[ProductDocument]:
    documents = load_documents(product_ids)
    for product_id in product_ids:
        if product_id in documents:
            yield documents[product_id]
    db.session.expunge_all()  # keep memory flat over 200,000 products


def chunked(items: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
