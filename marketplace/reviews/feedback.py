"""What others do with a published review: readers vote it helpful or report it, and the shop
that sold the item replies once in public (and may edit the reply) or reports it. Nobody but
its author can change or delete a review."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.reviews.checks import ReviewDraft, check_abuse, check_contact_details, check_links
from marketplace.reviews.exceptions import (
    InvalidReview,
    ReportRefused,
    VoteRefused,
)
from marketplace.reviews.models import Review, ReviewReport, ReviewStatus, ReviewVote, VendorReply
from marketplace.reviews.queries import review_where

REPORT_REASON_MAX = 1000
REPLY_MAX = 2000


def published_review(review_id: int) -> Review:
    return review_where(review_id, Review.status == ReviewStatus.PUBLISHED)


# --- helpful votes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteResult:
    review: Review
    counted: bool  # False when the reader had already voted


def vote_helpful(review_id: int, user_id: int) -> VoteResult:
    """One "helpful" per reader and review; never on one's own review."""
    review = published_review(review_id)
    if review.author_id == user_id:
        raise VoteRefused()
    existing = db.session.scalar(
        select(ReviewVote.id).where(
            ReviewVote.review_id == review.id, ReviewVote.user_id == user_id
        )
    )
    if existing is not None:
        return VoteResult(review, counted=False)
    try:
        with db.session.begin_nested():
            db.session.add(ReviewVote(review_id=review.id, user_id=user_id, helpful=True))
    except IntegrityError:
        return VoteResult(review, counted=False)  # a double click raced us: one vote stands
    _recount_helpful(review)
    return VoteResult(review, counted=True)


def _recount_helpful(review: Review) -> None:
    """Set the stored count from the votes themselves, so concurrent votes cannot drift it."""
    votes = (
        select(func.count())
        .where(ReviewVote.review_id == review.id, ReviewVote.helpful.is_(True))
        .scalar_subquery()
    )
    db.session.execute(
        update(Review)
        .where(Review.id == review.id)
        .values(helpful_count=votes)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(review, ["helpful_count"])


def voted_review_ids(user_id: int | None, review_ids: list[int]) -> set[int]:
    """Which of these reviews the reader has already voted helpful."""
    if user_id is None or not review_ids:
        return set()
    return set(
        db.session.scalars(
            select(ReviewVote.review_id).where(
                ReviewVote.user_id == user_id, ReviewVote.review_id.in_(review_ids)
            )
        )
    )


# --- reports -----------------------------------------------------------------------------------


def report_review(review_id: int, reporter_id: int, reason: str) -> ReviewReport:
    """Send a published review to the moderators with the reader's (or the shop's) reason."""
    review = published_review(review_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidReview("Say what is wrong with the review.", field="reason")
    if len(reason) > REPORT_REASON_MAX:
        raise InvalidReview(f"Keep it to {REPORT_REASON_MAX} characters.", field="reason")
    if review.author_id == reporter_id:
        raise ReportRefused("You can edit or delete your own review instead of reporting it.")
    report = ReviewReport(review_id=review.id, reporter_id=reporter_id, reason=reason)
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        raise ReportRefused() from None
    return report


# --- the shop's reply --------------------------------------------------------------------------


def vendor_review(review_id: int, vendor_id: int) -> Review:
    """A review of one of this shop's products; other shops' reviews look like they don't exist."""
    return review_where(review_id, Review.vendor_id == vendor_id)


def _check_reply_text(body: str, review: Review) -> None:
    """A public reply is held to the review rules that keep sales on the marketplace."""
    draft = ReviewDraft(
        author_id=0,
        vendor_id=review.vendor_id,
        order_line_id=review.order_line_id,
        title="",
        body=body,
        now=utcnow(),
    )
    for check in (check_abuse, check_links, check_contact_details):
        outcome = check(draft)
        if not outcome.passed:
            raise InvalidReview(f"The reply can't be published: {outcome.reason}", field="body")


def save_vendor_reply(review_id: int, vendor_id: int, body: str) -> VendorReply:
    """The shop's one public reply: written once, edited afterwards (never a second one)."""
    review = vendor_review(review_id, vendor_id)
    if review.status != ReviewStatus.PUBLISHED:
        raise InvalidReview("You can reply once the review is published.", field="body")
    body = (body or "").strip()
    if not body:
        raise InvalidReview("Write your reply.", field="body")
    if len(body) > REPLY_MAX:
        raise InvalidReview(f"Keep the reply to {REPLY_MAX} characters.", field="body")
    _check_reply_text(body, review)
    reply = review.reply
    if reply is None:
        reply = VendorReply(vendor_id=vendor_id, body=body)
        review.reply = reply
    else:
        reply.body = body
    db.session.flush()
    return reply
