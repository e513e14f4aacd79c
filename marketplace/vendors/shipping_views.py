"""Seller pages under /sell/shipping: the shop's shipping rates per destination country.

Every rate read or written here is looked up together with the signed-in seller's vendor id,
so a rate id typed into the URL never reaches another shop's rate.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from marketplace.accounts.decorators import vendor_required
from marketplace.catalog.services import format_price_input, listing_currencies
from marketplace.extensions import db
from marketplace.forms import show_refusal
from marketplace.orders.exceptions import ShippingRateInvalid, ShippingRateNotFound
from marketplace.orders.models import ANY_COUNTRY, ShippingRate
from marketplace.vendors import bp
from marketplace.vendors.countries import COUNTRIES
from marketplace.vendors.models import Vendor
from marketplace.vendors.services import MAX_HANDLING_DAYS, HandlingTimeInvalid, set_handling_days

# The orders services are imported where used: the orders package imports vendors while it loads.
RATE_NAME_MAX = ShippingRate.__table__.c.name.type.length

DESTINATIONS = [
    SelectChoice(ANY_COUNTRY, "Any other country"),
    *(SelectChoice(code, name) for code, name in sorted(COUNTRIES.items(), key=lambda c: c[1])),
]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ShippingRateForm(FlaskForm):
    """One shipping option to one destination; the orders service judges the values."""

    country = SelectField("Ships to", choices=DESTINATIONS, validators=[InputRequired()])
    name = StringField(
        "Option name",
        filters=[_strip],
        validators=[
            InputRequired("Name the option, like “Standard shipping”."),
            Length(max=RATE_NAME_MAX),
        ],
        description="What buyers choose at checkout, like “Standard shipping” or “Express”.",
        render_kw={"maxlength": RATE_NAME_MAX},
    )
    rate = StringField(
        "Price per order",
        filters=[_strip],
        validators=[InputRequired("Enter the shipping price (0 for free shipping).")],
        description="Charged once per order from your shop. 0 for free shipping.",
        render_kw={"inputmode": "decimal", "placeholder": "5.99"},
    )
    free_over = StringField(
        "Free when items reach",
        filters=[_strip],
        description="Shipping is free once the items from your shop cost this much.",
        render_kw={"inputmode": "decimal", "placeholder": "75.00"},
    )
    currency = SelectField("Currency", choices=[], validators=[InputRequired()])

    def setup(self) -> ShippingRateForm:
        self.currency.choices = [SelectChoice(code, code) for code in listing_currencies()]
        return self


class HandlingTimeForm(FlaskForm):
    """How long the shop takes to ship: buyers see it and each order's ship-by date uses it."""

    handling_days = IntegerField(
        "Business days to ship",
        validators=[
            InputRequired("Enter a number of business days (0 for the same day)."),
            NumberRange(0, MAX_HANDLING_DAYS, f"Choose between 0 and {MAX_HANDLING_DAYS}."),
        ],
        description="From payment to handing the parcel to the carrier. Weekends don't count.",
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_HANDLING_DAYS},
    )


def _vendor() -> Vendor:
    return current_user.vendor


def _form_for(rate: ShippingRate | None) -> ShippingRateForm:
    if request.method == "POST" or rate is None:
        return ShippingRateForm().setup()
    return ShippingRateForm(
        data={
            "country": rate.country,
            "name": rate.name,
            "rate": format_price_input(rate.rate_minor, rate.currency),
            "free_over": format_price_input(rate.free_over_minor, rate.currency),
            "currency": rate.currency,
        }
    ).setup()


def _save(form: ShippingRateForm, rate_id: int | None) -> bool:
    """Save through the service; on refusal put its message next to the field."""
    from marketplace.orders import rates

    try:
        rates.save_shipping_rate(
            _vendor().id,
            rate_id=rate_id,
            country=form.country.data,
            name=form.name.data,
            rate=form.rate.data,
            free_over=form.free_over.data,
            currency=form.currency.data,
        )
    except ShippingRateInvalid as error:
        db.session.rollback()
        show_refusal(form, error.message, error.field)
        return False
    db.session.commit()
    return True


def _page(
    form: ShippingRateForm,
    editing: ShippingRate | None = None,
    status: int = 200,
    handling_form: HandlingTimeForm | None = None,
) -> Any:
    from marketplace.orders import pricing, rates

    vendor = _vendor()
    return (
        render_template(
            "vendors/shipping.html",
            vendor=vendor,
            rates=rates.vendor_rates(vendor.id),
            form=form,
            handling_form=handling_form or HandlingTimeForm(handling_days=vendor.handling_days),
            editing=editing,
            country_label=rates.country_label,
            default_rate=(
                pricing.DEFAULT_SHIPPING_NAME,
                pricing.DEFAULT_SHIPPING_RATE_MINOR,
                pricing.DEFAULT_SHIPPING_FREE_OVER_MINOR,
            ),
        ),
        status,
    )


@bp.route("/shipping", methods=["GET", "POST"])
@vendor_required
def shipping() -> ResponseReturnValue:
    """The shop's rates, and a form to add one."""
    form = _form_for(None)
    if request.method == "GET" and not form.currency.data:
        form.currency.data = listing_currencies()[0]
    if form.validate_on_submit():
        if _save(form, None):
            flash("Shipping rate added.", "success")
            return redirect(url_for("vendors.shipping"))
        return _page(form, status=422)
    return _page(form)


@bp.post("/shipping/handling")
@vendor_required
def shipping_handling() -> ResponseReturnValue:
    """Change the shop's handling time."""
    handling_form = HandlingTimeForm()
    if handling_form.validate_on_submit():
        try:
            set_handling_days(_vendor().id, handling_form.handling_days.data)
        except HandlingTimeInvalid as error:
            db.session.rollback()
            show_refusal(handling_form, error.message, "handling_days")
        else:
            db.session.commit()
            flash("Handling time saved: new orders get ship-by dates from it.", "success")
            return redirect(url_for("vendors.shipping"))
    return _page(_form_for(None), status=422, handling_form=handling_form)


@bp.route("/shipping/<int:rate_id>", methods=["GET", "POST"])
@vendor_required
def shipping_edit(rate_id: int) -> ResponseReturnValue:
    """Change one of the shop's rates (another shop's is "not found")."""
    from marketplace.orders import rates

    try:
        rate = rates.get_vendor_rate(_vendor().id, rate_id)
    except ShippingRateNotFound as error:
        abort(404, description=error.message)
    form = _form_for(rate)
    if form.validate_on_submit():
        if _save(form, rate.id):
            flash("Shipping rate saved.", "success")
            return redirect(url_for("vendors.shipping"))
        return _page(form, editing=rate, status=422)
    return _page(form, editing=rate)


@bp.post("/shipping/<int:rate_id>/delete")
@vendor_required
def shipping_delete(rate_id: int) -> ResponseReturnValue:
    """Remove one of the shop's rates."""
    from marketplace.orders import rates

    try:
        rate = rates.delete_shipping_rate(_vendor().id, rate_id)
    except ShippingRateNotFound as error:
        flash(error.message, "error")
        return redirect(url_for("vendors.shipping"))
    db.session.commit()
    flash(f"Removed “{rate.name}” to {rates.country_label(rate.country)}.", "success")
    return redirect(url_for("vendors.shipping"))
