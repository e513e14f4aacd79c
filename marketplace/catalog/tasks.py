"""Catalog jobs: the standards check of a submitted listing."""

from __future__ import annotations

from marketplace.catalog import compliance
from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db


def check_listing(product_id: int) -> None:
    """Check a submitted listing; safe to run twice (a listing no longer waiting is left alone)."""
    product = db.session.get(Product, product_id)
    if product is None or product.status != ProductStatus.PENDING_REVIEW:
        return
    compliance.check_listing(product_id)
    db.session.commit()
