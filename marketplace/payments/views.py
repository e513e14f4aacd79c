"""Payment pages: the offline gateway's card page, and where the gateways send the buyer back.

`/checkout/pay/<reference>` is the offline gateway's stand-in for Stripe Checkout. Coming back
from either gateway (`/checkout/payments/<id>/return`) never marks an order paid: only the
gateway's event does, and the buyer is told which of the two happened. Refund pages for
vendors and admins are in `refund_views` (same blueprint).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments import offline_checkout
from marketplace.payments.models import Payment, PaymentStatus
from marketplace.payments.offline_payments import TEST_CARDS, CardRefused

bp = Blueprint("payments", __name__)


class CardForm(FlaskForm):
    """A test card (nothing is charged: the offline gateway takes only the listed numbers)."""

    card_number = StringField(
        "Card number",
        validators=[DataRequired("Enter the card number."), Length(max=30)],
        render_kw={"inputmode": "numeric", "autocomplete": "cc-number"},
    )
    expiry = StringField(
        "Expiry date (MM / YY)",
        validators=[
            DataRequired("Enter the expiry date."),
            Regexp(r"^\s*(0[1-9]|1[0-2])\s*/\s*[0-9]{2}\s*$", message="Write it as MM / YY."),
        ],
        render_kw={"autocomplete": "cc-exp", "placeholder": "MM / YY"},
    )
    cvc = StringField(
        "Security code (CVC)",
        validators=[
            DataRequired("Enter the security code."),
            Regexp(r"^[0-9]{3,4}$", message="The security code has 3 or 4 digits."),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "cc-csc"},
    )


class AuthoriseForm(FlaskForm):
    """The two buttons of the authorisation step (the pressed one is read from the form)."""


def _buyer_id() -> int:
    return int(current_user.id)


def _page(reference: str) -> offline_checkout.PaymentPage:
    try:
        return offline_checkout.payment_page(reference[:120], _buyer_id())
    except offline_checkout.PaymentPageNotFound:
        abort(404, description="There is no such payment page.")


def _order_page(order: Order) -> Response:
    return redirect(url_for("buyers.order", number=order.number), code=303)


@bp.route("/checkout/pay/<reference>", methods=["GET", "POST"])
@login_required
def offline_pay(reference: str) -> ResponseReturnValue:
    """The offline gateway's payment page: pay with one of the documented test cards."""
    page = _page(reference)
    if not page.is_open:
        return _order_page(page.order)
    form = CardForm()
    if form.validate_on_submit():
        try:
            payment = offline_checkout.pay(reference, _buyer_id(), form.card_number.data)
        except CardRefused as error:
            db.session.rollback()
            form.card_number.errors.append(error.message)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return _order_page(page.order)
        else:
            db.session.commit()
            return _after_attempt(reference, payment)
    return render_template("payments/offline_pay.html", page=page, form=form, cards=TEST_CARDS)


def _after_attempt(reference: str, payment: Payment) -> Response:
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        return redirect(url_for("payments.offline_authorise", reference=reference), code=303)
    if payment.status == PaymentStatus.FAILED:
        flash(payment.failure_message or "Your payment did not go through.", "error")
        return redirect(url_for("payments.offline_pay", reference=reference), code=303)
    return redirect(url_for("payments.payment_return", payment_id=payment.id), code=303)


@bp.route("/checkout/pay/<reference>/authorise", methods=["GET", "POST"])
@login_required
def offline_authorise(reference: str) -> ResponseReturnValue:
    """The 3-D Secure-like step: the buyer authorises (or refuses) the payment."""
    page = _page(reference)
    if page.payment.status != PaymentStatus.REQUIRES_ACTION or not page.is_open:
        return redirect(url_for("payments.offline_pay", reference=reference), code=303)
    form = AuthoriseForm()
    if form.validate_on_submit():
        approve = request.form.get("decision") == "authorise"
        try:
            payment = offline_checkout.authorise(reference, _buyer_id(), approve=approve)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return _order_page(page.order)
        db.session.commit()
        return _after_attempt(reference, payment)
    return render_template("payments/offline_authorise.html", page=page, form=form)


def _own_payment(payment_id: int) -> tuple[Payment, Order]:
    payment = db.session.get(Payment, payment_id)
    order = None if payment is None else db.session.get(Order, payment.order_id)
    if payment is None or order is None or order.buyer_id != _buyer_id():
        abort(404, description="There is no such payment.")
    return payment, order


@bp.get("/checkout/payments/<int:payment_id>/return")
@login_required
def payment_return(payment_id: int) -> ResponseReturnValue:
    """Back from the gateway's page: say what the gateway has told us so far, nothing more."""
    payment, order = _own_payment(payment_id)
    if payment.status == PaymentStatus.SUCCEEDED and payment.failure_message:
        flash(payment.failure_message, "warning")  # e.g. refunded: the items sold out meanwhile
    elif payment.status == PaymentStatus.SUCCEEDED:
        flash("Payment received. Thank you for your order!", "success")
    elif payment.status == PaymentStatus.FAILED:
        flash(payment.failure_message or "Your payment did not go through.", "error")
    else:
        flash(
            "We are waiting for the payment provider to confirm your payment. This page shows "
            "the order as paid as soon as it does.",
            "info",
        )
    return _order_page(order)


@bp.get("/checkout/payments/<int:payment_id>/cancelled")
@login_required
def payment_cancelled(payment_id: int) -> ResponseReturnValue:
    """The buyer left the gateway's page without paying."""
    _payment, order = _own_payment(payment_id)
    flash("You left the payment page without paying. You can pay for the order below.", "info")
    return _order_page(order)


from marketplace.payments import refund_views  # noqa: E402, F401  (routes attach to bp)
