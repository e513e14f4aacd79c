"""Checkout and the buyer's orders: address → shipping per vendor and summary → pay; /orders.

Checkout needs an account (a visitor is sent to sign in and comes back with the cart merged).
Before paying, the cart is re-checked once more and the total the buyer saw is compared with
the total about to be charged: any difference is shown first, never charged silently. The
order is placed (stock held), then the payment gateway takes over; the order becomes paid
only when the gateway says so.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length

from marketplace.buyers import bp
from marketplace.buyers.cart_views import current_cart
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import addresses, pricing, rates
from marketplace.orders import cart as carts
from marketplace.orders import services as order_services
from marketplace.orders.addresses import Address
from marketplace.orders.exceptions import (
    InvalidAddress,
    InvalidShippingChoice,
    LineNotPlaceable,
    OrderNotFound,
)
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments.models import Payment
from marketplace.vendors.countries import COUNTRIES

ADDRESS_KEY = "checkout_address"
SHIPPING_KEY = "checkout_shipping"
COUNTRY_CHOICES = [
    SelectChoice("", "Choose a country"),
    *(SelectChoice(code, name) for code, name in sorted(COUNTRIES.items(), key=lambda c: c[1])),
]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class MarkedRequired:
    """Labels a field required without a check of its own: the address rules judge the value
    (and say what is wrong in the buyer's terms)."""

    field_flags = {"required": True}

    def __call__(self, form: object, field: object) -> None:
        return None


def _text(
    label: str, max_length: int, autocomplete: str, *, required: bool = True, **kwargs: Any
) -> StringField:
    return StringField(
        label,
        filters=[_strip],
        validators=[Length(max=max_length), *([MarkedRequired()] if required else [])],
        render_kw={"maxlength": max_length, "autocomplete": autocomplete},
        **kwargs,
    )


class AddressForm(FlaskForm):
    """The delivery address; the orders service judges it (`addresses.clean_address`)."""

    name = _text("Full name", addresses.NAME_MAX, "shipping name")
    line1 = _text("Street address", addresses.LINE_MAX, "shipping address-line1")
    line2 = _text(
        "Apartment, suite, unit", addresses.LINE_MAX, "shipping address-line2", required=False
    )
    city = _text("Town or city", addresses.CITY_MAX, "shipping address-level2")
    region = _text(
        "State, province or region",
        addresses.REGION_MAX,
        "shipping address-level1",
        required=False,
        description="Required for the United States, Canada, Australia, Brazil, Mexico, India.",
    )
    postal_code = _text("Postal code", addresses.POSTAL_MAX, "shipping postal-code")
    country = SelectField(
        "Country",
        choices=COUNTRY_CHOICES,
        validators=[MarkedRequired()],
        render_kw={"autocomplete": "shipping country"},
    )

    address: Address | None = None

    def validate(self, extra_validators: Any = None) -> bool:
        """The form's own checks, then the address rules with the error next to its field."""
        if not super().validate(extra_validators):
            return False
        try:
            self.address = addresses.clean_address({f.name: f.data for f in self})
        except InvalidAddress as error:
            self[error.field].errors.append(error.message)
            return False
        return True


def _buyer_id() -> int:
    return int(current_user.id)


def _saved_address() -> Address | None:
    data = session.get(ADDRESS_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return addresses.clean_address(data)
    except InvalidAddress:
        return None


def _last_address() -> dict[str, Any]:
    """The address of the buyer's latest order, to spare typing it again."""
    stmt = (
        select(Order.shipping_address)
        .where(Order.buyer_id == _buyer_id())
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(1)
    )
    return dict(db.session.scalar(stmt) or {})


def _saved_choices() -> dict[int, str]:
    raw = session.get(SHIPPING_KEY) or {}
    return {int(k): str(v) for k, v in raw.items() if str(k).isdigit()}


def _reviewed_cart() -> carts.CartReview:
    """The cart re-checked; the caller commits (what the re-check fixed is kept, told once)."""
    return carts.review(current_cart())


def _committed(response: Any) -> Any:
    """Commit after rendering: the page is built from the loaded rows, not re-read ones."""
    db.session.commit()
    return response


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout() -> ResponseReturnValue:
    """Step 1: where to deliver."""
    review = _reviewed_cart()
    if review.is_empty:
        flash("Your cart is empty: add something before checking out.", "info")
        return _committed(redirect(url_for("buyers.cart")))
    if request.method == "POST":
        form = AddressForm()
    else:
        prefill = session.get(ADDRESS_KEY) or _last_address()
        form = AddressForm(data={"name": current_user.display_name, "country": "US", **prefill})
    if form.validate_on_submit() and form.address is not None:
        session[ADDRESS_KEY] = form.address.to_dict()
        return _committed(redirect(url_for("buyers.checkout_review")))
    return _committed(render_template("buyers/checkout.html", form=form, review=review))


def _quote(review: carts.CartReview, address: Address, choices: dict[int, str]) -> pricing.Quote:
    try:
        return pricing.quote(review.inputs(), review.currency, address, choices)
    except InvalidShippingChoice:  # a rate changed since it was picked: cheapest again
        session.pop(SHIPPING_KEY, None)
        return pricing.quote(review.inputs(), review.currency, address, {})


@bp.get("/checkout/review")
@login_required
def checkout_review() -> ResponseReturnValue:
    """Step 2: a shipping option per vendor, and the summary with tax and totals; then pay."""
    address = _saved_address()
    if address is None:
        return redirect(url_for("buyers.checkout"))
    review = _reviewed_cart()
    if review.is_empty:
        flash("Your cart is empty: add something before checking out.", "info")
        return _committed(redirect(url_for("buyers.cart")))
    quote, problem = None, None
    try:
        quote = _quote(review, address, _saved_choices())
    except DomainError as error:
        problem = error.message
    page = render_template(
        "buyers/checkout_review.html",
        review=review,
        quote=quote,
        problem=problem,
        address=address,
        percent=rates.format_percent,
    )
    return _committed(page)


def _posted_choices() -> dict[int, str]:
    choices = _saved_choices()
    for key, value in request.form.items():
        if key.startswith("shipping-") and key[9:].isdigit():
            choices[int(key[9:])] = value
    session[SHIPPING_KEY] = {str(k): v for k, v in choices.items()}
    return choices


@bp.post("/checkout/review")
@login_required
def checkout_submit() -> ResponseReturnValue:
    """Update the shipping choices, or place the order and go to payment."""
    address = _saved_address()
    if address is None:
        return redirect(url_for("buyers.checkout"))
    choices = _posted_choices()
    if request.form.get("action") != "pay":
        return redirect(url_for("buyers.checkout_review"))
    review = carts.review(current_cart())
    if review.is_empty or review.cart is None:
        db.session.commit()
        flash("Your cart is empty: add something before checking out.", "info")
        return redirect(url_for("buyers.cart"))
    if review.notices:
        db.session.commit()
        for notice in review.notices:
            flash(notice.message, "warning")
        flash("Your cart changed. Check the new summary before paying.", "warning")
        return redirect(url_for("buyers.checkout_review"))
    return _place(review, address, choices)


def _place(
    review: carts.CartReview, address: Address, choices: dict[int, str]
) -> ResponseReturnValue:
    try:
        quote = _quote(review, address, choices)
        if str(quote.grand_total_minor) != request.form.get("expected_total"):
            db.session.rollback()
            flash(
                "The total changed since the page was shown (a shipping or tax rate changed). "
                "Check the new total before paying.",
                "warning",
            )
            return redirect(url_for("buyers.checkout_review"))
        order = order_services.place_order(
            review.cart, current_user._get_current_object(), address, quote.shipping_choices
        )
    except LineNotPlaceable as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("buyers.cart"))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("buyers.checkout_review"))
    db.session.commit()
    session.pop(SHIPPING_KEY, None)
    return _start_payment(order)


def _start_payment(order: Order) -> ResponseReturnValue:
    """Hand over to the payment gateway; the order page is where a failure leaves the buyer."""
    from marketplace.payments import services as payment_services

    order_url = url_for("buyers.order", number=order.number)
    try:
        started = payment_services.start_payment(order.id)
    except DomainError as error:
        db.session.rollback()
        flash(f"{error.message} Your order is saved: you can pay for it below.", "error")
        return redirect(order_url)
    db.session.commit()
    target = getattr(started, "redirect_url", None)
    if not target:
        flash("The payment page could not be opened. Try again below.", "error")
        return redirect(order_url)
    return redirect(target)


# ---------------------------------------------------------------------------------------------
# The buyer's orders


def _page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 10_000))
    except ValueError:
        return 1


@bp.get("/orders")
@login_required
def orders() -> str:
    """The buyer's orders, newest first."""
    page = order_services.list_buyer_orders(_buyer_id(), _page_number())
    return render_template("buyers/orders.html", page=page)


def _own_order(number: str) -> Order:
    try:
        return order_services.get_buyer_order(_buyer_id(), number[:32])
    except OrderNotFound:
        abort(404, description="We couldn't find that order in your account.")


def _latest_payment(order: Order) -> Payment | None:
    stmt = select(Payment).where(Payment.order_id == order.id).order_by(Payment.id.desc()).limit(1)
    return db.session.scalars(stmt).first()


@bp.get("/orders/<number>")
@login_required
def order(number: str) -> str:
    """One of the buyer's orders: state, what each vendor sends, and the money."""
    item = _own_order(number)
    if order_services.is_expired(item) and item.status == OrderStatus.PENDING_PAYMENT:
        order_services.expire_reservations(
            variant_ids=[
                line.variant_id for vo in item.vendor_orders for line in vo.lines if line.variant_id
            ]
        )
        db.session.commit()
        item = _own_order(number)
    return render_template(
        "buyers/order.html",
        order=item,
        payment=_latest_payment(item),
        can_pay=item.status == OrderStatus.PENDING_PAYMENT and not order_services.is_expired(item),
        address=Address.from_stored(item.shipping_address or {}),
    )


@bp.post("/orders/<number>/pay")
@login_required
def order_pay(number: str) -> ResponseReturnValue:
    """Pay (again) for an unpaid order whose stock is still held."""
    item = _own_order(number)
    if item.status != OrderStatus.PENDING_PAYMENT or order_services.is_expired(item):
        flash("This order can't be paid any more.", "error")
        return redirect(url_for("buyers.order", number=item.number))
    return _start_payment(item)
