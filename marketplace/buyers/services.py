"""Storefront queries: what a buyer may see, and the search page built on the search service.

Only sellable products are ever shown: live listings of approved vendors whose payment
account can take charges and receive payouts. Search itself is `marketplace.search.service`;
this module turns its hits into the products, labels and links a results page shows.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import contains_eager, selectinload

from marketplace.catalog.models import Category, Product, ProductStatus, Variant
from marketplace.extensions import db
from marketplace.pagination import Page
from marketplace.vendors.models import Vendor, VendorStatus

STOREFRONT_PAGE_SIZE = 24
LOW_STOCK_THRESHOLD = 5


def parse_page(value: str | None) -> int:
    """A 1-based page number from the query string, forgiving junk."""
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


# ---------------------------------------------------------------------------------------------
# Sellable products


def selling_vendor_condition() -> ColumnElement[bool]:
    """SQL condition: the vendor may sell (approved, charges and payouts enabled)."""
    return and_(
        Vendor.status == VendorStatus.APPROVED,
        Vendor.charges_enabled.is_(True),
        Vendor.payouts_enabled.is_(True),
    )


def sellable_products_query() -> Select[tuple[Product]]:
    """Live products of selling vendors, with what a product card shows loaded up front."""
    return with_card_loading(sellable_products_filter())


def sellable_products_filter() -> Select[tuple[Product]]:
    """Live products of selling vendors, without loader options (for counts and subqueries)."""
    return (
        select(Product)
        .join(Product.vendor)
        .where(Product.status == ProductStatus.LIVE, selling_vendor_condition())
    )


def with_card_loading(stmt: Select[tuple[Product]]) -> Select[tuple[Product]]:
    """Load vendor, variants and images with the products: no query per card."""
    return stmt.options(
        contains_eager(Product.vendor),
        selectinload(Product.variants),
        selectinload(Product.images),
    )


def _newest_first(stmt: Select[tuple[Product]]) -> Select[tuple[Product]]:
    return stmt.order_by(
        Product.published_at.desc().nulls_last(), Product.created_at.desc(), Product.id.desc()
    )


def spread_across_vendors(
    products: Sequence[Product], limit: int, per_vendor: int
) -> list[Product]:
    """Keep the given order but let no vendor fill more than `per_vendor` slots if others can."""
    picked: list[Product] = []
    held_back: list[Product] = []
    counts: dict[int, int] = {}
    for product in products:
        if counts.get(product.vendor_id, 0) < per_vendor:
            picked.append(product)
            counts[product.vendor_id] = counts.get(product.vendor_id, 0) + 1
        else:
            held_back.append(product)
    picked.extend(held_back[: max(0, limit - len(picked))])
    return picked[:limit]


def new_arrivals(limit: int = 8, per_vendor: int = 2) -> list[Product]:
    """The most recently published products, spread over several vendors."""
    stmt = _newest_first(sellable_products_query()).limit(limit * 4)
    return spread_across_vendors(list(db.session.scalars(stmt)), limit, per_vendor)


def best_sellers(limit: int = 8, per_vendor: int = 2) -> list[Product]:
    """The products that sold most, spread over several vendors."""
    stmt = (
        sellable_products_query()
        .where(Product.sales_count > 0)
        .order_by(Product.sales_count.desc(), Product.id)
        .limit(limit * 4)
    )
    return spread_across_vendors(list(db.session.scalars(stmt)), limit, per_vendor)


def get_sellable_product(slug: str) -> Product | None:
    """The product a buyer may see at /products/<slug>, with category and gallery loaded."""
    stmt = (
        sellable_products_query()
        .where(Product.slug == slug)
        .options(selectinload(Product.category))
    )
    return db.session.scalars(stmt).first()


def select_variant(product: Product, variant_id: str | int | None) -> Variant | None:
    """The variant a buyer picked (by id in the URL), or None when absent or not this product's."""
    try:
        wanted = int(variant_id) if variant_id not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return next((v for v in product.variants if v.id == wanted), None)


def cheapest_variant(product: Product) -> Variant | None:
    """The variant with the lowest price (the first listed wins a tie)."""
    return min(product.variants, key=lambda v: v.price_minor, default=None)


def stock_label(variant: Variant) -> str:
    """What a buyer is told about a variant's availability."""
    available = variant.stock_available
    if available <= 0:
        return "Available on backorder" if variant.allow_backorder else "Out of stock"
    if available <= LOW_STOCK_THRESHOLD:
        return f"Only {available} left"
    return "In stock"


def category_trail(category: Category) -> list[Category]:
    """The category and its ancestors, root first, for a breadcrumb (one query)."""
    slugs = category.path.split("/")
    paths = ["/".join(slugs[: i + 1]) for i in range(len(slugs))]
    found = {
        c.path: c for c in db.session.scalars(select(Category).where(Category.path.in_(paths)))
    }
    return [found[p] for p in paths if p in found]


# ---------------------------------------------------------------------------------------------
# Vendors


def get_storefront_vendor(slug: str) -> Vendor | None:
    """An approved vendor whose storefront buyers may visit."""
    stmt = select(Vendor).where(Vendor.slug == slug, Vendor.status == VendorStatus.APPROVED)
    return db.session.scalars(stmt).first()


def count_rows(stmt: Select[tuple[Product]]) -> int:
    """How many products a query (without loader options) returns, counted by the database."""
    ids = stmt.with_only_columns(Product.id).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(ids)) or 0


def paginate(stmt: Select[tuple[Product]], page: int, per_page: int) -> Page[Product]:
    """One page of a sorted product query (without loader options) and the total count."""
    total = count_rows(stmt)
    window = with_card_loading(stmt).limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.scalars(window))
    return Page(items=items, total=total, page=page, per_page=per_page)


def vendor_products(
    vendor: Vendor, page: int, per_page: int = STOREFRONT_PAGE_SIZE
) -> Page[Product]:
    """A vendor's sellable products, newest first, one page at a time."""
    stmt = sellable_products_filter().where(Product.vendor_id == vendor.id)
    return paginate(_newest_first(stmt), page, per_page)


def featured_vendors(limit: int = 4) -> list[tuple[Vendor, int]]:
    """Selling vendors with the most live products, with that count."""
    live_count = func.count(Product.id)
    stmt = (
        select(Vendor, live_count)
        .join(Product, and_(Product.vendor_id == Vendor.id, Product.status == ProductStatus.LIVE))
        .where(selling_vendor_condition())
        .group_by(Vendor.id)
        .order_by(live_count.desc(), Vendor.display_name)
        .limit(limit)
    )
    return [(vendor, count) for vendor, count in db.session.execute(stmt)]


# ---------------------------------------------------------------------------------------------
# Categories


def get_category(path: str) -> Category | None:
    """The category at a slash-joined path, or None."""
    return db.session.scalars(select(Category).where(Category.path == path)).first()
