"""The buyer's side: asking to return items from the order page, and what that page shows of
each shop's part (its timeline, parcels with tracking links, returns)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.fulfilment import bp, queries, returns, settings
from marketplace.fulfilment.forms import ReturnRequestForm
from marketplace.fulfilment.vendor_views import read_quantities
from marketplace.orders.models import Order


@bp.app_template_global("fulfilment_parts")
def fulfilment_parts(order: Order) -> dict[int, queries.PartView]:
    """For the buyer's order page: each shop's part, by vendor order id."""
    return queries.buyer_parts(order)


@bp.app_template_global("return_request_form")
def return_request_form() -> ReturnRequestForm:
    return ReturnRequestForm(formdata=None)


@bp.app_template_global("return_window_days")
def return_window_days() -> int:
    return settings.return_window().days


@bp.post("/orders/<number>/returns")
@login_required
def request_return(number: str) -> ResponseReturnValue:
    """Ask the shop to take back some delivered units; the reason goes to the shop."""
    from flask import request

    form = ReturnRequestForm()
    target = redirect(url_for("buyers.order", number=number) + "#returns", 303)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return target
    try:
        returns.request_return(
            current_user.id,
            number,
            request.form.get("vendor_order_id", type=int) or 0,
            read_quantities(request.form, "return"),
            form.reason.data,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return target
    db.session.commit()
    flash("Return requested. The shop has been asked to answer within a few days.", "success")
    return target
