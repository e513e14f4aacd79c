"""Tax rates under /admin/tax-rates: what checkout charges by destination country and region."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from marketplace.accounts.decorators import admin_required
from marketplace.admin import bp
from marketplace.admin.audit import fields_of, record_admin_action
from marketplace.extensions import db
from marketplace.forms import show_domain_error, strip_whitespace
from marketplace.orders import rates
from marketplace.orders.exceptions import TaxRateInvalid, TaxRateNotFound
from marketplace.orders.models import TaxRate
from marketplace.vendors.countries import COUNTRIES

COUNTRY_CHOICES = [
    SelectChoice("", "Choose a country"),
    *(SelectChoice(code, name) for code, name in sorted(COUNTRIES.items(), key=lambda c: c[1])),
]


class TaxRateForm(FlaskForm):
    """One destination's rate; the orders service judges the values."""

    country = SelectField(
        "Country", choices=COUNTRY_CHOICES, validators=[InputRequired("Choose a country.")]
    )
    region = StringField(
        "Region",
        filters=[strip_whitespace],
        validators=[Length(max=rates.REGION_MAX)],
        description=(
            "A state or province code as buyers type it (like OR). Empty: the whole country. "
            "A region's own rate replaces the country's."
        ),
        render_kw={"maxlength": rates.REGION_MAX},
    )
    name = StringField(
        "Name",
        filters=[strip_whitespace],
        validators=[
            InputRequired("Name the tax as buyers see it."),
            Length(max=rates.RATE_NAME_MAX),
        ],
        description="Shown to buyers in the order summary, like “Sales tax” or “VAT”.",
        render_kw={"maxlength": rates.RATE_NAME_MAX},
    )
    rate = StringField(
        "Rate (%)",
        filters=[strip_whitespace],
        validators=[InputRequired("Enter the rate as a percentage, like 8.25.")],
        description="Up to two decimals, like 8.25. Charged on items and shipping.",
        render_kw={"inputmode": "decimal", "placeholder": "8.25"},
    )


TAX_RATE_FIELDS = ("country", "region", "name", "rate_bps")


def _save(form: TaxRateForm, rate_id: int | None) -> bool:
    before = fields_of(rates.get_tax_rate(rate_id), TAX_RATE_FIELDS) if rate_id else None
    try:
        saved = rates.save_tax_rate(
            rate_id=rate_id,
            country=form.country.data,
            region=form.region.data,
            name=form.name.data,
            rate=form.rate.data,
        )
    except TaxRateInvalid as error:
        db.session.rollback()
        show_domain_error(form, error)
        return False
    record_admin_action(
        actor_id=current_user.id,
        action="tax_rate.edit" if rate_id else "tax_rate.create",
        target_type="tax_rate",
        target_id=saved.id,
        before=before,
        after=fields_of(saved, TAX_RATE_FIELDS),
    )
    db.session.commit()
    return True


def _page(form: TaxRateForm, editing: TaxRate | None = None, status: int = 200) -> Any:
    page = render_template(
        "admin/tax_rates.html",
        rates=rates.tax_rates(),
        form=form,
        editing=editing,
        countries=COUNTRIES,
        percent=rates.format_percent,
    )
    return page, status


@bp.route("/tax-rates", methods=["GET", "POST"], endpoint="tax_rates")
@admin_required
def tax_rates_page() -> ResponseReturnValue:
    """Every rate, and a form to add one."""
    form = TaxRateForm()
    if form.validate_on_submit():
        if _save(form, None):
            flash("Tax rate added.", "success")
            return redirect(url_for("admin.tax_rates"))
        return _page(form, status=422)
    return _page(form)


@bp.route("/tax-rates/<int:rate_id>", methods=["GET", "POST"], endpoint="tax_rate_edit")
@admin_required
def tax_rate_edit(rate_id: int) -> ResponseReturnValue:
    try:
        rate = rates.get_tax_rate(rate_id)
    except TaxRateNotFound as error:
        abort(404, description=error.message)
    if request.method == "POST":
        form = TaxRateForm()
    else:
        form = TaxRateForm(
            data={
                "country": rate.country,
                "region": rate.region,
                "name": rate.name,
                "rate": rates.format_percent(rate.rate_bps),
            }
        )
    if form.validate_on_submit():
        if _save(form, rate.id):
            flash("Tax rate saved.", "success")
            return redirect(url_for("admin.tax_rates"))
        return _page(form, editing=rate, status=422)
    return _page(form, editing=rate)


@bp.post("/tax-rates/<int:rate_id>/delete", endpoint="tax_rate_delete")
@admin_required
def tax_rate_delete(rate_id: int) -> ResponseReturnValue:
    try:
        rate = rates.delete_tax_rate(rate_id)
    except TaxRateNotFound as error:
        flash(error.message, "error")
        return redirect(url_for("admin.tax_rates"))
    record_admin_action(
        actor_id=current_user.id,
        action="tax_rate.delete",
        target_type="tax_rate",
        target_id=rate_id,
        before=fields_of(rate, TAX_RATE_FIELDS),
    )
    db.session.commit()
    where = (
        f"{COUNTRIES.get(rate.country, rate.country)}{', ' + rate.region if rate.region else ''}"
    )
    flash(f"Removed the tax rate for {where}.", "success")
    return redirect(url_for("admin.tax_rates"))
