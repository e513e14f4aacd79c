"""Session listeners that put every product change search cares about into the search outbox.

After each flush they look at what the flush wrote and record the products whose documents may
have changed, in the same transaction:

- a product inserted, deleted or changed in any column (ratings and sales included);
- a variant inserted or deleted, or its price, currency, stock, reservations, backorder or
  product changed;
- a vendor whose status, payment flags, name or slug changed: all its products;
- a category whose name, slug, path or parent changed: every product in it and below it.

Rows go in with plain SQL on the flush's connection, so they fire no ORM event (no recursion),
and the drain job is enqueued once per transaction, just before it commits. Bulk `UPDATE` and
`INSERT` statements bypass flushes: their callers use `indexing.mark_stale` or a reindex.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from marketplace.catalog.models import Category, Product, Variant
from marketplace.extensions import db
from marketplace.search import indexing
from marketplace.vendors.models import Vendor

VARIANT_FIELDS = (
    "price_minor",
    "currency",
    "stock_on_hand",
    "stock_reserved",
    "allow_backorder",
    "product_id",
    "product",
)
VENDOR_FIELDS = ("status", "charges_enabled", "payouts_enabled", "display_name", "slug")
CATEGORY_FIELDS = ("name", "slug", "path", "parent_id", "parent")


def init_app() -> None:
    """Watch `db.session` (once per process: the session class is shared by every app)."""
    hooks = (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_soft_rollback", _after_soft_rollback),
        ("after_transaction_end", _after_transaction_end),
    )
    for name, hook in hooks:
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)


# --- what changed ------------------------------------------------------------------------------


def _changed(obj: object, fields: Iterable[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in fields)


def _previous(obj: object, name: str) -> list[object]:
    """The values an attribute had before this flush changed it (empty when unchanged)."""
    return [value for value in inspect(obj).attrs[name].history.deleted if value is not None]


def _affected(session: Session) -> tuple[set[int], set[int], set[str]]:
    """Product ids, vendor ids and category paths whose products' documents may have changed."""
    products: set[int] = set()
    vendors: set[int] = set()
    paths: set[str] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Product):
            products.add(obj.id)
        elif isinstance(obj, Variant):
            products.add(obj.product_id)
    for obj in session.dirty:
        if isinstance(obj, Product):
            if session.is_modified(obj, include_collections=False):
                products.add(obj.id)
        elif isinstance(obj, Variant):
            if _changed(obj, VARIANT_FIELDS):  # moved variants change both products
                products.add(obj.product_id)
                products.update(_previous(obj, "product_id"))  # type: ignore[arg-type]
                products.update(p.id for p in _previous(obj, "product"))  # type: ignore[attr-defined]
        elif isinstance(obj, Vendor):
            if _changed(obj, VENDOR_FIELDS):
                vendors.add(obj.id)
        elif isinstance(obj, Category) and _changed(obj, CATEGORY_FIELDS):
            paths.add(obj.path)
            paths.update(_previous(obj, "path"))  # type: ignore[arg-type]
    return products, vendors, paths


def _products_of(session: Session, vendors: set[int], paths: set[str]) -> set[int]:
    """Every product of these vendors, and in these categories or below them."""
    conditions = []
    if vendors:
        conditions.append(Product.vendor_id.in_(sorted(vendors)))
    if paths:
        in_tree = [
            or_(Category.path == path, Category.path.startswith(f"{path}/", autoescape=True))
            for path in sorted(paths)
        ]
        subtree = select(Category.id).where(or_(*in_tree))
        conditions.append(Product.category_id.in_(subtree))
    if not conditions:
        return set()
    rows = session.connection().execute(select(Product.id).where(or_(*conditions)))
    return {row[0] for row in rows}


# --- hooks -------------------------------------------------------------------------------------


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    products, vendors, paths = _affected(session)
    products |= _products_of(session, vendors, paths)
    products.discard(None)  # type: ignore[arg-type]  # a variant not yet attached
    if products:
        indexing.record_stale(session, products)


def _before_commit(session: Session) -> None:
    """Flush what is left, then enqueue the drain job with the rows it wrote."""
    session.flush()
    if indexing.has_unscheduled_rows(session):
        indexing.enqueue_drain(session)


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    indexing.forget_transaction(session)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        indexing.forget_transaction(session)
