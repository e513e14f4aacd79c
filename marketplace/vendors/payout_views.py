"""Seller pages under /sell/payouts: connecting the payout account at the payment gateway.

The shop becomes payable only when the gateway reports it (webhook or a retrieve): coming back
from the gateway's onboarding page only triggers a retrieve and shows what the gateway said.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from marketplace.accounts.decorators import vendor_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.payments import connect, offline
from marketplace.payments.gateway import get_gateway
from marketplace.vendors import bp
from marketplace.vendors.models import Vendor

PROVIDER_NAMES = {"stripe": "Stripe", "offline": "the offline test gateway"}


class OfflinePayoutForm(FlaskForm):
    """Test payout details for the offline gateway (nothing is paid to a real bank)."""

    account_holder_name = StringField(
        "Account holder name", validators=[DataRequired(), Length(max=offline.HOLDER_NAME_MAX)]
    )
    routing_number = StringField(
        "Routing number",
        validators=[DataRequired(), Length(max=20)],
        description=f"Test routing number: {offline.TEST_ROUTING_NUMBER}",
    )
    account_number = StringField(
        "Account number",
        validators=[DataRequired(), Length(max=30)],
        description=(
            f"Test account number: {offline.TEST_ACCOUNT_NUMBER} (ready at once), or "
            f"{offline.TEST_ACCOUNT_NUMBER_PENDING} (stays under verification)"
        ),
    )
    confirm = BooleanField(
        "These are test details: no real money moves",
        validators=[DataRequired("Tick the box to confirm the test details.")],
    )

    # The gateway's own rules, shown next to each field together with the form's.
    CLEANERS: ClassVar[dict[str, Callable[[str | None], str]]] = {
        "account_holder_name": offline.clean_holder_name,
        "routing_number": offline.clean_routing_number,
        "account_number": offline.clean_account_number,
    }

    def validate(self, extra_validators: Any = None) -> bool:
        """The form's checks, then the gateway's for every field that passed them."""
        valid = super().validate(extra_validators)
        for name, clean in self.CLEANERS.items():
            field = self[name]
            if field.errors:
                continue
            try:
                clean(field.data)
            except offline.InvalidPayoutDetails as error:
                field.errors.append(error.message)
                valid = False
        return valid


def _vendor() -> Vendor:
    return current_user.vendor


def _provider_name(gateway_name: str | None) -> str:
    return PROVIDER_NAMES.get(gateway_name or "", gateway_name or "the payment provider")


def _refused(error: DomainError) -> Response:
    """Undo the request's work, show why, and go back to the payouts page."""
    db.session.rollback()
    flash(error.message, "error")
    return redirect(url_for("vendors.payouts"))


def _to_gateway(link: str) -> Response:
    """Send the browser to an onboarding link without keeping it anywhere (caches included)."""
    response = redirect(link, code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _onboarding_urls() -> dict[str, str]:
    return {
        "refresh_url": url_for("vendors.payouts_refresh", _external=True),
        "return_url": url_for("vendors.payouts_return", _external=True),
    }


@bp.get("/payouts")
@vendor_required
def payouts() -> ResponseReturnValue:
    """The payout account's state and the button that starts or continues its setup."""
    vendor = _vendor()
    gateway = get_gateway()
    refusal = None
    try:
        connect.check_can_onboard(vendor)
    except connect.PayoutOnboardingRefused as error:
        refusal = error.message
    return render_template(
        "vendors/payouts/index.html",
        vendor=vendor,
        provider=_provider_name(gateway.name),
        account_provider=_provider_name(vendor.payout_gateway),
        account_current=vendor.payout_gateway == gateway.name,
        refusal=refusal,
    )


@bp.post("/payouts/start")
@vendor_required
def payouts_start() -> ResponseReturnValue:
    """Open the payout account if needed and go to the gateway's onboarding page."""
    try:
        link = connect.start_payout_onboarding(_vendor().id, **_onboarding_urls())
        db.session.commit()
    except DomainError as error:
        return _refused(error)
    return _to_gateway(link)


@bp.get("/payouts/refresh")
@vendor_required
def payouts_refresh() -> ResponseReturnValue:
    """The gateway sends the vendor here when a link expired: make a new one and go back."""
    try:
        link = connect.resume_payout_onboarding(_vendor().id, **_onboarding_urls())
    except DomainError as error:
        return _refused(error)
    return _to_gateway(link)


@bp.get("/payouts/return")
@vendor_required
def payouts_return() -> ResponseReturnValue:
    """Back from onboarding: ask the gateway how the account stands and show the answer."""
    vendor = _vendor()
    try:
        status = connect.sync_payout_status(vendor.id)
        db.session.commit()
    except DomainError as error:
        return _refused(error)
    return render_template(
        "vendors/payouts/return.html",
        vendor=vendor,
        status=status,
        provider=_provider_name(vendor.payout_gateway),
    )


@bp.route("/payouts/offline/<account_id>", methods=["GET", "POST"])
@vendor_required
def payouts_offline_confirm(account_id: str) -> ResponseReturnValue:
    """The offline gateway's onboarding page: the vendor confirms test payout details."""
    vendor = _vendor()
    try:
        connect.offline_gateway_for(vendor.id, account_id)
        connect.check_can_onboard(vendor)
    except connect.PayoutAccountNotFound:
        abort(404)
    except DomainError as error:
        return _refused(error)
    form = OfflinePayoutForm()
    if form.validate_on_submit():
        try:
            connect.confirm_offline_onboarding(
                vendor.id,
                account_id,
                account_holder_name=form.account_holder_name.data,
                routing_number=form.routing_number.data,
                account_number=form.account_number.data,
            )
            db.session.commit()
        except offline.InvalidPayoutDetails as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        except DomainError as error:
            return _refused(error)
        else:
            return redirect(url_for("vendors.payouts_return"), code=303)
    return render_template(
        "vendors/payouts/offline_confirm.html", vendor=vendor, form=form, account_id=account_id
    )
