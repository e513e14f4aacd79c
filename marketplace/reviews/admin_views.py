"""Review moderation under /admin/reviews: the queue, one review with its checks, reports and
history, and the decision (approve, reject or remove, with a reason). Admins only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from marketplace.accounts.decorators import admin_required
from marketplace.extensions import db
from marketplace.forms import show_domain_error
from marketplace.reviews import bp, moderation
from marketplace.reviews.checks import CHECK_LABELS
from marketplace.reviews.exceptions import ReviewError, ReviewNotFound
from marketplace.reviews.forms import ModerationForm

DECISION_LABELS = {
    "approve": "Approve and publish",
    "reject": "Reject",
    "remove": "Remove from the product page",
}
PUBLISHED_APPROVE_LABEL = "Keep published (dismiss reports)"


def _review_or_404(review_id: int):  # type: ignore[no-untyped-def]
    try:
        return moderation.review_for_moderation(review_id)
    except ReviewNotFound as error:
        abort(404, description=error.message)


def _detail(review_id: int, form: ModerationForm, status: int = 200) -> ResponseReturnValue:
    review = _review_or_404(review_id)
    labels = dict(DECISION_LABELS)
    if review.status == "published":
        labels["approve"] = PUBLISHED_APPROVE_LABEL
    decisions = [(name, labels[name]) for name in moderation.ALLOWED.get(review.status, ())]
    page = render_template(
        "reviews/admin_detail.html",
        review=review,
        form=form,
        decisions=decisions,
        reports=moderation.reports_of(review.id),
        history=moderation.history(review.id),
        check_labels=CHECK_LABELS,
    )
    return page, status


@bp.get("/admin/reviews")
@admin_required
def admin_queue() -> str:
    return render_template(
        "reviews/admin_queue.html", rows=moderation.review_queue(), check_labels=CHECK_LABELS
    )


@bp.get("/admin/reviews/<int:review_id>")
@admin_required
def admin_review(review_id: int) -> ResponseReturnValue:
    return _detail(review_id, ModerationForm())


@bp.post("/admin/reviews/<int:review_id>/decide")
@admin_required
def admin_decide(review_id: int) -> ResponseReturnValue:
    """Apply a decision; the reason goes to the audit log (and to the author when refused)."""
    form = ModerationForm()
    if not form.validate_on_submit():
        return _detail(review_id, form, 400)
    try:
        review = moderation.decide(
            review_id=review_id,
            admin_id=int(current_user.id),
            decision=request.form.get("decision", ""),
            reason=form.reason.data or "",
        )
    except ReviewNotFound as error:
        abort(404, description=error.message)
    except ReviewError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return _detail(review_id, form, 400)
    db.session.commit()
    flash(f"Review #{review.id} is now {review.status}.", "success")
    return redirect(url_for("reviews.admin_queue"))
