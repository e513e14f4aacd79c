"""Re-checking every live listing after the standards change: report, then delist or review."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select

from marketplace.catalog import standards
from marketplace.catalog.compliance.loading import all_peers, load_standards, needs_peers
from marketplace.catalog.compliance.notices import listing_link, notify_vendor
from marketplace.catalog.lifecycle import change_product_status
from marketplace.catalog.models import (
    Category,
    ListingCheck,
    ModerationDecision,
    Product,
    ProductImage,
    ProductStatus,
    Variant,
)
from marketplace.catalog.standards import CheckContext, ListingSnapshot, PeerIndex
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.vendors.models import Vendor

RECHECK_BATCH = 1000
EMAIL_LISTINGS_MAX = 100  # a re-check e-mail names this many listings, then says how many more
RECHECK_STATUS = {"block": ProductStatus.DELISTED, "review": ProductStatus.PENDING_REVIEW}
RECHECK_DECISIONS = {
    ProductStatus.DELISTED: "delisted",
    ProductStatus.PENDING_REVIEW: "sent_to_review",
}
RECHECK_SUBJECT = "Some of your listings no longer meet the product standards"


@dataclass(frozen=True)
class RecheckItem:
    """A live listing that fails the current standards, and what happens (or would) to it."""

    product_id: int
    title: str
    vendor: str
    outcome: str  # "delisted" or "pending_review"
    messages: list[str]


@dataclass
class RecheckReport:
    """What a re-check of every live listing found (and, unless a dry run, did)."""

    dry_run: bool
    checked: int = 0
    passed: int = 0
    review: int = 0
    blocked: int = 0
    items: list[RecheckItem] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"checked={self.checked} passed={self.passed} "
            f"review={self.review} blocked={self.blocked}"
        )


@dataclass(frozen=True)
class _CategoryInfo:
    path: str
    name: str
    required: tuple[str, ...]


@dataclass
class _Failure:
    product_id: int
    vendor_id: int
    title: str
    verdict: str
    messages: list[str]


def _categories() -> dict[int, _CategoryInfo]:
    rows = db.session.execute(
        select(Category.id, Category.path, Category.name, Category.required_attributes)
    )
    return {r.id: _CategoryInfo(r.path, r.name, tuple(r.required_attributes or ())) for r in rows}


def _live_batches(size: int) -> Iterator[list[ListingSnapshot]]:
    """Live listings as snapshots, a batch at a time (three queries per batch)."""
    categories = _categories()
    last_id = 0
    while True:
        rows = db.session.execute(
            select(
                Product.id,
                Product.vendor_id,
                Product.category_id,
                Product.title,
                Product.description,
                Product.attributes,
            )
            .where(Product.status == ProductStatus.LIVE, Product.id > last_id)
            .order_by(Product.id)
            .limit(size)
        ).all()
        if not rows:
            return
        ids = [row.id for row in rows]
        last_id = ids[-1]
        # Rows have the fields of VariantInfo and ImageInfo; no need to copy them.
        variants: dict[int, list[Any]] = defaultdict(list)
        for v in db.session.execute(
            select(Variant.product_id, Variant.name, Variant.price_minor, Variant.currency)
            .where(Variant.product_id.in_(ids))
            .order_by(Variant.product_id, Variant.position, Variant.id)
        ):
            variants[v.product_id].append(v)
        images: dict[int, list[Any]] = defaultdict(list)
        for i in db.session.execute(
            select(ProductImage.product_id, ProductImage.width, ProductImage.height).where(
                ProductImage.product_id.in_(ids)
            )
        ):
            images[i.product_id].append(i)
        batch = []
        for row in rows:
            category = categories[row.category_id]
            batch.append(
                ListingSnapshot(
                    product_id=row.id,
                    vendor_id=row.vendor_id,
                    title=row.title or "",
                    description=row.description or "",
                    category_path=category.path,
                    category_name=category.name,
                    required_attributes=category.required,
                    attributes=row.attributes or {},
                    images=images.get(row.id, ()),
                    variants=variants.get(row.id, ()),
                )
            )
        yield batch


def recheck_live_listings(dry_run: bool) -> RecheckReport:
    """Check every live listing against the current standards.

    A dry run only reports. A real run records a check for every live listing, delists those
    failing a block standard and sends those failing a review standard back to the queue, each
    with a decision by the system and a notice to the vendor (no strike: the rules changed).
    """
    report = RecheckReport(dry_run=dry_run)
    specs = load_standards()
    context = CheckContext(peers=all_peers() if needs_peers(specs) else PeerIndex())
    failures: list[_Failure] = []
    now = utcnow()
    for batch in _live_batches(RECHECK_BATCH):
        rows = []
        for listing, results in standards.evaluate_many(batch, specs, context):
            verdict = standards.verdict(results)
            outcome = RECHECK_STATUS.get(verdict, ProductStatus.LIVE)
            rows.append({"product_id": listing.product_id, "outcome": outcome, "results": results})
            if verdict != "pass":
                messages = [r["message"] for r in results if not r["passed"]]
                failures.append(
                    _Failure(
                        listing.product_id, listing.vendor_id, listing.title, verdict, messages
                    )
                )
        report.checked += len(batch)
        if not dry_run:
            for row in rows:
                row["created_at"] = now
            db.session.execute(insert(ListingCheck), rows)
    report.blocked = sum(1 for f in failures if f.verdict == "block")
    report.review = len(failures) - report.blocked
    report.passed = report.checked - len(failures)
    report.items = _report_items(failures)
    if not dry_run and failures:
        _apply_recheck(failures)
    db.session.flush()
    return report


def _vendor_names(vendor_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(vendor_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(Vendor.id, Vendor.display_name).where(Vendor.id.in_(ids)))
    return {row.id: row.display_name for row in rows}


def _report_items(failures: list[_Failure]) -> list[RecheckItem]:
    """Delistings first, then listings going to review, each group oldest first."""
    names = _vendor_names(f.vendor_id for f in failures)
    ordered = sorted(failures, key=lambda f: (f.verdict != "block", f.product_id))
    return [
        RecheckItem(
            product_id=f.product_id,
            title=f.title,
            vendor=names.get(f.vendor_id, ""),
            outcome=RECHECK_STATUS[f.verdict],
            messages=f.messages,
        )
        for f in ordered
    ]


def _apply_recheck(failures: list[_Failure]) -> None:
    """Move failing live listings, record the system's decisions and tell each vendor once."""
    by_id = {f.product_id: f for f in failures}
    ids = list(by_id)
    decisions = []
    for start in range(0, len(ids), RECHECK_BATCH):
        chunk = ids[start : start + RECHECK_BATCH]
        for product in db.session.scalars(select(Product).where(Product.id.in_(chunk))):
            failure = by_id[product.id]
            target = RECHECK_STATUS[failure.verdict]
            change_product_status(product, target, actor_id=None)
            decisions.append(
                {
                    "product_id": product.id,
                    "moderator_id": None,
                    "decision": RECHECK_DECISIONS[target],
                    "reason": "Re-check against the current product standards: "
                    + " ".join(failure.messages),
                    "created_at": utcnow(),
                }
            )
    db.session.execute(insert(ModerationDecision), decisions)
    _notify_recheck(failures)


def _notify_recheck(failures: list[_Failure]) -> None:
    by_vendor: dict[int, list[_Failure]] = defaultdict(list)
    for failure in failures:
        by_vendor[failure.vendor_id].append(failure)
    vendors = db.session.scalars(select(Vendor).where(Vendor.id.in_(list(by_vendor))))
    for vendor in vendors:
        mine = sorted(by_vendor[vendor.id], key=lambda f: (f.verdict != "block", f.product_id))
        delisted = sum(1 for f in mine if f.verdict == "block")
        review = len(mine) - delisted
        parts = []
        if delisted:
            parts.append(f"{delisted} listing{'' if delisted == 1 else 's'} delisted")
        if review:
            parts.append(f"{review} sent to review")
        summary = " and ".join(parts)
        message = f"The product standards changed: {summary}. Check your e-mail for what to fix."
        notify_vendor(
            vendor,
            "listing_recheck",
            message,
            link="/sell/listings",
            email=(RECHECK_SUBJECT, _recheck_body(mine)),
        )


def _recheck_body(failures: list[_Failure]) -> str:
    lines = [
        "The marketplace's product standards changed, and some of your live listings no longer "
        "meet them. Listings that were delisted can be fixed and submitted again; listings sent "
        "to review stay hidden until a moderator has looked at them. This does not count as a "
        "strike against your shop.",
        "",
    ]
    for failure in failures[:EMAIL_LISTINGS_MAX]:
        what = "delisted" if failure.verdict == "block" else "sent to review"
        lines.append(f"“{failure.title}” (#{failure.product_id}): {what}")
        lines.extend(f"  - {message}" for message in failure.messages)
        lines.append(f"  Edit it: {listing_link(failure.product_id, external=True)}")
        lines.append("")
    if len(failures) > EMAIL_LISTINGS_MAX:
        lines.append(f"…and {len(failures) - EMAIL_LISTINGS_MAX} more in your listings.")
    return "\n".join(lines)
