"""Writing, editing and deleting reviews, and who may: the buyer of a delivered order line.

Eligibility: the line's vendor order is delivered (or was returned after delivery), or a
delivered parcel contained the line. A returned or fully refunded line may still be reviewed
(the buyer received it and has something to say), but the review is not marked "verified"
(which means the buyer kept the item). Every write runs the automatic checks: a review that
passes them all is published; one that fails any waits for a moderator. A review a moderator
rejected or removed goes back to the moderator when its author edits it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError

from marketplace.catalog.images import Upload
from marketplace.extensions import db
from marketplace.fulfilment.models import Shipment, ShipmentLine, ShipmentStatus
from marketplace.jobs import enqueue
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, OrderLine, VendorOrder, VendorOrderStatus
from marketplace.reviews import photos as review_photos
from marketplace.reviews.checks import ReviewDraft, all_passed, run_checks, text_hash
from marketplace.reviews.exceptions import (
    AlreadyReviewed,
    InvalidReview,
    NotEligible,
)
from marketplace.reviews.models import Review, ReviewCheck, ReviewReport, ReviewStatus, ReviewVote
from marketplace.reviews.queries import review_where
from marketplace.reviews.tasks import schedule_refresh

DELIVERED_STATES = (VendorOrderStatus.DELIVERED, VendorOrderStatus.RETURNED)
TITLE_MAX = 120
BODY_MAX = 5000
MODERATOR_HELD = (ReviewStatus.REJECTED, ReviewStatus.REMOVED)


@dataclass(frozen=True)
class ReviewInput:
    """What the buyer wrote."""

    rating: int
    title: str
    body: str


# --- eligibility -------------------------------------------------------------------------------


def line_delivered(line: OrderLine) -> bool:
    """Whether the buyer has received this line (whole vendor order or a parcel with it)."""
    if line.vendor_order.status in DELIVERED_STATES:
        return True
    delivered_parcel = exists().where(
        ShipmentLine.order_line_id == line.id,
        ShipmentLine.shipment_id == Shipment.id,
        Shipment.status == ShipmentStatus.DELIVERED,
    )
    return bool(db.session.scalar(select(delivered_parcel)))


def line_kept(line: OrderLine) -> bool:
    """The buyer still has at least one unit: not returned or refunded in full."""
    return line.quantity_returned < line.quantity and line.quantity_refunded < line.quantity


def buyers_line(line_id: int, buyer_id: int) -> OrderLine:
    """An order line of this buyer's; anyone else's looks like it does not exist."""
    line = db.session.scalar(
        select(OrderLine)
        .join(VendorOrder, OrderLine.vendor_order_id == VendorOrder.id)
        .join(Order, VendorOrder.order_id == Order.id)
        .where(OrderLine.id == line_id, Order.buyer_id == buyer_id)
    )
    if line is None:
        raise NotEligible("We couldn't find that item in your orders.")
    return line


def reviewable_line(line_id: int, buyer_id: int) -> OrderLine:
    """The buyer's delivered line, or NotEligible saying why it can't be reviewed."""
    line = buyers_line(line_id, buyer_id)
    if line.product_id is None:
        raise NotEligible("This item is no longer listed, so it can't be reviewed.")
    if not line_delivered(line):
        raise NotEligible("You can review this item once it has been delivered to you.")
    return line


def review_of_line(line_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.order_line_id == line_id))


def own_review(review_id: int, author_id: int) -> Review:
    """The author's review; anyone else's looks like it does not exist."""
    return review_where(review_id, Review.author_id == author_id)


# --- input -------------------------------------------------------------------------------------


def clean_input(data: ReviewInput) -> ReviewInput:
    """Trim and bound what was written; InvalidReview names the field that is wrong."""
    if not isinstance(data.rating, int) or not 1 <= data.rating <= 5:
        raise InvalidReview("Choose from 1 to 5 stars.", field="rating")
    title = " ".join((data.title or "").split())
    body = (data.body or "").strip()
    if not title:
        raise InvalidReview("Give your review a title.", field="title")
    if len(title) > TITLE_MAX:
        raise InvalidReview(f"Keep the title to {TITLE_MAX} characters.", field="title")
    if not body:
        raise InvalidReview("Write what you thought of the item.", field="body")
    if len(body) > BODY_MAX:
        raise InvalidReview(f"Keep the review to {BODY_MAX} characters.", field="body")
    return ReviewInput(data.rating, title, body)


# --- checks ------------------------------------------------------------------------------------


def apply_checks(review: Review, now: datetime, *, hold: bool = False) -> None:
    """Run every check on the review's text, store each outcome, and publish or hold it."""
    draft = ReviewDraft(
        author_id=review.author_id,
        vendor_id=review.vendor_id,
        order_line_id=review.order_line_id,
        title=review.title,
        body=review.body,
        now=now,
        review_id=review.id,
    )
    outcomes = run_checks(draft)
    stored = {check.name: check for check in review.checks}
    for outcome in outcomes:
        row = stored.get(outcome.name)
        if row is None:
            review.checks.append(
                ReviewCheck(
                    name=outcome.name, passed=outcome.passed, reason=outcome.reason, created_at=now
                )
            )
        else:
            row.passed, row.reason, row.created_at = outcome.passed, outcome.reason, now
    if hold or not all_passed(outcomes):
        review.status = ReviewStatus.PENDING
    else:
        review.status = ReviewStatus.PUBLISHED
        review.published_at = review.published_at or now
    db.session.flush()


# --- the buyer's actions -----------------------------------------------------------------------


def submit_review(
    *,
    buyer_id: int,
    line_id: int,
    data: ReviewInput,
    photos: Sequence[Upload] = (),
    now: datetime | None = None,
) -> Review:
    """Review a delivered line (once); published at once if every check passes."""
    now = now or utcnow()
    line = reviewable_line(line_id, buyer_id)
    if review_of_line(line.id) is not None:
        raise AlreadyReviewed()
    data = clean_input(data)
    images = review_photos.validate_photos(review_photos.chosen_uploads(photos))
    review = Review(
        order_line_id=line.id,
        product_id=line.product_id,
        vendor_id=line.vendor_order.vendor_id,
        author_id=buyer_id,
        rating=data.rating,
        title=data.title,
        body=data.body,
        verified=line_kept(line),
        text_hash=text_hash(data.body),
        status=ReviewStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:
        raise AlreadyReviewed() from None
    review_photos.attach_photos(review, images)
    apply_checks(review, now)
    schedule_refresh(product_id=review.product_id, vendor_id=review.vendor_id)
    return review


def edit_review(
    *,
    review_id: int,
    buyer_id: int,
    data: ReviewInput,
    photos: Sequence[Upload] = (),
    remove_photo_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> Review:
    """Change one's own review; the new text is checked again before it shows."""
    now = now or utcnow()
    review = own_review(review_id, buyer_id)
    data = clean_input(data)
    removing = [photo for photo in review.photos if photo.id in set(remove_photo_ids)]
    kept_count = len(review.photos) - len(removing)
    images = review_photos.validate_photos(review_photos.chosen_uploads(photos), already=kept_count)
    hold = review.status in MODERATOR_HELD
    review.rating, review.title, review.body = data.rating, data.title, data.body
    review.text_hash = text_hash(data.body)
    review.verified = line_kept(review.order_line)
    review.edited_at = now
    review.moderation_reason = None
    removed_keys = [photo.storage_key for photo in removing]
    for photo in removing:
        review.photos.remove(photo)
    review_photos.attach_photos(review, images)
    if removed_keys:
        enqueue(review_photos.delete_photo_files, removed_keys)
    apply_checks(review, now, hold=hold)
    schedule_refresh(product_id=review.product_id, vendor_id=review.vendor_id)
    return review


def delete_review(*, review_id: int, buyer_id: int) -> None:
    """Delete one's own review with its photos, votes, reports and the shop's reply."""
    review = own_review(review_id, buyer_id)
    keys = [photo.storage_key for photo in review.photos]
    product_id, vendor_id = review.product_id, review.vendor_id
    db.session.execute(delete(ReviewVote).where(ReviewVote.review_id == review.id))
    db.session.execute(delete(ReviewReport).where(ReviewReport.review_id == review.id))
    db.session.delete(review)
    db.session.flush()
    if keys:
        enqueue(review_photos.delete_photo_files, keys)
    schedule_refresh(product_id=product_id, vendor_id=vendor_id)


def buyer_reviews(buyer_id: int) -> list[Review]:
    """The buyer's own reviews, newest first, whatever their status."""
    return list(
        db.session.scalars(
            select(Review).where(Review.author_id == buyer_id).order_by(Review.created_at.desc())
        )
    )


@dataclass(frozen=True)
class AwaitingReview:
    """A delivered line the buyer has not reviewed yet."""

    line: OrderLine
    order_number: str
    vendor_name: str


def lines_awaiting_review(buyer_id: int, limit: int = 20) -> list[AwaitingReview]:
    """Recently delivered lines of the buyer's without a review, newest orders first."""
    reviewed = select(Review.id).where(Review.order_line_id == OrderLine.id)
    rows = db.session.execute(
        select(OrderLine, Order.number, VendorOrder)
        .join(VendorOrder, OrderLine.vendor_order_id == VendorOrder.id)
        .join(Order, VendorOrder.order_id == Order.id)
        .where(
            Order.buyer_id == buyer_id,
            VendorOrder.status.in_(DELIVERED_STATES),
            OrderLine.product_id.is_not(None),
            ~exists(reviewed),
        )
        .order_by(Order.created_at.desc(), OrderLine.id)
        .limit(limit)
    ).all()
    return [AwaitingReview(line, number, vo.vendor.display_name) for line, number, vo in rows]
