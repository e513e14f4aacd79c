"""The shop's review page under /sell/reviews: its products' published reviews, a public reply
to each (once, editable), and reporting a review. A shop never edits or deletes a review."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.decorators import vendor_required
from marketplace.extensions import db
from marketplace.pagination import Page
from marketplace.reviews import bp, feedback
from marketplace.reviews.aggregates import vendor_rating
from marketplace.reviews.exceptions import ReviewError, ReviewNotFound
from marketplace.reviews.forms import ReplyForm, ReportForm
from marketplace.reviews.models import Review, ReviewStatus
from marketplace.web import page_number

VENDOR_REVIEWS_PER_PAGE = 20


def _vendor_id() -> int:
    return int(current_user.vendor.id)


def vendor_reviews_page(vendor_id: int, page: int) -> Page[Review]:
    """This shop's published reviews, newest first (scoped to the shop, never by URL id)."""
    where = (Review.vendor_id == vendor_id, Review.status == ReviewStatus.PUBLISHED)
    total = int(db.session.scalar(select(func.count(Review.id)).where(*where)) or 0)
    items = db.session.scalars(
        select(Review)
        .where(*where)
        .options(
            joinedload(Review.author),
            joinedload(Review.product),
            selectinload(Review.reply),
            selectinload(Review.photos),
        )
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(VENDOR_REVIEWS_PER_PAGE)
        .offset((page - 1) * VENDOR_REVIEWS_PER_PAGE)
    ).unique()
    return Page(list(items), total, page, VENDOR_REVIEWS_PER_PAGE)


@bp.get("/sell/reviews")
@vendor_required
def vendor_reviews() -> str:
    vendor_id = _vendor_id()
    return render_template(
        "reviews/vendor_reviews.html",
        page=vendor_reviews_page(vendor_id, page_number(request.args.get("page"))),
        summary=vendor_rating(vendor_id),
        reply_form=ReplyForm(),
        report_form=ReportForm(),
    )


@bp.post("/sell/reviews/<int:review_id>/reply")
@vendor_required
def vendor_reply(review_id: int) -> ResponseReturnValue:
    """Publish or edit the shop's one public reply to a review of its product."""
    form = ReplyForm()
    if not form.validate_on_submit():
        message = next(iter(form.errors.values()), ["Write your reply."])[0]
        flash(message, "error")
        return redirect(url_for("reviews.vendor_reviews") + f"#review-{review_id}")
    try:
        feedback.save_vendor_reply(review_id, _vendor_id(), form.body.data or "")
    except ReviewNotFound as error:
        abort(404, description=error.message)
    except ReviewError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Your reply is published.", "success")
    return redirect(url_for("reviews.vendor_reviews") + f"#review-{review_id}")


@bp.post("/sell/reviews/<int:review_id>/report")
@vendor_required
def vendor_report(review_id: int) -> ResponseReturnValue:
    """Report a review of the shop's product to the moderators."""
    form = ReportForm()
    try:
        review = feedback.vendor_review(review_id, _vendor_id())
    except ReviewNotFound as error:
        abort(404, description=error.message)
    if not form.validate_on_submit():
        flash("Say what is wrong with the review.", "error")
    else:
        try:
            feedback.report_review(review.id, int(current_user.id), form.reason.data or "")
        except ReviewError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("Thank you. A moderator will look at the review.", "success")
    return redirect(url_for("reviews.vendor_reviews") + f"#review-{review_id}")
