"""The review moderation queue: reviews held by a failed check and published ones readers
reported. Moderators approve (publish, dismissing reports), reject a held review, or remove a
published one, always with a reason; each decision is written to the admin audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from marketplace.admin.audit import history_of, record_admin_action
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.reviews.exceptions import InvalidReview
from marketplace.reviews.models import Review, ReviewReport, ReviewStatus
from marketplace.reviews.queries import review_where
from marketplace.reviews.tasks import schedule_refresh

DECISIONS = {
    "approve": ReviewStatus.PUBLISHED,
    "reject": ReviewStatus.REJECTED,
    "remove": ReviewStatus.REMOVED,
}
# Which decisions make sense from which state.
ALLOWED = {
    ReviewStatus.PENDING: ("approve", "reject"),
    ReviewStatus.PUBLISHED: ("approve", "remove"),  # approve = keep it, dismiss the reports
    ReviewStatus.REJECTED: ("approve",),
    ReviewStatus.REMOVED: ("approve",),
}
REASON_MAX = 2000
AUDIT_TARGET = "review"


@dataclass(frozen=True)
class QueueRow:
    review: Review
    open_reports: int


def _open_reports():  # type: ignore[no-untyped-def]
    return (
        select(func.count(ReviewReport.id))
        .where(ReviewReport.review_id == Review.id, ReviewReport.resolved_at.is_(None))
        .correlate(Review)
        .scalar_subquery()
    )


def review_queue(limit: int = 200) -> list[QueueRow]:
    """Held reviews and reported published ones, oldest first."""
    open_reports = _open_reports()
    stmt = (
        select(Review, open_reports.label("open_reports"))
        .where(
            or_(
                Review.status == ReviewStatus.PENDING,
                (Review.status == ReviewStatus.PUBLISHED) & (open_reports > 0),
            )
        )
        .options(selectinload(Review.checks), selectinload(Review.author))
        .order_by(Review.created_at, Review.id)
        .limit(limit)
    )
    return [QueueRow(review, count) for review, count in db.session.execute(stmt)]


def pending_review_count() -> int:
    """Reviews waiting for a moderator because a check failed (for the admin hub)."""
    stmt = select(func.count()).select_from(Review).where(Review.status == ReviewStatus.PENDING)
    return int(db.session.scalar(stmt) or 0)


def open_report_count() -> int:
    stmt = select(func.count()).select_from(ReviewReport).where(ReviewReport.resolved_at.is_(None))
    return int(db.session.scalar(stmt) or 0)


def review_for_moderation(review_id: int) -> Review:
    return review_where(review_id)


def reports_of(review_id: int) -> list[ReviewReport]:
    return list(
        db.session.scalars(
            select(ReviewReport)
            .where(ReviewReport.review_id == review_id)
            .order_by(ReviewReport.created_at.desc())
        )
    )


def history(review_id: int) -> list:  # type: ignore[type-arg]
    """The admin decisions about this review, newest first."""
    return history_of(AUDIT_TARGET, review_id)


def decide(
    *, review_id: int, admin_id: int, decision: str, reason: str, now: datetime | None = None
) -> Review:
    """Apply a moderator's decision with its reason; the open reports are resolved by it."""
    now = now or utcnow()
    review = review_for_moderation(review_id)
    reason = (reason or "").strip()
    if decision not in DECISIONS:
        raise InvalidReview("Choose approve, reject or remove.", field="decision")
    if decision not in ALLOWED.get(ReviewStatus(review.status), ()):
        raise InvalidReview(
            f"A {review.status} review can't be given the decision “{decision}”.", field="decision"
        )
    if not reason:
        raise InvalidReview("Give a reason; it is kept in the audit log.", field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidReview(f"Keep the reason to {REASON_MAX} characters.", field="reason")
    before = {"status": review.status}
    review.status = DECISIONS[decision]
    if review.status == ReviewStatus.PUBLISHED:
        review.published_at = review.published_at or now
        review.moderation_reason = None
    else:
        review.moderation_reason = reason
    resolved = db.session.execute(
        update(ReviewReport)
        .where(ReviewReport.review_id == review.id, ReviewReport.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=admin_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    record_admin_action(
        actor_id=admin_id,
        action=f"review.{decision}",
        target_type=AUDIT_TARGET,
        target_id=review.id,
        before=before,
        after={"status": review.status, "reports_resolved": resolved},
        reason=reason,
    )
    schedule_refresh(product_id=review.product_id, vendor_id=review.vendor_id)
    return review
