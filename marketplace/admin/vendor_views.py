"""Vendor management under /admin/vendors: applications, approval, suspension, the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, func, or_, select

from marketplace.accounts.decorators import admin_required
from marketplace.accounts.models import User
from marketplace.admin import bp
from marketplace.admin.audit import fields_of, record_admin_action
from marketplace.admin.forms import ConfirmForm, ReasonForm
from marketplace.catalog.models import Product, ProductStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.vendors import onboarding
from marketplace.vendors.models import Vendor, VendorEvent, VendorStatus

VENDORS_PER_PAGE = 50

ADMIN_ACTIONS = ("approve", "reject", "suspend", "reinstate")
ACTION_LABELS = {
    "approve": "Approve",
    "reject": "Reject application",
    "suspend": "Suspend vendor",
    "reinstate": "Reinstate vendor",
}
REASON_LABELS = {
    "reject": "Why is the application rejected?",
    "suspend": "Why is the shop suspended?",
    "reinstate": "Why is the shop reinstated?",
}
AUDITED_FIELDS = ("status", "status_reason", "strikes")
ACTION_RESULTS = {
    "approve": "approved",
    "reject": "rejected",
    "suspend": "suspended",
    "reinstate": "reinstated",
}


def _search_term() -> str:
    return (request.args.get("q") or "").strip()[:100]


def _status_filter() -> str:
    status = request.args.get("status", "")
    return status if status in set(VendorStatus) else ""


def _status_counts() -> dict[str, int]:
    """How many vendors are in each state, every state present."""
    rows = db.session.execute(select(Vendor.status, func.count()).group_by(Vendor.status)).all()
    counts = {status.value: 0 for status in VendorStatus}
    counts.update({status: count for status, count in rows})
    return counts


def _vendor_list_query(status: str, term: str) -> Any:
    """Vendors to list: applications first (oldest first), then everyone else by name."""
    applied_first = case((Vendor.status == VendorStatus.APPLIED, 0), else_=1)
    applied_age = case((Vendor.status == VendorStatus.APPLIED, Vendor.created_at), else_=None)
    stmt = select(Vendor).order_by(applied_first, applied_age, Vendor.display_name, Vendor.id)
    if status:
        stmt = stmt.where(Vendor.status == status)
    if term:
        stmt = stmt.where(
            or_(
                Vendor.display_name.icontains(term, autoescape=True),
                Vendor.business_name.icontains(term, autoescape=True),
                Vendor.contact_email.icontains(term, autoescape=True),
            )
        )
    return stmt


def _live_counts(vendor_ids: list[int]) -> dict[int, int]:
    """Live listings per vendor, for one page of vendors."""
    if not vendor_ids:
        return {}
    rows = db.session.execute(
        select(Product.vendor_id, func.count())
        .where(Product.vendor_id.in_(vendor_ids), Product.status == ProductStatus.LIVE)
        .group_by(Product.vendor_id)
    ).all()
    return dict(rows)


@bp.get("/vendors")
@admin_required
def vendors() -> str:
    """Every vendor, filterable by state and searchable, with applications waiting on top."""
    status, term = _status_filter(), _search_term()
    page = db.paginate(
        _vendor_list_query(status, term), per_page=VENDORS_PER_PAGE, error_out=False, count=True
    )
    return render_template(
        "admin/vendors/list.html",
        page=page,
        status=status,
        term=term,
        counts=_status_counts(),
        live_counts=_live_counts([vendor.id for vendor in page.items]),
    )


def _product_counts(vendor_id: int) -> dict[str, int]:
    """How many of the vendor's products are in each listing state."""
    rows = db.session.execute(
        select(Product.status, func.count())
        .where(Product.vendor_id == vendor_id)
        .group_by(Product.status)
    ).all()
    counts = {status.value: 0 for status in ProductStatus}
    counts.update({status: count for status, count in rows})
    return counts


def _history(vendor_id: int) -> list[tuple[VendorEvent, User | None]]:
    """The vendor's audit trail, newest first, with who did each thing (None: the system)."""
    rows = db.session.execute(
        select(VendorEvent, User)
        .outerjoin(User, VendorEvent.actor_id == User.id)
        .where(VendorEvent.vendor_id == vendor_id)
        .order_by(VendorEvent.created_at.desc(), VendorEvent.id.desc())
    ).all()
    return [(event, actor) for event, actor in rows]


def _action_form(action: str) -> ConfirmForm | ReasonForm:
    """Approving needs no words; every other decision needs a reason the seller will read."""
    if action == "approve":
        form: ConfirmForm | ReasonForm = ConfirmForm(prefix=action)
    else:
        form = ReasonForm(prefix=action)
        form.reason.label.text = REASON_LABELS[action]
    form.submit.label.text = ACTION_LABELS[action]
    return form


def _allowed_actions(vendor: Vendor) -> list[str]:
    """The decisions the onboarding state machine allows from the vendor's state."""
    return [a for a in ADMIN_ACTIONS if vendor.status in onboarding.ACTIONS[a][0]]


def _render_detail(vendor: Vendor, forms: dict[str, Any] | None = None, status: int = 200) -> Any:
    actions = _allowed_actions(vendor)
    forms = forms or {}
    return (
        render_template(
            "admin/vendors/detail.html",
            vendor=vendor,
            history=_history(vendor.id),
            product_counts=_product_counts(vendor.id),
            strikes_to_suspend=onboarding.strikes_to_suspend(),
            forms={action: forms.get(action) or _action_form(action) for action in actions},
        ),
        status,
    )


@bp.get("/vendors/<int:vendor_id>")
@admin_required
def vendor_detail(vendor_id: int) -> Any:
    """One vendor: application, payout readiness, strikes, listings and the full audit trail."""
    return _render_detail(db.get_or_404(Vendor, vendor_id))


def _perform(action: str, vendor_id: int, reason: str | None) -> None:
    """Call the onboarding service for `action`, as the signed-in admin."""
    calls: dict[str, Callable[[], Any]] = {
        "approve": lambda: onboarding.approve_vendor(vendor_id, current_user.id),
        "reject": lambda: onboarding.reject_vendor(vendor_id, current_user.id, reason),
        "suspend": lambda: onboarding.suspend_vendor(vendor_id, current_user.id, reason),
        "reinstate": lambda: onboarding.reinstate_vendor(vendor_id, current_user.id, reason),
    }
    calls[action]()


@bp.post("/vendors/<int:vendor_id>/<any(approve, reject, suspend, reinstate):action>")
@admin_required
def vendor_action(vendor_id: int, action: str) -> Any:
    """Approve, reject, suspend or reinstate; a refused change is explained and changes nothing."""
    vendor = db.get_or_404(Vendor, vendor_id)
    form = _action_form(action)
    # A decision the state no longer allows is refused by the service below, with its reason.
    if not form.validate_on_submit() and action in _allowed_actions(vendor):
        return _render_detail(vendor, {action: form}, status=400)
    reason = getattr(form, "reason", None)
    reason_text = reason.data if reason is not None else None
    before = fields_of(vendor, AUDITED_FIELDS)
    try:
        _perform(action, vendor.id, reason_text)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.vendor_detail", vendor_id=vendor_id))
    db.session.refresh(vendor)
    record_admin_action(
        actor_id=current_user.id,
        action=f"vendor.{action}",
        target_type="vendor",
        target_id=vendor.id,
        before=before,
        after=fields_of(vendor, AUDITED_FIELDS),
        reason=reason_text,
    )
    db.session.commit()
    flash(f"{vendor.display_name} {ACTION_RESULTS[action]}.", "success")
    return redirect(url_for("admin.vendor_detail", vendor_id=vendor_id))
