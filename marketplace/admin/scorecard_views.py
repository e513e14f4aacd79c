"""Vendor scorecards under /admin/scorecards, and the thresholds that flag a vendor."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from marketplace.accounts.decorators import admin_required
from marketplace.admin import bp
from marketplace.admin.scorecards import (
    FLAG_LABELS,
    InvalidThresholds,
    Thresholds,
    current_thresholds,
    save_thresholds,
    scorecards,
)
from marketplace.extensions import db
from marketplace.forms import show_refusal

RATE_FIELDS = ("max_late_shipment_rate", "max_cancellation_rate", "max_return_rate")


def _percent(label: str, description: str) -> DecimalField:
    return DecimalField(
        label,
        places=1,
        validators=[Optional(), NumberRange(min=0, max=100, message="Between 0 and 100.")],
        description=description,
        render_kw={"inputmode": "decimal"},
    )


def _count(label: str, description: str, required: bool = False) -> IntegerField:
    presence = InputRequired("Enter a number.") if required else Optional()
    return IntegerField(
        label,
        validators=[presence, NumberRange(min=0, max=100000, message="Zero or more.")],
        description=description,
        render_kw={"inputmode": "numeric"},
    )


class ThresholdsForm(FlaskForm):
    """Thresholds as admins think of them: percentages and star ratings; blank turns one off."""

    window_days = IntegerField(
        "Window (days)",
        validators=[InputRequired("Enter a number of days."), NumberRange(min=1, max=730)],
        description="Rates and violations count over this many past days.",
    )
    min_rating = DecimalField(
        "Average rating below",
        places=1,
        validators=[Optional(), NumberRange(min=1, max=5, message="Between 1 and 5 stars.")],
        description="Stars; blank: never flag on rating.",
    )
    min_reviews = _count("Ratings needed", "Before the rating is judged.", True)
    max_late_shipment_rate = _percent("Late shipments above (%)", "Blank: never flag.")
    max_cancellation_rate = _percent("Cancellations above (%)", "Blank: never flag.")
    max_return_rate = _percent("Returns above (%)", "Blank: never flag.")
    min_orders = _count("Orders needed", "Paid orders before rates are judged.", True)
    max_violations = _count("Violations above", "Listings rejected or delisted.")
    max_strikes = _count("Strikes above", "Blank: never flag.")
    submit = SubmitField("Save thresholds")

    @classmethod
    def filled_from(cls, limits: Thresholds) -> ThresholdsForm:
        data: dict[str, Any] = asdict(limits)
        for name in RATE_FIELDS:
            if data[name] is not None:
                data[name] = (Decimal(str(data[name])) * 100).normalize()
        return cls(data=data)

    def thresholds(self) -> Thresholds:
        def rate(name: str) -> float | None:
            value = self[name].data
            return None if value is None else float(value) / 100

        return Thresholds(
            window_days=self.window_days.data,
            min_rating=None if self.min_rating.data is None else float(self.min_rating.data),
            min_reviews=self.min_reviews.data,
            max_late_shipment_rate=rate("max_late_shipment_rate"),
            max_cancellation_rate=rate("max_cancellation_rate"),
            max_return_rate=rate("max_return_rate"),
            min_orders=self.min_orders.data,
            max_violations=self.max_violations.data,
            max_strikes=self.max_strikes.data,
        )


def _page(form: ThresholdsForm, limits: Thresholds, status: int = 200) -> ResponseReturnValue:
    cards = scorecards(limits)
    only_flagged = request.args.get("flagged") == "1"
    return (
        render_template(
            "admin/scorecards.html",
            cards=[card for card in cards if card.flagged] if only_flagged else cards,
            flagged_count=sum(1 for card in cards if card.flagged),
            total=len(cards),
            only_flagged=only_flagged,
            limits=limits,
            form=form,
            flag_labels=FLAG_LABELS,
        ),
        status,
    )


@bp.get("/scorecards")
@admin_required
def scorecards_page() -> ResponseReturnValue:
    """Every selling vendor's scorecard, flagged vendors first, and the thresholds form."""
    limits = current_thresholds()
    return _page(ThresholdsForm.filled_from(limits), limits)


@bp.post("/scorecards/thresholds")
@admin_required
def save_scorecard_thresholds() -> ResponseReturnValue:
    """Change the thresholds; invalid input is explained and changes nothing."""
    form = ThresholdsForm()
    if form.validate_on_submit():
        try:
            save_thresholds(form.thresholds(), actor_id=current_user.id)
        except InvalidThresholds as error:
            db.session.rollback()
            show_refusal(form, error.message)
        else:
            db.session.commit()
            flash("Thresholds saved; the scorecards below use them.", "success")
            return redirect(url_for("admin.scorecards_page"))
    return _page(form, current_thresholds(), status=400)
