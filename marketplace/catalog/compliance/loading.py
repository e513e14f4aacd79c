"""Loading what the rules look at: active standards, listing snapshots, the vendor's peers."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.catalog import standards
from marketplace.catalog.models import Category, Product, ProductStandard, ProductStatus
from marketplace.catalog.standards import (
    ImageInfo,
    ListingSnapshot,
    PeerIndex,
    StandardSpec,
    VariantInfo,
)
from marketplace.errors import DomainError
from marketplace.extensions import db


class ListingNotFound(DomainError):
    """No such listing, or it belongs to another vendor (which is told the same thing)."""

    message = "That listing was not found."


def load_standards() -> list[StandardSpec]:
    """Every active standard, with the path of the category it is scoped to."""
    rows = db.session.execute(
        select(ProductStandard, Category.path)
        .outerjoin(Category, ProductStandard.category_id == Category.id)
        .where(ProductStandard.is_active.is_(True))
        .order_by(ProductStandard.id)
    ).all()
    return [
        StandardSpec(
            id=standard.id,
            kind=standard.kind,
            name=standard.name,
            params=standards.clean_params(standard.kind, standard.params),
            severity=standard.severity,
            scope_path=path if standard.category_id is not None else None,
        )
        for standard, path in rows
    ]


def needs_peers(specs: Iterable[StandardSpec]) -> bool:
    return any(spec.kind == "near_duplicate" for spec in specs)


def vendor_peers(vendor_id: int, before_id: int) -> PeerIndex:
    """The vendor's earlier listings still on offer, for the near-duplicate rule."""
    peers = PeerIndex()
    rows = db.session.execute(
        select(Product.id, Product.title, Product.description).where(
            Product.vendor_id == vendor_id,
            Product.id < before_id,
            Product.status != ProductStatus.DELISTED,
        )
    )
    for row in rows:
        peers.add(row.id, vendor_id, row.title, row.description or "")
    return peers


def all_peers() -> PeerIndex:
    """Every vendor's listings still on offer, indexed once for a whole re-check."""
    peers = PeerIndex()
    rows = db.session.execute(
        select(Product.id, Product.vendor_id, Product.title, Product.description)
        .where(Product.status != ProductStatus.DELISTED)
        .order_by(Product.id)
    )
    for row in rows:
        peers.add(row.id, row.vendor_id, row.title, row.description or "")
    return peers


def snapshot_of(product: Product) -> ListingSnapshot:
    """The plain snapshot of a loaded product that the rules look at."""
    category = product.category
    return ListingSnapshot(
        product_id=product.id,
        vendor_id=product.vendor_id,
        title=product.title or "",
        description=product.description or "",
        category_path=category.path,
        category_name=category.name,
        required_attributes=tuple(category.required_attributes or ()),
        attributes=dict(product.attributes or {}),
        images=tuple(ImageInfo(i.width, i.height) for i in product.images),
        variants=tuple(VariantInfo(v.name, v.price_minor, v.currency) for v in product.variants),
    )


def load_product(product_id: int, vendor_id: int | None = None) -> Product:
    stmt = (
        select(Product)
        .where(Product.id == product_id)
        .options(
            joinedload(Product.category),
            joinedload(Product.vendor),
            selectinload(Product.variants),
            selectinload(Product.images),
        )
    )
    if vendor_id is not None:
        stmt = stmt.where(Product.vendor_id == vendor_id)
    product = db.session.scalars(stmt).first()
    if product is None:
        raise ListingNotFound()
    return product
