"""The buyer's review pages: write or edit a review of a delivered item, rate the shop, one's
own reviews, the invitation link, and helpful votes and reports on product pages."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from wtforms import SelectChoice

from marketplace.extensions import db
from marketplace.forms import show_domain_error
from marketplace.reviews import bp, feedback, invitations, services, shop_ratings
from marketplace.reviews.checks import AUTHOR_VISIBLE, CHECK_LABELS
from marketplace.reviews.exceptions import (
    InvitationInvalid,
    InvitationNotYours,
    NotEligible,
    ReviewError,
    ReviewNotFound,
)
from marketplace.reviews.forms import ConfirmForm, ReportForm, ReviewForm, ShopRatingForm
from marketplace.reviews.models import Review, ReviewStatus
from marketplace.reviews.services import ReviewInput


def _buyer_id() -> int:
    return int(current_user.id)


def _product_page(review: Review) -> str:
    return url_for("buyers.product", slug=review.product.slug) + f"#review-{review.id}"


def _order_page(number: str) -> str:
    return url_for("buyers.order", number=number)


@bp.get("/account/reviews")
@login_required
def my_reviews() -> str:
    """The buyer's reviews with their state, and delivered items and shops not rated yet."""
    return render_template(
        "reviews/my_reviews.html",
        reviews=services.buyer_reviews(_buyer_id()),
        awaiting=services.lines_awaiting_review(_buyer_id()),
        shops_awaiting=shop_ratings.vendor_orders_awaiting_rating(_buyer_id()),
        delete_form=ConfirmForm(),
        check_labels=CHECK_LABELS,
        author_visible=AUTHOR_VISIBLE,
    )


def _published_message(review: Review) -> str:
    if review.status == ReviewStatus.PUBLISHED:
        return "Thank you! Your review is published."
    return "Thank you! Your review will appear once a moderator has looked at it."


@bp.route("/account/reviews/items/<int:line_id>", methods=["GET", "POST"])
@login_required
def write_review(line_id: int) -> ResponseReturnValue:
    """The review form for one delivered line: a new review, or an edit of the buyer's own."""
    try:
        line = services.buyers_line(line_id, _buyer_id())
    except NotEligible as error:
        abort(404, description=error.message)
    review = services.review_of_line(line.id)
    number = line.vendor_order.order.number
    if review is None:
        try:
            services.reviewable_line(line.id, _buyer_id())
        except NotEligible as error:
            flash(error.message, "error")
            return redirect(_order_page(number))
    form = ReviewForm(obj=review if request.method == "GET" else None)
    if review is not None:
        form.remove_photos.choices = [
            SelectChoice(photo.id, f"Photo {index}") for index, photo in enumerate(review.photos, 1)
        ]
        form.submit.label.text = "Save changes"
    if form.validate_on_submit():
        data = ReviewInput(form.rating.data, form.title.data or "", form.body.data or "")
        uploads = request.files.getlist(form.photos.name)
        try:
            if review is None:
                saved = services.submit_review(
                    buyer_id=_buyer_id(), line_id=line.id, data=data, photos=uploads
                )
            else:
                saved = services.edit_review(
                    review_id=review.id,
                    buyer_id=_buyer_id(),
                    data=data,
                    photos=uploads,
                    remove_photo_ids=form.remove_photos.data or [],
                )
        except ReviewError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_published_message(saved), "success")
            return redirect(url_for("reviews.my_reviews"))
    return render_template(
        "reviews/write.html", form=form, line=line, review=review, order_number=number
    )


@bp.post("/account/reviews/<int:review_id>/delete")
@login_required
def delete_review(review_id: int) -> ResponseReturnValue:
    """Delete one's own review (and everything attached to it)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired. Reload the page and try again.")
    try:
        services.delete_review(review_id=review_id, buyer_id=_buyer_id())
    except ReviewNotFound as error:
        abort(404, description=error.message)
    db.session.commit()
    flash("Your review was deleted.", "success")
    return redirect(url_for("reviews.my_reviews"))


@bp.route("/account/reviews/shops/<int:vendor_order_id>", methods=["GET", "POST"])
@login_required
def rate_shop(vendor_order_id: int) -> ResponseReturnValue:
    """Rate the shop of one delivered vendor order (again, to change the rating)."""
    try:
        vendor_order = shop_ratings.buyers_vendor_order(vendor_order_id, _buyer_id())
    except NotEligible as error:
        abort(404, description=error.message)
    existing = shop_ratings.rating_of(vendor_order.id)
    form = ShopRatingForm(obj=existing if request.method == "GET" else None)
    if form.validate_on_submit():
        scores = shop_ratings.ShopScores(
            form.item_as_described.data, form.shipping_speed.data, form.communication.data
        )
        try:
            shop_ratings.rate_shop(
                vendor_order_id=vendor_order.id, buyer_id=_buyer_id(), scores=scores
            )
        except ReviewError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"Thank you for rating {vendor_order.vendor.display_name}.", "success")
            return redirect(url_for("reviews.my_reviews"))
    return render_template(
        "reviews/rate_shop.html", form=form, vendor_order=vendor_order, existing=existing
    )


@bp.get("/account/reviews/invitations/<token>")
@login_required
def invitation(token: str) -> ResponseReturnValue:
    """The link in a review invitation: for its buyer, the review form of that line."""
    try:
        line_id = invitations.line_for_token(token[:500], _buyer_id())
    except InvitationNotYours as error:
        abort(403, description=error.message)
    except InvitationInvalid as error:
        abort(400, description=error.message)
    return redirect(url_for("reviews.write_review", line_id=line_id))


@bp.post("/reviews/<int:review_id>/helpful")
@login_required
def vote(review_id: int) -> ResponseReturnValue:
    """A reader found the review helpful (one vote each; not on one's own)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired. Reload the page and try again.")
    try:
        result = feedback.vote_helpful(review_id, _buyer_id())
    except ReviewNotFound as error:
        abort(404, description=error.message)
    except ReviewError as error:
        flash(error.message, "error")
        review = db.session.get(Review, review_id)
        return redirect(_product_page(review) if review else url_for("buyers.home"))
    db.session.commit()
    flash(
        "Thanks for your feedback." if result.counted else "You already found this helpful.",
        "success",
    )
    return redirect(_product_page(result.review))


@bp.route("/reviews/<int:review_id>/report", methods=["GET", "POST"])
@login_required
def report(review_id: int) -> ResponseReturnValue:
    """Report a published review to the moderators, saying why."""
    try:
        review = feedback.published_review(review_id)
    except ReviewNotFound as error:
        abort(404, description=error.message)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            feedback.report_review(review.id, _buyer_id(), form.reason.data or "")
        except ReviewError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Thank you. A moderator will look at the review.", "success")
            return redirect(_product_page(review))
    return render_template("reviews/report.html", form=form, review=review)
