"""Listing moderation under /admin/listings: the review queue, one listing, live listings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.decorators import admin_required
from marketplace.accounts.models import User
from marketplace.admin import bp
from marketplace.admin.audit import record_admin_action
from marketplace.admin.forms import ConfirmForm, ReasonForm
from marketplace.catalog import compliance, moderation
from marketplace.catalog.lifecycle import can_transition
from marketplace.catalog.models import ModerationDecision, Product, ProductStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.vendors.models import Vendor

LISTINGS_PER_PAGE = 50
SEVERITY_ORDER = {"block": 0, "review": 1, "warn": 2}
SEVERITY_LABELS = {"block": "Block", "review": "Needs review", "warn": "Warn"}

ACTION_TARGETS = {
    "approve": ProductStatus.LIVE,
    "reject": ProductStatus.REJECTED,
    "delist": ProductStatus.DELISTED,
}
ACTION_LABELS = {"approve": "Approve and publish", "reject": "Reject", "delist": "Delist"}
REASON_LABELS = {"reject": "Why is it rejected?", "delist": "Why is it delisted?"}
ACTION_RESULTS = {"approve": "is live", "reject": "was rejected", "delist": "was delisted"}


def failed_results(check: Any) -> list[dict[str, Any]]:
    """A check's failed results, most severe first."""
    if check is None:
        return []
    failed = [result for result in check.results if not result.get("passed")]
    return sorted(failed, key=lambda result: SEVERITY_ORDER.get(result.get("severity"), 9))


@bp.get("/listings")
@admin_required
def moderation_queue() -> str:
    """Listings waiting for a moderator, with why each one is waiting."""
    return render_template(
        "admin/moderation/queue.html",
        rows=moderation.moderation_queue(),
        failed_results=failed_results,
        severity_labels=SEVERITY_LABELS,
    )


@bp.get("/listings/live")
@admin_required
def live_listings() -> str:
    """Live listings, searchable by title or shop, to find one to delist."""
    term = (request.args.get("q") or "").strip()[:100]
    vendor_id = request.args.get("vendor", type=int)
    stmt = (
        select(Product)
        .join(Vendor, Product.vendor_id == Vendor.id)
        .where(Product.status == ProductStatus.LIVE)
        .options(selectinload(Product.variants), selectinload(Product.vendor))
        .order_by(Product.published_at.desc(), Product.id.desc())
    )
    if term:
        stmt = stmt.where(
            or_(
                Product.title.icontains(term, autoescape=True),
                Vendor.display_name.icontains(term, autoescape=True),
            )
        )
    vendor = db.session.get(Vendor, vendor_id) if vendor_id else None
    if vendor_id:
        stmt = stmt.where(Product.vendor_id == vendor_id)
    page = db.paginate(stmt, per_page=LISTINGS_PER_PAGE, error_out=False, count=True)
    return render_template("admin/moderation/live.html", page=page, term=term, vendor=vendor)


def _decisions(product_id: int) -> list[tuple[ModerationDecision, User | None]]:
    """Earlier moderation decisions on the listing, newest first, with the moderator."""
    rows = db.session.execute(
        select(ModerationDecision, User)
        .outerjoin(User, ModerationDecision.moderator_id == User.id)
        .where(ModerationDecision.product_id == product_id)
        .order_by(ModerationDecision.created_at.desc(), ModerationDecision.id.desc())
    ).all()
    return [(decision, moderator) for decision, moderator in rows]


def _action_form(action: str) -> ConfirmForm | ReasonForm:
    """Approving needs no words; rejecting and delisting need a reason the seller will read."""
    if action == "approve":
        form: ConfirmForm | ReasonForm = ConfirmForm(prefix=action)
    else:
        form = ReasonForm(prefix=action)
        form.reason.label.text = REASON_LABELS[action]
    form.submit.label.text = ACTION_LABELS[action]
    return form


def _allowed_actions(product: Product) -> list[str]:
    """The decisions the listing state machine allows from the listing's status."""
    return [a for a, target in ACTION_TARGETS.items() if can_transition(product.status, target)]


def _render_detail(product: Product, forms: dict[str, Any] | None = None, status: int = 200) -> Any:
    check = compliance.latest_check(product.id)
    passed = [r for r in (check.results if check is not None else []) if r.get("passed")]
    forms = forms or {}
    actions = _allowed_actions(product)
    return (
        render_template(
            "admin/moderation/detail.html",
            product=product,
            check=check,
            failed=failed_results(check),
            passed=passed,
            severity_labels=SEVERITY_LABELS,
            decisions=_decisions(product.id),
            forms={action: forms.get(action) or _action_form(action) for action in actions},
        ),
        status,
    )


@bp.get("/listings/<int:product_id>")
@admin_required
def listing_detail(product_id: int) -> Any:
    """A listing as buyers would see it, its check results and earlier decisions."""
    return _render_detail(db.get_or_404(Product, product_id))


def _perform(action: str, product_id: int, reason: str | None) -> None:
    """Call the moderation service for `action`, as the signed-in admin."""
    calls: dict[str, Callable[[], Any]] = {
        "approve": lambda: moderation.approve_listing(product_id, current_user.id),
        "reject": lambda: moderation.reject_listing(product_id, current_user.id, reason),
        "delist": lambda: moderation.delist_listing(product_id, current_user.id, reason),
    }
    calls[action]()


@bp.post("/listings/<int:product_id>/<any(approve, reject, delist):action>")
@admin_required
def listing_action(product_id: int, action: str) -> Any:
    """Approve, reject or delist; a refused change is explained and changes nothing."""
    product = db.get_or_404(Product, product_id)
    form = _action_form(action)
    # A decision the status no longer allows is refused by the service below, with its reason.
    if not form.validate_on_submit() and action in _allowed_actions(product):
        return _render_detail(product, {action: form}, status=400)
    reason = getattr(form, "reason", None)
    reason_text = reason.data if reason is not None else None
    before = {"status": product.status}
    try:
        _perform(action, product.id, reason_text)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.listing_detail", product_id=product_id))
    db.session.refresh(product)
    record_admin_action(
        actor_id=current_user.id,
        action=f"listing.{action}",
        target_type="product",
        target_id=product.id,
        before=before,
        after={"status": product.status},
        reason=reason_text,
    )
    db.session.commit()
    flash(f"“{product.title}” {ACTION_RESULTS[action]}.", "success")
    if action == "delist":
        return redirect(url_for("admin.live_listings"))
    return redirect(url_for("admin.moderation_queue"))
