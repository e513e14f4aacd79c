"""The moderation queues in one place: what waits for an admin, the oldest first, each item
with its history (admin actions from the audit log and the domain's own events)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.admin.models import AdminAction
from marketplace.catalog.models import ListingCheck, ModerationDecision, Product, ProductStatus
from marketplace.extensions import db
from marketplace.fulfilment.models import ReturnRequest, ReturnStatus
from marketplace.reviews.models import Review, ReviewCheck, ReviewReport, ReviewStatus
from marketplace.vendors.models import Vendor, VendorEvent, VendorStatus

OLDEST_SHOWN = 5
HISTORY_SHOWN = 6

T = TypeVar("T")


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened to a queued item: an admin action or a domain event."""

    at: datetime
    what: str
    detail: str | None = None
    actor: str | None = None  # an admin's e-mail; None for the system or the other party
    is_admin_action: bool = False


@dataclass(frozen=True)
class QueueItem:
    title: str
    subtitle: str
    waiting_since: datetime | None
    endpoint: str
    values: dict[str, Any]
    history: list[HistoryEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    count: int
    endpoint: str
    values: dict[str, Any]
    items: list[QueueItem]


# --- history ---------------------------------------------------------------------------------

History = dict[int, list[HistoryEntry]]  # entries by the queued row's id


def _admin_history(target_type: str, ids: Iterable[int]) -> History:
    keys = [str(i) for i in ids]
    rows = db.session.execute(
        select(AdminAction, User.email)
        .outerjoin(User, AdminAction.actor_id == User.id)
        .where(AdminAction.target_type == target_type, AdminAction.target_id.in_(keys))
    ).all()
    history: History = defaultdict(list)
    for action, email in rows:
        history[int(action.target_id)].append(
            HistoryEntry(action.at, action.action, action.reason, email, is_admin_action=True)
        )
    return history


def _ids(rows: Sequence[Any]) -> list[int]:
    return [row.id for row in rows]


def _history(
    target_type: str, rows: list[T], domain_events: Callable[[list[T]], History]
) -> History:
    """The latest entries of each queued row: its domain's events and admins' actions on it."""
    if not rows:
        return {}
    return _merge(domain_events(rows), _admin_history(target_type, _ids(rows)))


def _merge(*sources: History) -> History:
    """Each item's entries from every source, newest first, the latest few."""
    merged: History = defaultdict(list)
    for source in sources:
        for item_id, entries in source.items():
            merged[item_id].extend(entries)
    return {
        item_id: sorted(entries, key=lambda e: e.at, reverse=True)[:HISTORY_SHOWN]
        for item_id, entries in merged.items()
    }


def _vendor_events(vendors: list[Vendor]) -> History:
    history: History = defaultdict(list)
    ids = _ids(vendors)
    for event in db.session.scalars(select(VendorEvent).where(VendorEvent.vendor_id.in_(ids))):
        change = f"{event.from_status} → {event.to_status}" if event.to_status else None
        history[event.vendor_id].append(
            HistoryEntry(event.created_at, event.kind.replace("_", " "), event.reason or change)
        )
    return history


def _listing_events(products: list[Product]) -> History:
    history: History = defaultdict(list)
    ids = _ids(products)
    for decision in db.session.scalars(
        select(ModerationDecision).where(ModerationDecision.product_id.in_(ids))
    ):
        history[decision.product_id].append(
            HistoryEntry(decision.created_at, f"decision: {decision.decision}", decision.reason)
        )
    for check in db.session.scalars(select(ListingCheck).where(ListingCheck.product_id.in_(ids))):
        failed = [r.get("name") or r.get("kind") for r in check.results if not r.get("passed")]
        detail = "failed: " + ", ".join(str(name) for name in failed) if failed else "all passed"
        history[check.product_id].append(
            HistoryEntry(check.created_at, f"checked: {check.outcome}", detail)
        )
    return history


def _review_events(reviews: list[Review]) -> History:
    history: History = defaultdict(list)
    ids = _ids(reviews)
    for check in db.session.scalars(
        select(ReviewCheck).where(ReviewCheck.review_id.in_(ids), ReviewCheck.passed.is_(False))
    ):
        history[check.review_id].append(
            HistoryEntry(check.created_at, f"check failed: {check.name}", check.reason)
        )
    for report in db.session.scalars(select(ReviewReport).where(ReviewReport.review_id.in_(ids))):
        history[report.review_id].append(HistoryEntry(report.created_at, "reported", report.reason))
    return history


def _return_events(requests: list[ReturnRequest]) -> History:
    history: History = defaultdict(list)
    for request in requests:
        entries = history[request.id]
        entries.append(HistoryEntry(request.created_at, "return requested", request.reason))
        if request.decided_at:
            entries.append(
                HistoryEntry(request.decided_at, "shop answered", request.vendor_response)
            )
        if request.escalated_at:
            entries.append(
                HistoryEntry(request.escalated_at, "escalated", request.escalation_reason)
            )
    return history


# --- the queues --------------------------------------------------------------------------------


def _count(stmt: Any) -> int:
    return int(db.session.scalar(stmt) or 0)


def _oldest(stmt: Select[tuple[T]]) -> list[T]:
    """The first rows of a queue query already ordered oldest first."""
    return list(db.session.scalars(stmt.limit(OLDEST_SHOWN)))


def listings_queue() -> Queue:
    waiting = Product.status == ProductStatus.PENDING_REVIEW
    products = _oldest(
        select(Product)
        .options(selectinload(Product.vendor))
        .where(waiting)
        .order_by(Product.updated_at, Product.id)
    )
    history = _history("product", products, _listing_events)
    items = [
        QueueItem(
            product.title,
            product.vendor.display_name,
            product.updated_at,
            "admin.listing_detail",
            {"product_id": product.id},
            history.get(product.id, []),
        )
        for product in products
    ]
    count = _count(select(func.count(Product.id)).where(waiting))
    return Queue("listings", "Listings to review", count, "admin.moderation_queue", {}, items)


def reviews_queue() -> Queue:
    """Reviews held by the automatic checks, and published reviews with open reports."""
    open_reports = (
        select(ReviewReport.review_id, func.min(ReviewReport.created_at).label("first"))
        .where(ReviewReport.resolved_at.is_(None))
        .group_by(ReviewReport.review_id)
        .subquery()
    )
    waiting_since = func.coalesce(open_reports.c.first, Review.created_at)
    needs_look = (Review.status == ReviewStatus.PENDING) | open_reports.c.review_id.is_not(None)
    base = select(Review).outerjoin(open_reports, open_reports.c.review_id == Review.id)
    reviews = _oldest(base.where(needs_look).order_by(waiting_since, Review.id))
    history = _history("review", reviews, _review_events)
    items = [
        QueueItem(
            f"{'★' * review.rating} {review.title}",
            "held by checks" if review.status == ReviewStatus.PENDING else "reported",
            review.created_at,
            "reviews.admin_review",
            {"review_id": review.id},
            history.get(review.id, []),
        )
        for review in reviews
    ]
    count = _count(
        select(func.count(Review.id))
        .outerjoin(open_reports, open_reports.c.review_id == Review.id)
        .where(needs_look)
    )
    return Queue("reviews", "Reviews waiting or reported", count, "reviews.admin_queue", {}, items)


def disputes_queue() -> Queue:
    escalated = ReturnRequest.status == ReturnStatus.ESCALATED
    requests = _oldest(
        select(ReturnRequest)
        .where(escalated)
        .order_by(ReturnRequest.escalated_at, ReturnRequest.id)
    )
    history = _history("return_request", requests, _return_events)
    items = [
        QueueItem(
            f"Return #{request.id}",
            (request.escalation_reason or request.reason or "")[:120],
            request.escalated_at or request.created_at,
            "fulfilment.dispute",
            {"return_id": request.id},
            history.get(request.id, []),
        )
        for request in requests
    ]
    count = _count(select(func.count(ReturnRequest.id)).where(escalated))
    return Queue(
        "disputes", "Disputes (escalated returns)", count, "fulfilment.disputes", {}, items
    )


def applications_queue() -> Queue:
    applied = Vendor.status == VendorStatus.APPLIED
    vendors = _oldest(select(Vendor).where(applied).order_by(Vendor.created_at, Vendor.id))
    history = _history("vendor", vendors, _vendor_events)
    items = [
        QueueItem(
            vendor.display_name,
            f"{vendor.business_name} · {vendor.country}",
            vendor.created_at,
            "admin.vendor_detail",
            {"vendor_id": vendor.id},
            history.get(vendor.id, []),
        )
        for vendor in vendors
    ]
    count = _count(select(func.count(Vendor.id)).where(applied))
    return Queue(
        "applications",
        "Vendor applications",
        count,
        "admin.vendors",
        {"status": VendorStatus.APPLIED.value},
        items,
    )


def all_queues() -> list[Queue]:
    """Every queue, in the order the hub shows them."""
    return [listings_queue(), reviews_queue(), disputes_queue(), applications_queue()]
