"""The shop's order pages under /sell/orders: the queue, one order, its packing slip.

Every page finds the order through the signed-in shop (`current_user.vendor`), so another
shop's order is a 404. A refused action shows its reason on the order page (422) and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from marketplace.accounts.decorators import vendor_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import show_domain_error
from marketplace.fulfilment import bp, queries, returns, services, tracking
from marketplace.fulfilment.exceptions import (
    InvalidQuantities,
    ReturnNotFound,
    VendorOrderNotFound,
)
from marketplace.fulfilment.forms import (
    ActionForm,
    ApproveReturnForm,
    CancelForm,
    ReceivedForm,
    RefuseReturnForm,
    ShipForm,
    TrackingEventForm,
)
from marketplace.web import format_money, page_number


def _vendor_id() -> int:
    return int(current_user.vendor.id)


def read_quantities(form: Mapping[str, str], prefix: str = "qty") -> dict[int, int]:
    """Units typed per line (`<prefix>-<line id>`), blank meaning none."""
    chosen: dict[int, int] = {}
    for key, raw in form.items():
        if not key.startswith(f"{prefix}-"):
            continue
        line_id, value = key.split("-", 1)[1], (raw or "").strip()
        if not line_id.isdigit() or not value:
            continue
        if not value.isdigit():
            raise InvalidQuantities("Enter whole numbers of units.")
        chosen[int(line_id)] = int(value)
    return chosen


@bp.get("/sell/orders")
@vendor_required
def vendor_orders() -> ResponseReturnValue:
    """The shop's order queue: new, to ship, late, shipped, all."""
    tab = request.args.get("tab", "new")
    tab = tab if tab in queries.TABS else "new"
    page = page_number(request.args.get("page"))
    vendor_id = _vendor_id()
    return render_template(
        "fulfilment/vendor_orders.html",
        vendor=current_user.vendor,
        tab=tab,
        tabs=queries.TABS,
        counts=queries.tab_counts(vendor_id),
        page=queries.order_queue(vendor_id, tab, page),
        is_late=queries.is_late,
    )


def _forms() -> dict[str, FlaskForm]:
    return {
        "action_form": ActionForm(formdata=None),
        "ship_form": ShipForm(formdata=None),
        "cancel_form": CancelForm(formdata=None),
        "event_form": TrackingEventForm(formdata=None),
        "approve_form": ApproveReturnForm(formdata=None),
        "refuse_form": RefuseReturnForm(formdata=None),
        "received_form": ReceivedForm(formdata=None),
    }


def _render_order(vendor_order_id: int, status: int = 200, **posted: FlaskForm):
    part = queries.vendor_part(_vendor_id(), vendor_order_id)
    forms = _forms() | posted
    return render_template(
        "fulfilment/vendor_order.html",
        vendor=current_user.vendor,
        part=part,
        is_late=queries.is_late(part.vendor_order),
        posted_form=request.form.get("form") if request.method == "POST" else None,
        **forms,
    ), status


def _refused(vendor_order_id: int, name: str, form: FlaskForm, error: DomainError):
    """Show a service's refusal on the form that asked, changing nothing."""
    db.session.rollback()
    show_domain_error(form, error)
    return _render_order(vendor_order_id, 422, **{name: form})


def _done(vendor_order_id: int, message: str) -> ResponseReturnValue:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("fulfilment.vendor_order", vendor_order_id=vendor_order_id), 303)


def _own_or_404(vendor_order_id: int) -> None:
    """Another shop's order, or none: 404 (the two are never told apart)."""
    if not queries.owns(_vendor_id(), vendor_order_id):
        abort(404, description=VendorOrderNotFound.message)


def _guarded(view):
    """Check the order is the shop's own before the view reads its form."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        _own_or_404(kwargs["vendor_order_id"])
        return view(*args, **kwargs)

    return wrapper


@bp.get("/sell/orders/<int:vendor_order_id>")
@vendor_required
@_guarded
def vendor_order(vendor_order_id: int) -> ResponseReturnValue:
    """One order: its lines, parcels, returns and what the shop can do next."""
    return _render_order(vendor_order_id)


@bp.post("/sell/orders/<int:vendor_order_id>/accept")
@vendor_required
@_guarded
def accept(vendor_order_id: int) -> ResponseReturnValue:
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_order(vendor_order_id, 400, action_form=form)
    try:
        services.accept(_vendor_id(), vendor_order_id)
    except DomainError as error:
        return _refused(vendor_order_id, "action_form", form, error)
    return _done(vendor_order_id, "Order accepted. The buyer has been told.")


@bp.post("/sell/orders/<int:vendor_order_id>/ship")
@vendor_required
@_guarded
def ship(vendor_order_id: int) -> ResponseReturnValue:
    form = ShipForm()
    if not form.validate_on_submit():
        return _render_order(vendor_order_id, 422, ship_form=form)
    try:
        shipment = services.ship(
            _vendor_id(),
            vendor_order_id,
            services.ShipRequest(
                quantities=read_quantities(request.form),
                carrier=form.carrier.data or "",
                tracking_number=form.tracking_number.data or "",
            ),
        )
    except DomainError as error:
        return _refused(vendor_order_id, "ship_form", form, error)
    return _done(
        vendor_order_id,
        f"Parcel {shipment.tracking_number} recorded. The buyer has its tracking link.",
    )


@bp.post("/sell/orders/<int:vendor_order_id>/cancel")
@vendor_required
@_guarded
def cancel(vendor_order_id: int) -> ResponseReturnValue:
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_order(vendor_order_id, 422, cancel_form=form)
    try:
        vendor_order = services.vendor_order_of(_vendor_id(), vendor_order_id)
        result = services.cancel_units(
            vendor_order,
            read_quantities(request.form, "cancel"),
            form.reason.data,
            actor_id=current_user.id,
        )
    except DomainError as error:
        return _refused(vendor_order_id, "cancel_form", form, error)
    refunded = (
        f" and refunded {format_money(result.refund.amount_minor, result.refund.currency)}"
        if result.refund
        else ""
    )
    return _done(vendor_order_id, f"Cancelled {result.units} unit(s){refunded}.")


@bp.post("/sell/orders/<int:vendor_order_id>/shipments/<int:shipment_id>/events")
@vendor_required
@_guarded
def tracking_event(vendor_order_id: int, shipment_id: int) -> ResponseReturnValue:
    form = TrackingEventForm()
    if not form.validate_on_submit():
        return _render_order(vendor_order_id, 422, event_form=form)
    try:
        outcome = tracking.manual_event(
            _vendor_id(),
            shipment_id,
            form.status.data or "",
            vendor_order_id=vendor_order_id,
            occurred_at=form.occurred_at.data.replace(tzinfo=UTC),
            location=form.location.data,
            description=form.description.data,
        )
    except DomainError as error:
        return _refused(vendor_order_id, "event_form", form, error)
    message = (
        "Tracking event added."
        if outcome == tracking.Outcome.APPLIED
        else "Tracking event added to the history (the parcel had already moved on)."
    )
    return _done(vendor_order_id, message)


@bp.get("/sell/orders/<int:vendor_order_id>/packing-slip")
@vendor_required
@_guarded
def packing_slip(vendor_order_id: int) -> ResponseReturnValue:
    """A printable page to put in the parcel: what is in it and where it goes."""
    from marketplace.orders.addresses import Address

    part = queries.vendor_part(_vendor_id(), vendor_order_id)
    return render_template(
        "fulfilment/packing_slip.html",
        vendor=current_user.vendor,
        part=part,
        address=Address.from_stored(part.vendor_order.order.shipping_address or {}),
    )


# ---------------------------------------------------------------------------------------------
# Returns


def _return_order_id(return_id: int) -> int | None:
    request_ = db.session.get(returns.ReturnRequest, return_id)
    return request_.vendor_order_id if request_ is not None else None


def _return_action(return_id: int, name: str, form: FlaskForm, act, message: str):
    """Answer one of the shop's return requests through `act(form)`."""
    vendor_order_id = _return_order_id(return_id)
    if vendor_order_id is None:
        abort(404, description=ReturnNotFound.message)
    _own_or_404(vendor_order_id)
    if not form.validate_on_submit():
        return _render_order(vendor_order_id, 422, **{name: form})
    try:
        act(form)
    except DomainError as error:
        return _refused(vendor_order_id, name, form, error)
    return _done(vendor_order_id, message)


@bp.post("/sell/returns/<int:return_id>/approve")
@vendor_required
def approve_return(return_id: int) -> ResponseReturnValue:
    return _return_action(
        return_id,
        "approve_form",
        ApproveReturnForm(),
        lambda form: returns.approve_return(
            _vendor_id(),
            return_id,
            label_url=form.label_url.data,
            address=form.address.data,
            note=form.note.data,
        ),
        "Return approved. The buyer has your instructions.",
    )


@bp.post("/sell/returns/<int:return_id>/refuse")
@vendor_required
def refuse_return(return_id: int) -> ResponseReturnValue:
    return _return_action(
        return_id,
        "refuse_form",
        RefuseReturnForm(),
        lambda form: returns.refuse_return(_vendor_id(), return_id, form.reason.data),
        "Return refused. The marketplace team will review it.",
    )


@bp.post("/sell/returns/<int:return_id>/received")
@vendor_required
def return_received(return_id: int) -> ResponseReturnValue:
    return _return_action(
        return_id,
        "received_form",
        ReceivedForm(),
        lambda form: returns.mark_received(
            _vendor_id(),
            return_id,
            resellable=bool(form.resellable.data),
            actor_id=current_user.id,
        ),
        "Return received and the buyer refunded.",
    )
