"""Seller pages under /sell/payouts and /sell/statements: the payout account at the payment
gateway, the shop's balances, payout schedule and payouts, and its statements.

The shop becomes payable only when the gateway reports it (webhook or a retrieve): coming back
from the gateway's onboarding page only triggers a retrieve and shows what the gateway said.
Every figure is the signed-in vendor's own: nothing here takes a vendor id from the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask import (
    Response as FlaskResponse,
)
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from marketplace.accounts.decorators import vendor_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import show_refusal
from marketplace.payments import connect, offline
from marketplace.payments.gateway import get_gateway
from marketplace.payouts import exports, schedules
from marketplace.payouts.balances import vendor_balances
from marketplace.payouts.forms import PeriodRefused, ScheduleForm, parse_period
from marketplace.payouts.models import LedgerAccount, Payout
from marketplace.payouts.statements import vendor_statement
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


RECENT_PAYOUTS = 20


def _currency() -> str:
    """The currency asked for, if the shop has money in it; else the marketplace's."""
    asked = (request.args.get("currency") or "").upper()
    owned = set(
        db.session.scalars(
            select(LedgerAccount.currency).where(LedgerAccount.vendor_id == _vendor().id).distinct()
        )
    )
    return asked if asked in owned else current_app.config["CURRENCY"]


def _schedule_form(settings) -> ScheduleForm:
    values = schedules.settings_values(settings)
    form = ScheduleForm()
    if not form.is_submitted():
        form.schedule.data = str(values["schedule"])
        form.weekday.data = str(values["weekday"])
        form.month_day.data = str(values["month_day"])
    return form


def _payouts_page(form: ScheduleForm | None = None, status: int = 200) -> ResponseReturnValue:
    vendor = _vendor()
    gateway = get_gateway()
    refusal = None
    try:
        connect.check_can_onboard(vendor)
    except connect.PayoutOnboardingRefused as error:
        refusal = error.message
    settings = schedules.payout_settings(vendor.id)
    currency = _currency()
    recent = db.session.scalars(
        select(Payout)
        .where(Payout.vendor_id == vendor.id)
        .order_by(Payout.created_at.desc(), Payout.id.desc())
        .limit(RECENT_PAYOUTS)
    ).all()
    return render_template(
        "vendors/payouts/index.html",
        vendor=vendor,
        provider=_provider_name(gateway.name),
        account_provider=_provider_name(vendor.payout_gateway),
        account_current=vendor.payout_gateway == gateway.name,
        refusal=refusal,
        balances=vendor_balances(vendor.id, currency),
        currency=currency,
        settings=settings,
        schedule_text=schedules.describe_schedule(settings),
        schedule_form=form or _schedule_form(settings),
        minimum=int(current_app.config.get("PAYOUT_MINIMUM_MINOR", 0)),
        recent=recent,
    ), status


@bp.get("/payouts")
@vendor_required
def payouts() -> ResponseReturnValue:
    """The payout account, balances, schedule and recent payouts of the shop."""
    return _payouts_page()


@bp.post("/payouts/schedule")
@vendor_required
def payouts_schedule() -> ResponseReturnValue:
    """The vendor chooses how often it is paid."""
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _payouts_page(form, 400)
    try:
        schedules.set_schedule(
            _vendor().id,
            form.schedule.data,
            weekday=int(form.weekday.data),
            month_day=int(form.month_day.data),
        )
    except schedules.PayoutSettingsRefused as error:
        db.session.rollback()
        show_refusal(form, error.message, "schedule")
        return _payouts_page(form, 400)
    db.session.commit()
    flash("Payout schedule saved.", "success")
    return redirect(url_for("vendors.payouts"), code=303)


def _statement_or_refusal():
    try:
        period = parse_period(request.args)
    except PeriodRefused as error:
        return None, None, error.message
    currency = _currency()
    return period, vendor_statement(_vendor().id, period.start, period.end, currency), None


@bp.get("/statements")
@vendor_required
def statements() -> ResponseReturnValue:
    """The shop's statement for a month (the current one by default) or any date range."""
    period, statement, refusal = _statement_or_refusal()
    if refusal:
        return render_template(
            "vendors/payouts/statement.html",
            vendor=_vendor(),
            refusal=refusal,
            period=None,
            statement=None,
            args=request.args,
        ), 400
    return render_template(
        "vendors/payouts/statement.html",
        vendor=_vendor(),
        period=period,
        statement=statement,
        refusal=None,
        args=request.args,
    )


@bp.get("/statements/print")
@vendor_required
def statements_print() -> ResponseReturnValue:
    """The same statement laid out for printing (or saving as PDF from the browser)."""
    period, statement, refusal = _statement_or_refusal()
    if refusal:
        abort(400, refusal)
    return render_template(
        "vendors/payouts/statement_print.html", vendor=_vendor(), period=period, statement=statement
    )


@bp.get("/statements.csv")
@vendor_required
def statements_csv() -> ResponseReturnValue:
    """The statement as a CSV file."""
    period, statement, refusal = _statement_or_refusal()
    if refusal:
        abort(400, refusal)
    filename = f"statement-{_vendor().slug}-{period.slug}-{statement.currency}.csv"
    return FlaskResponse(
        exports.statement_csv(statement),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
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
