"""Disputes under /admin/disputes (admins only): escalated returns and their decisions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from marketplace.accounts.decorators import admin_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import show_domain_error
from marketplace.fulfilment import bp, queries, returns
from marketplace.fulfilment.forms import DisputeDecisionForm
from marketplace.web import page_number


@bp.get("/admin/disputes")
@admin_required
def disputes() -> ResponseReturnValue:
    """Returns waiting for the marketplace's decision (oldest first), or those decided."""
    status = "decided" if request.args.get("status") == "decided" else "escalated"
    page = page_number(request.args.get("page"))
    return render_template(
        "fulfilment/admin_disputes.html",
        status=status,
        page=queries.disputes(status, page),
        waiting=queries.escalated_count(),
    )


@bp.route("/admin/disputes/<int:return_id>", methods=["GET", "POST"])
@admin_required
def dispute(return_id: int) -> ResponseReturnValue:
    """One dispute: the order, what the buyer and the shop said, and the decision."""
    found = queries.dispute(return_id)
    if found is None:
        abort(404, description="There is no such dispute.")
    form = DisputeDecisionForm()
    status = 200
    if form.validate_on_submit():
        try:
            decided = returns.decide_dispute(
                current_user.id, return_id, form.decision.data or "", form.reason.data
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            found = queries.dispute(return_id)
            status = 422
        else:
            db.session.commit()
            flash(
                "Decided: the buyer is refunded."
                if decided.refund
                else "Decided: the return is refused.",
                "success",
            )
            return redirect(url_for("fulfilment.dispute", return_id=return_id), 303)
    elif form.is_submitted():
        status = 422
    assert found is not None
    return_request, part = found
    return render_template(
        "fulfilment/admin_dispute.html", request_=return_request, part=part, form=form
    ), status
