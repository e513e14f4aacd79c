"""Admin pages under /admin/payouts and /admin/statements (admins only): payout runs, their
bank-transfer file and settlement (offline gateway), holds on a vendor's payouts, and the
reconciliation of the vendors' statements with the platform's commission and fees."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from marketplace.accounts.decorators import admin_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import show_refusal
from marketplace.payments.gateway import get_gateway
from marketplace.payments.offline import OfflineGateway
from marketplace.payouts import bp, exports, schedules, settlement
from marketplace.payouts.balances import balances_by_vendor, vendor_balances
from marketplace.payouts.forms import (
    HoldForm,
    PeriodRefused,
    ReleaseHoldForm,
    SettleForm,
    parse_period,
)
from marketplace.payouts.models import Payout, PayoutRun, PayoutSettings
from marketplace.payouts.statements import reconcile, vendor_statement
from marketplace.vendors.models import Vendor
from marketplace.web import csv_download

RECENT_RUNS = 20
TOP_VENDORS = 50


def _currency() -> str:
    asked = (request.args.get("currency") or "").strip().upper()
    return asked if len(asked) == 3 and asked.isalpha() else current_app.config["CURRENCY"]


@bp.get("/admin/payouts")
@admin_required
def admin_payouts() -> ResponseReturnValue:
    """Recent runs, held shops, and the shops holding the most money."""
    currency = _currency()
    runs = db.session.scalars(
        select(PayoutRun).order_by(PayoutRun.started_at.desc()).limit(RECENT_RUNS)
    ).all()
    held = db.session.execute(
        select(PayoutSettings, Vendor)
        .join(Vendor, Vendor.id == PayoutSettings.vendor_id)
        .where(PayoutSettings.hold_reason.is_not(None))
        .order_by(PayoutSettings.held_at.desc())
    ).all()
    balances = sorted(
        balances_by_vendor(currency=currency).values(),
        key=lambda b: (b.available + b.pending + b.in_payout, b.owed),
        reverse=True,
    )[:TOP_VENDORS]
    names = dict(
        db.session.execute(
            select(Vendor.id, Vendor.display_name).where(
                Vendor.id.in_([b.vendor_id for b in balances])
            )
        ).all()
    )
    return render_template(
        "payouts/admin/index.html",
        runs=runs,
        held=held,
        balances=balances,
        names=names,
        currency=currency,
        offline=isinstance(get_gateway(), OfflineGateway),
    )


def _run(run_id: int) -> PayoutRun:
    run = db.session.get(PayoutRun, run_id)
    if run is None:
        abort(404)
    return run


@bp.get("/admin/payouts/runs/<int:run_id>")
@admin_required
def admin_payout_run(run_id: int) -> ResponseReturnValue:
    """A run's payouts, with the bank-transfer file and settlement for the offline gateway."""
    return _run_page(_run(run_id))


def _run_page(
    run: PayoutRun, form: SettleForm | None = None, status: int = 200
) -> ResponseReturnValue:
    rows = db.session.execute(
        select(Payout, Vendor.display_name)
        .join(Vendor, Vendor.id == Payout.vendor_id)
        .where(Payout.run_id == run.id)
        .order_by(Payout.id)
    ).all()
    totals = dict(
        db.session.execute(
            select(Payout.currency, func.sum(Payout.amount_minor))
            .where(Payout.run_id == run.id)
            .group_by(Payout.currency)
        ).all()
    )
    return render_template(
        "payouts/admin/run.html",
        run=run,
        rows=rows,
        totals=totals,
        form=form or SettleForm(),
        offline=isinstance(get_gateway(), OfflineGateway) and run.gateway == get_gateway().name,
    ), status


@bp.get("/admin/payouts/runs/<int:run_id>.csv")
@admin_required
def admin_payout_run_csv(run_id: int) -> ResponseReturnValue:
    """The bank transfers to make for the run's payouts in transit."""
    run = _run(run_id)
    return csv_download(exports.run_bank_transfer_csv(run.id), f"payout-run-{run.id}.csv")


@bp.post("/admin/payouts/<int:payout_id>/settle")
@admin_required
def admin_payout_settle(payout_id: int) -> ResponseReturnValue:
    """Record that an offline payout's bank transfer went through, or failed (audited)."""
    payout = db.session.get(Payout, payout_id)
    if payout is None or payout.run_id is None:
        abort(404)
    form = SettleForm()
    if form.validate_on_submit():
        try:
            settlement.settle_offline_payout(
                payout.id,
                paid=form.outcome.data == "paid",
                actor_id=current_user.id,
                reason=form.reason.data,
            )
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error.message, "reason")
        else:
            db.session.commit()
            flash(f"Payout {payout_id} marked {form.outcome.data}.", "success")
            return redirect(url_for("payouts.admin_payout_run", run_id=payout.run_id), code=303)
    return _run_page(_run(payout.run_id), form, 400)


def _vendor(vendor_id: int) -> Vendor:
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        abort(404)
    return vendor


def _vendor_page(
    vendor: Vendor,
    hold_form: HoldForm | None = None,
    release_form: ReleaseHoldForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    currency = _currency()
    settings = schedules.payout_settings(vendor.id)
    payouts = db.session.scalars(
        select(Payout)
        .where(Payout.vendor_id == vendor.id)
        .order_by(Payout.created_at.desc(), Payout.id.desc())
        .limit(RECENT_RUNS)
    ).all()
    return render_template(
        "payouts/admin/vendor.html",
        vendor=vendor,
        balances=vendor_balances(vendor.id, currency),
        currency=currency,
        settings=settings,
        schedule_text=schedules.describe_schedule(settings),
        payouts=payouts,
        hold_form=hold_form or HoldForm(),
        release_form=release_form or ReleaseHoldForm(),
    ), status


@bp.get("/admin/payouts/vendors/<int:vendor_id>")
@admin_required
def admin_vendor_payouts(vendor_id: int) -> ResponseReturnValue:
    """One shop's balances, schedule, payouts, and the hold on them."""
    return _vendor_page(_vendor(vendor_id))


@bp.post("/admin/payouts/vendors/<int:vendor_id>/hold")
@admin_required
def admin_vendor_hold(vendor_id: int) -> ResponseReturnValue:
    vendor = _vendor(vendor_id)
    form = HoldForm()
    if form.validate_on_submit():
        try:
            schedules.hold_payouts(vendor.id, form.reason.data, actor_id=current_user.id)
        except schedules.PayoutSettingsRefused as error:
            db.session.rollback()
            show_refusal(form, error.message, "reason")
        else:
            db.session.commit()
            flash(f"Payouts to {vendor.display_name} are on hold.", "success")
            return redirect(url_for("payouts.admin_vendor_payouts", vendor_id=vendor.id), code=303)
    return _vendor_page(vendor, hold_form=form, status=400)


@bp.post("/admin/payouts/vendors/<int:vendor_id>/unhold")
@admin_required
def admin_vendor_unhold(vendor_id: int) -> ResponseReturnValue:
    vendor = _vendor(vendor_id)
    form = ReleaseHoldForm()
    if form.validate_on_submit():
        try:
            schedules.release_hold(vendor.id, actor_id=current_user.id, reason=form.reason.data)
        except schedules.PayoutSettingsRefused as error:
            db.session.rollback()
            show_refusal(form, error.message)
        else:
            db.session.commit()
            flash(f"The hold on {vendor.display_name}'s payouts is released.", "success")
            return redirect(url_for("payouts.admin_vendor_payouts", vendor_id=vendor.id), code=303)
    return _vendor_page(vendor, release_form=form, status=400)


@bp.get("/admin/statements")
@admin_required
def admin_statements() -> ResponseReturnValue:
    """Every vendor's period side by side, reconciled with commission revenue and fees."""
    currency = _currency()
    try:
        period = parse_period(request.args)
    except PeriodRefused as error:
        return render_template(
            "payouts/admin/statements.html", refusal=error.message, args=request.args
        ), 400
    return render_template(
        "payouts/admin/statements.html",
        refusal=None,
        period=period,
        currency=currency,
        report=reconcile(period.start, period.end, currency),
        args=request.args,
    )


@bp.get("/admin/statements/vendors/<int:vendor_id>")
@admin_required
def admin_vendor_statement(vendor_id: int) -> ResponseReturnValue:
    """One vendor's statement as the vendor sees it."""
    vendor = _vendor(vendor_id)
    try:
        period = parse_period(request.args)
    except PeriodRefused as error:
        abort(400, error.message)
    statement = vendor_statement(vendor.id, period.start, period.end, _currency())
    return render_template(
        "payouts/admin/vendor_statement.html", vendor=vendor, period=period, statement=statement
    )
