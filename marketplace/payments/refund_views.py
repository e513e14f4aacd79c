"""Refund pages: a shop refunds its own part of an order (/sell/...), an admin any (/admin/...).

The forms choose everything left of a vendor order, or some units of some lines and/or the
shipping, and optionally put the units back in stock. A refused refund (more than is left,
nothing chosen, the gateway saying no) shows why and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, RadioField, SelectChoice

from marketplace.accounts.decorators import admin_required, vendor_required
from marketplace.admin.audit import record_admin_action
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import required_text
from marketplace.payments import refund_queries as queries
from marketplace.payments import refunding
from marketplace.payments.models import Refund, ReversalStatus
from marketplace.payments.views import bp
from marketplace.web import format_money

WHAT_CHOICES = [
    SelectChoice("all", "Everything not yet refunded (items, shipping and tax)"),
    SelectChoice("lines", "Only what I choose below"),
]


class RefundForm(FlaskForm):
    what = RadioField("What to refund", choices=WHAT_CHOICES, default="all")
    shipping = BooleanField("Refund the shipping too")
    restock = BooleanField("Put the refunded units back in stock")
    reason = required_text(
        "Reason (the buyer sees it)",
        required="Say why you are refunding.",
        max_length=refunding.REASON_MAX,
    )


class WholeOrderForm(FlaskForm):
    restock = BooleanField("Put every unit back in stock")
    reason = required_text(
        "Reason (the buyer sees it)",
        required="Say why you are refunding.",
        max_length=refunding.REASON_MAX,
    )


class RefundFormProblem(DomainError):
    """Quantities typed into the refund form that cannot be read."""


def _quantities(sheet: queries.RefundSheet, form: Mapping[str, str]) -> dict[int, int]:
    """The units typed per line (`qty-<line id>`), blank meaning none."""
    chosen: dict[int, int] = {}
    for entry in sheet.lines:
        raw = (form.get(f"qty-{entry.line.id}") or "").strip()
        if not raw:
            continue
        if not raw.isdigit():
            raise RefundFormProblem(f"Enter a whole number of units for “{entry.line.title}”.")
        if int(raw) > 0:
            chosen[entry.line.id] = int(raw)
    return chosen


def _request(sheet: queries.RefundSheet, form: RefundForm) -> refunding.RefundRequest:
    vendor_order_id = sheet.vendor_order.id
    if form.what.data == "all":
        return refunding.RefundRequest(
            vendor_order_id, form.reason.data or "", restock=form.restock.data
        )
    quantities = _quantities(sheet, request.form)
    if not quantities and not form.shipping.data:
        raise RefundFormProblem("Choose at least one unit to refund, or the shipping.")
    return refunding.RefundRequest(
        vendor_order_id,
        form.reason.data or "",
        quantities=quantities,
        shipping=bool(form.shipping.data),
        restock=form.restock.data,
    )


def _announce(done: Refund) -> None:
    amount = format_money(done.amount_minor, done.currency)
    flash(f"Refunded {amount} to the buyer.", "success")
    if done.reversal_status == ReversalStatus.FAILED:
        flash(
            "The shop's balance could not cover its share of the refund, so that share is "
            f"recorded as owed to the marketplace ({done.failure_message}).",
            "warning",
        )


def _audit_admin_refund(done: Refund) -> None:
    """One audit row per refund an admin makes (in the refund's transaction)."""
    record_admin_action(
        actor_id=current_user.id,
        action="order.refund",
        target_type="vendor_order",
        target_id=done.vendor_order_id,
        after={
            "refund_id": done.id,
            "amount_minor": done.amount_minor,
            "currency": done.currency,
            "shipping_minor": done.shipping_minor,
            "tax_minor": done.tax_minor,
            "lines": done.lines,
            "restock": done.restock,
        },
        reason=done.reason,
    )


def _submit(sheet: queries.RefundSheet, form: RefundForm, vendor_id: int | None) -> bool:
    """Make the refund the form asks for; False (with the reason on the form) when refused."""
    try:
        done = refunding.refund(
            _request(sheet, form), actor_id=current_user.id, vendor_id=vendor_id
        )
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return False
    if vendor_id is None:  # the marketplace's refund, not the shop's own: audit it
        _audit_admin_refund(done)
    db.session.commit()
    _announce(done)
    return True


# ---------------------------------------------------------------------------------------------
# The shop's pages


@bp.get("/sell/refunds")
@vendor_required
def vendor_refunds() -> str:
    """The shop's paid orders (to refund) and the refunds it has made."""
    vendor_id = current_user.vendor.id
    return render_template(
        "payments/vendor_refunds.html",
        vendor=current_user.vendor,
        vendor_orders=queries.vendor_refundable_orders(vendor_id),
        refunds=queries.vendor_refunds(vendor_id),
    )


@bp.route("/sell/orders/<int:vendor_order_id>/refund", methods=["GET", "POST"])
@vendor_required
def vendor_refund(vendor_order_id: int) -> ResponseReturnValue:
    """Refund some or all of one of the shop's own vendor orders."""
    vendor_id = current_user.vendor.id
    vendor_order = queries.vendor_order_of(vendor_id, vendor_order_id)
    if vendor_order is None:
        abort(404, description="There is no such order in your shop.")
    sheet = queries.refund_sheet(vendor_order)
    form = RefundForm()
    status = 200
    if form.validate_on_submit():
        if _submit(sheet, form, vendor_id):
            return redirect(url_for("payments.vendor_refund", vendor_order_id=vendor_order_id), 303)
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template(
        "payments/vendor_refund.html", sheet=sheet, form=form, vendor=current_user.vendor
    ), status


# ---------------------------------------------------------------------------------------------
# The admin's pages


@bp.get("/admin/refunds")
@admin_required
def admin_refunds() -> ResponseReturnValue:
    """Recent refunds, and finding an order to refund by its number."""
    number = (request.args.get("number") or "").strip()
    if number:
        order = queries.order_by_number(number)
        if order is not None:
            return redirect(url_for("payments.admin_refund", number=order.number))
        flash(f"There is no order {number}.", "error")
    return render_template("payments/admin_refunds.html", refunds=queries.recent_refunds())


def _admin_order(number: str):
    order = queries.order_by_number(number)
    if order is None:
        abort(404, description="There is no such order.")
    return order


@bp.route("/admin/orders/<number>/refund", methods=["GET", "POST"])
@admin_required
def admin_refund(number: str) -> ResponseReturnValue:
    """Refund any part of an order: one vendor order's lines, or a whole vendor order."""
    order = _admin_order(number)
    sheets = [queries.refund_sheet(vo) for vo in order.vendor_orders]
    form = RefundForm()
    status = 200
    if form.validate_on_submit():
        wanted = request.form.get("vendor_order_id", type=int)
        sheet = next((s for s in sheets if s.vendor_order.id == wanted), None)
        if sheet is None:
            form.form_errors.append("Choose which shop's part of the order to refund.")
        elif _submit(sheet, form, vendor_id=None):
            return redirect(url_for("payments.admin_refund", number=order.number), 303)
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template(
        "payments/admin_refund.html",
        order=order,
        sheets=sheets,
        form=form,
        whole_form=WholeOrderForm(formdata=None),
    ), status


@bp.post("/admin/orders/<number>/refund-all")
@admin_required
def admin_refund_all(number: str) -> Response:
    """Refund everything left of the order, one shop's part at a time (each committed)."""
    order = _admin_order(number)
    form = WholeOrderForm()
    target = url_for("payments.admin_refund", number=order.number)
    if not form.validate_on_submit():
        flash("Say why you are refunding the whole order.", "error")
        return redirect(target, 303)
    try:
        parts = refunding.refundable_parts(order.id, actor_id=current_user.id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(target, 303)
    for vendor_order_id in parts:
        wanted = refunding.RefundRequest(
            vendor_order_id, form.reason.data or "", restock=form.restock.data
        )
        try:
            done = refunding.refund(wanted, actor_id=current_user.id)
        except DomainError as error:
            db.session.rollback()
            flash(f"Stopped: {error.message} The parts above were refunded.", "error")
            break
        _audit_admin_refund(done)
        db.session.commit()
        _announce(done)
    return redirect(target, 303)
