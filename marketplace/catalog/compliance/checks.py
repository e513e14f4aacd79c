"""Submitting a listing and checking it: the check decides live, review or back to the vendor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from marketplace.catalog import standards
from marketplace.catalog.compliance.loading import (
    load_product,
    load_standards,
    needs_peers,
    snapshot_of,
    vendor_peers,
)
from marketplace.catalog.compliance.notices import listing_link, notify_vendor
from marketplace.catalog.lifecycle import change_product_status
from marketplace.catalog.models import ListingCheck, Product, ProductStandard, ProductStatus
from marketplace.catalog.standards import CheckContext
from marketplace.extensions import db
from marketplace.jobs import enqueue
from marketplace.models_base import utcnow
from marketplace.vendors.models import Vendor

CHECK_JOB = "marketplace.catalog.tasks.check_listing"
SEVERITY_ORDER = {"block": 0, "review": 1, "warn": 2}
VERDICT_STATUS = {
    "block": ProductStatus.REJECTED,
    "review": ProductStatus.PENDING_REVIEW,
    "pass": ProductStatus.LIVE,
}


def _notify_outcome(product: Product, check: ListingCheck) -> None:
    """Tell the vendor how the check ended when it moved the listing (the check may run later)."""
    link = listing_link(product.id)
    if product.status == ProductStatus.LIVE:
        message = f"“{product.title}” passed the product standards and is live."
    elif product.status == ProductStatus.REJECTED:
        failed = [r for r in check.results if not r["passed"] and r["severity"] == "block"]
        count = len(failed)
        message = (
            f"“{product.title}” doesn't meet the product standards yet "
            f"({count} problem{'' if count == 1 else 's'} to fix): {failed[0]['message']}"
        )
    else:
        return
    notify_vendor(product.vendor, f"listing_{product.status}", message, link=link)


# --- submitting and checking ---------------------------------------------------------------------


def submit_listing(product_id: int, vendor_id: int) -> Product:
    """Send the vendor's listing to the standards check, which runs as a job after commit."""
    product = load_product(product_id, vendor_id)
    if product.status != ProductStatus.PENDING_REVIEW:
        change_product_status(product, ProductStatus.PENDING_REVIEW, actor_id=None)
    enqueue(CHECK_JOB, product.id, queue="default")
    db.session.flush()
    return product


def is_new_vendor(vendor: Vendor) -> bool:
    """Within NEW_VENDOR_PERIOD_DAYS of approval (or of applying, if not approved yet)."""
    since = vendor.approved_at or vendor.created_at
    if since is None:
        return True
    days = int(current_app.config.get("NEW_VENDOR_PERIOD_DAYS", 30))
    return utcnow() - since < timedelta(days=days)


def _status_after_check(vendor: Vendor, verdict: str) -> ProductStatus:
    """Blocked → rejected; else review when a rule, a new vendor or an unpayable shop says so."""
    status = VERDICT_STATUS[verdict]
    if status != ProductStatus.LIVE:
        return status
    if not vendor.can_sell:
        return ProductStatus.PENDING_REVIEW
    if current_app.config.get("REVIEW_NEW_VENDOR_LISTINGS") and is_new_vendor(vendor):
        return ProductStatus.PENDING_REVIEW
    return ProductStatus.LIVE


def check_listing(product_id: int) -> ListingCheck:
    """Run every applicable active standard, record the check, and move a waiting listing on.

    The listing moves only while it is waiting for review; checking a listing in any other
    status records what the outcome would be and changes nothing else.
    """
    product = load_product(product_id)
    specs = load_standards()
    context = CheckContext()
    if needs_peers(specs):
        context.peers = vendor_peers(product.vendor_id, product.id)
    results = standards.evaluate(snapshot_of(product), specs, context)
    target = _status_after_check(product.vendor, standards.verdict(results))
    check = ListingCheck(product_id=product.id, outcome=target, results=results)
    db.session.add(check)
    if product.status == ProductStatus.PENDING_REVIEW and target != product.status:
        change_product_status(product, target, actor_id=None)
        _notify_outcome(product, check)
    db.session.flush()
    return check


def latest_check(product_id: int) -> ListingCheck | None:
    """The most recent check of a listing, if it was ever checked."""
    return db.session.scalars(
        select(ListingCheck)
        .where(ListingCheck.product_id == product_id)
        .order_by(ListingCheck.id.desc())
        .limit(1)
    ).first()


def latest_checks(product_ids: Sequence[int]) -> dict[int, ListingCheck]:
    """The most recent check of each listing, in one query."""
    if not product_ids:
        return {}
    newest = (
        select(func.max(ListingCheck.id))
        .where(ListingCheck.product_id.in_(product_ids))
        .group_by(ListingCheck.product_id)
    )
    checks = db.session.scalars(select(ListingCheck).where(ListingCheck.id.in_(newest)))
    return {check.product_id: check for check in checks}


def violations_by_field(check: ListingCheck | None) -> dict[str, list[dict[str, Any]]]:
    """A check's failed results grouped by the form field they concern, most severe first."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    if check is None:
        return grouped
    failed = [r for r in check.results or () if not r.get("passed")]
    failed.sort(key=lambda r: SEVERITY_ORDER.get(r.get("severity", ""), 9))
    for result in failed:
        grouped.setdefault(result.get("field") or "title", []).append(result)
    return grouped


def release_held_listings(vendor_id: int) -> int:
    """Check a vendor's waiting listings again, e.g. once the shop can sell; returns how many."""
    ids = list(
        db.session.scalars(
            select(Product.id).where(
                Product.vendor_id == vendor_id, Product.status == ProductStatus.PENDING_REVIEW
            )
        )
    )
    for product_id in ids:
        enqueue(CHECK_JOB, product_id, queue="default")
    return len(ids)


# --- defaults ----------------------------------------------------------------------------------


def install_default_standards() -> int:
    """Add the default standard of every kind that has no marketplace-wide standard yet."""
    present = set(
        db.session.scalars(
            select(ProductStandard.kind).where(ProductStandard.category_id.is_(None))
        )
    )
    installed = 0
    for kind in standards.KINDS.values():
        if kind.name in present:
            continue
        params = kind.default_params()
        if kind.name == "price_bounds":
            params["currency"] = current_app.config.get("CURRENCY", "USD")
        db.session.add(
            ProductStandard(
                kind=kind.name,
                name=kind.default_name or kind.label,
                params=params,
                severity=kind.default_severity,
                category_id=None,
                is_active=kind.default_active,
            )
        )
        installed += 1
    db.session.flush()
    return installed
