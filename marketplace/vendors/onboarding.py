"""Vendor onboarding: applying to sell and the vendor state machine, with its audit trail.

applied → approved | rejected; approved ⇄ suspended; rejected → applied (the seller re-applies).
Every change writes a `VendorEvent` (who, when, why) and tells the owner in the app and by e-mail.
Services flush and never commit: the calling view or job owns the transaction.
"""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.compliance import release_held_listings
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.models import Notification
from marketplace.notifications.services import send_email
from marketplace.vendors.applications import (
    Application,
    clean_application,
    clean_reason,
    display_name_taken,
    unique_slug,
)
from marketplace.vendors.exceptions import (
    AccountNotFound,
    AlreadyAVendor,
    DisplayNameTaken,
    InvalidApplication,
    InvalidVendorTransition,
    OnboardingError,
    ReasonRequired,
    VendorNotFound,
)
from marketplace.vendors.models import Vendor, VendorEvent, VendorStatus

__all__ = [
    "ACTIONS",
    "AccountNotFound",
    "AlreadyAVendor",
    "DisplayNameTaken",
    "InvalidApplication",
    "InvalidVendorTransition",
    "OnboardingError",
    "ReasonRequired",
    "VendorNotFound",
    "add_strike",
    "apply_to_sell",
    "approve_vendor",
    "record_payout_status",
    "reinstate_vendor",
    "reject_vendor",
    "strikes_to_suspend",
    "suspend_vendor",
]

NOTIFICATION_MESSAGE_MAX = 300
DASHBOARD_PATH = "/sell/"

# The state machine: each action, the states it may start from, and where it leads.
ACTIONS: dict[str, tuple[tuple[VendorStatus, ...], VendorStatus]] = {
    "approve": ((VendorStatus.APPLIED,), VendorStatus.APPROVED),
    "reject": ((VendorStatus.APPLIED,), VendorStatus.REJECTED),
    "suspend": ((VendorStatus.APPROVED,), VendorStatus.SUSPENDED),
    "reinstate": ((VendorStatus.SUSPENDED,), VendorStatus.APPROVED),
    "reapply": ((VendorStatus.REJECTED,), VendorStatus.APPLIED),
}
PAST_TENSE = {
    "approve": "approved",
    "reject": "rejected",
    "suspend": "suspended",
    "reinstate": "reinstated",
    "reapply": "re-submitted",
}
WHAT_IS_ALLOWED = {
    VendorStatus.APPLIED: "an application waiting for review can only be approved or rejected",
    VendorStatus.APPROVED: "an approved shop can only be suspended",
    VendorStatus.SUSPENDED: "a suspended shop can only be reinstated",
    VendorStatus.REJECTED: "a rejected application can only be corrected and re-submitted",
}


# ---------------------------------------------------------------------------------------------
# Audit trail and notices


def _record(
    vendor: Vendor,
    kind: str,
    *,
    actor_id: int | None,
    reason: str | None,
    from_status: str | None,
) -> VendorEvent:
    event = VendorEvent(
        vendor_id=vendor.id,
        actor_id=actor_id,
        kind=kind,
        from_status=from_status,
        to_status=vendor.status,
        reason=reason,
        created_at=utcnow(),
    )
    db.session.add(event)
    return event


def _dashboard_url(*, external: bool) -> str:
    """The seller dashboard's address (absolute in e-mails sent during a request)."""
    if has_request_context():
        return url_for("vendors.dashboard", _external=external)
    return DASHBOARD_PATH


def _notify_owner(vendor: Vendor, kind: str, *, message: str, subject: str, body: str) -> None:
    """An in-app notice for the owner and an e-mail to the shop's contact address."""
    short = message if len(message) <= NOTIFICATION_MESSAGE_MAX else message[:297] + "..."
    db.session.add(
        Notification(
            user_id=vendor.owner_id,
            kind=f"vendor_{kind}",
            message=short,
            link=_dashboard_url(external=False),
            created_at=utcnow(),
        )
    )
    text = f"{body}\n\nYour seller dashboard: {_dashboard_url(external=True)}\n"
    send_email(
        vendor.contact_email,
        f"{subject} · {vendor.display_name}",
        text,
        kind=f"vendor_{kind}",
        user_id=vendor.owner_id,
    )


# ---------------------------------------------------------------------------------------------
# Applying


def _vendor_for_update(vendor_id: int) -> Vendor:
    """The vendor row, locked until the transaction ends (PostgreSQL), read fresh."""
    vendor = db.session.scalars(
        select(Vendor)
        .where(Vendor.id == vendor_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if vendor is None:
        raise VendorNotFound()
    return vendor


def _check_transition(vendor: Vendor, action: str) -> VendorStatus:
    """The state `action` leads to, or InvalidVendorTransition saying what is allowed instead."""
    sources, target = ACTIONS[action]
    if vendor.status not in sources:
        status = VendorStatus(vendor.status)
        raise InvalidVendorTransition(
            f"{vendor.display_name} is {status.value} and cannot be {PAST_TENSE[action]}: "
            f"{WHAT_IS_ALLOWED[status]}."
        )
    return target


def _release_if_now_selling(vendor: Vendor, could_sell: bool) -> None:
    """Listings held back while the shop could not sell are checked again once it can."""
    if vendor.can_sell and not could_sell:
        release_held_listings(vendor.id)


def apply_to_sell(
    user_id: int,
    *,
    business_name: str | None,
    display_name: str | None,
    country: str | None,
    contact_email: str | None,
    contact_phone: str | None,
    description: str | None,
    accepted_terms: bool,
) -> Vendor:
    """Open an application to sell, or re-submit a rejected one with the reasons fixed."""
    user = db.session.get(User, user_id)
    if user is None:
        raise AccountNotFound()
    application = clean_application(
        business_name=business_name,
        display_name=display_name,
        country=country,
        contact_email=contact_email,
        contact_phone=contact_phone,
        description=description,
        accepted_terms=accepted_terms,
    )
    existing = db.session.scalars(select(Vendor).where(Vendor.owner_id == user.id)).first()
    if existing is not None and existing.status != VendorStatus.REJECTED:
        raise AlreadyAVendor()
    exclude = existing.id if existing is not None else None
    if display_name_taken(application.display_name, exclude_vendor_id=exclude):
        raise DisplayNameTaken()
    if existing is None:
        return _open_application(user, application)
    return _resubmit(existing, user, application)


def _fill(vendor: Vendor, application: Application) -> None:
    vendor.business_name = application.business_name
    vendor.display_name = application.display_name
    vendor.country = application.country
    vendor.contact_email = application.contact_email
    vendor.contact_phone = application.contact_phone
    vendor.description = application.description
    vendor.terms_accepted_at = utcnow()


def _open_application(user: User, application: Application) -> Vendor:
    vendor = Vendor(
        owner_id=user.id,
        slug=unique_slug(application.display_name),
        status=VendorStatus.APPLIED,
        created_at=utcnow(),
    )
    _fill(vendor, application)
    db.session.add(vendor)
    db.session.flush()
    _record(vendor, "applied", actor_id=user.id, reason=None, from_status=None)
    _notify_owner(
        vendor,
        "applied",
        message=f"We received your application for {vendor.display_name}. "
        "We will tell you when it has been reviewed.",
        subject="We received your application to sell",
        body=(
            f"Thank you for applying to sell as {vendor.display_name}.\n\n"
            "A member of the marketplace team reviews every application. We will e-mail you "
            "as soon as yours has been decided."
        ),
    )
    db.session.flush()
    return vendor


def _resubmit(vendor: Vendor, user: User, application: Application) -> Vendor:
    vendor = _vendor_for_update(vendor.id)
    target = _check_transition(vendor, "reapply")
    previous_reason = vendor.status_reason
    if application.display_name != vendor.display_name:
        vendor.slug = unique_slug(application.display_name, exclude_vendor_id=vendor.id)
    _fill(vendor, application)
    vendor.status = target
    vendor.status_reason = None
    _record(
        vendor,
        "reapplied",
        actor_id=user.id,
        reason=f"Re-submitted after: {previous_reason}" if previous_reason else None,
        from_status=VendorStatus.REJECTED,
    )
    _notify_owner(
        vendor,
        "reapplied",
        message=f"We received your updated application for {vendor.display_name}.",
        subject="We received your updated application",
        body=(
            f"Thank you for updating your application to sell as {vendor.display_name}.\n\n"
            "It is back in the review queue; we will e-mail you when it has been decided."
        ),
    )
    db.session.flush()
    return vendor


# ---------------------------------------------------------------------------------------------
# Decisions


def approve_vendor(vendor_id: int, actor_id: int | None) -> Vendor:
    """Accept an application: the shop can list products (and sell once payouts are set up)."""
    vendor = _vendor_for_update(vendor_id)
    could_sell = vendor.can_sell
    vendor.status = _check_transition(vendor, "approve")
    vendor.status_reason = None
    if vendor.approved_at is None:
        vendor.approved_at = utcnow()
    _record(vendor, "approved", actor_id=actor_id, reason=None, from_status=VendorStatus.APPLIED)
    next_step = (
        "Your listings can go live as soon as they pass the product standards."
        if vendor.is_payable
        else "Set up your payout account from the seller dashboard so your listings can go live."
    )
    _notify_owner(
        vendor,
        "approved",
        message=f"{vendor.display_name} is approved. {next_step}",
        subject="Your shop is approved",
        body=f"Welcome to the marketplace: {vendor.display_name} is approved.\n\n{next_step}",
    )
    db.session.flush()
    _release_if_now_selling(vendor, could_sell)
    return vendor


def reject_vendor(vendor_id: int, actor_id: int | None, reason: str | None) -> Vendor:
    """Turn an application down, telling the seller why so it can fix that and re-apply."""
    vendor = _vendor_for_update(vendor_id)
    target = _check_transition(vendor, "reject")
    reason = clean_reason(reason)
    vendor.status, vendor.status_reason = target, reason
    _record(vendor, "rejected", actor_id=actor_id, reason=reason, from_status=VendorStatus.APPLIED)
    _notify_owner(
        vendor,
        "rejected",
        message=f"Your application for {vendor.display_name} was not approved: {reason}",
        subject="Your application to sell was not approved",
        body=(
            f"We could not approve {vendor.display_name} yet, for this reason:\n\n{reason}\n\n"
            "You can correct your application and submit it again from your seller dashboard."
        ),
    )
    db.session.flush()
    return vendor


def suspend_vendor(vendor_id: int, actor_id: int | None, reason: str | None) -> Vendor:
    """Stop a shop selling; its listings leave the storefront and search until reinstated."""
    vendor = _vendor_for_update(vendor_id)
    target = _check_transition(vendor, "suspend")
    _suspend(vendor, target, actor_id=actor_id, reason=clean_reason(reason))
    db.session.flush()
    return vendor


def _suspend(vendor: Vendor, target: VendorStatus, *, actor_id: int | None, reason: str) -> None:
    # Buyers' pages show only approved vendors, so the listings disappear with the status.
    vendor.status, vendor.status_reason = target, reason
    _record(
        vendor, "suspended", actor_id=actor_id, reason=reason, from_status=VendorStatus.APPROVED
    )
    _notify_owner(
        vendor,
        "suspended",
        message=f"{vendor.display_name} is suspended: {reason}",
        subject="Your shop is suspended",
        body=(
            f"{vendor.display_name} has been suspended, for this reason:\n\n{reason}\n\n"
            "While the shop is suspended, buyers cannot see or buy your listings. Reply to this "
            "e-mail if you want to discuss the decision."
        ),
    )


def reinstate_vendor(vendor_id: int, actor_id: int | None, reason: str | None) -> Vendor:
    """Lift a suspension: the listings return to the storefront and the strikes start again."""
    vendor = _vendor_for_update(vendor_id)
    could_sell = vendor.can_sell
    target = _check_transition(vendor, "reinstate")
    reason = clean_reason(reason)
    vendor.status, vendor.status_reason = target, None
    _record(
        vendor, "reinstated", actor_id=actor_id, reason=reason, from_status=VendorStatus.SUSPENDED
    )
    if vendor.strikes:
        cleared = vendor.strikes
        vendor.strikes = 0
        _record(
            vendor,
            "strikes_cleared",
            actor_id=actor_id,
            reason=f"{cleared} strike{'s' if cleared != 1 else ''} cleared on reinstatement.",
            from_status=vendor.status,
        )
    _notify_owner(
        vendor,
        "reinstated",
        message=f"{vendor.display_name} is reinstated: {reason}",
        subject="Your shop is reinstated",
        body=(
            f"{vendor.display_name} has been reinstated, for this reason:\n\n{reason}\n\n"
            "Your live listings are visible to buyers again, and your strikes have been cleared."
        ),
    )
    db.session.flush()
    _release_if_now_selling(vendor, could_sell)
    return vendor


def strikes_to_suspend() -> int:
    """How many strikes suspend a shop (0 or less: strikes never suspend)."""
    return int(current_app.config.get("VENDOR_STRIKES_TO_SUSPEND", 3))


def add_strike(vendor_id: int, *, actor_id: int | None, reason: str | None) -> Vendor:
    """Count a breach of the standards; at the configured limit the shop is suspended."""
    vendor = _vendor_for_update(vendor_id)
    reason = clean_reason(reason)
    vendor.strikes += 1
    limit = strikes_to_suspend()
    _record(vendor, "strike", actor_id=actor_id, reason=reason, from_status=vendor.status)
    of_limit = f" of {limit}" if limit > 0 else ""
    _notify_owner(
        vendor,
        "strike",
        message=f"Strike {vendor.strikes}{of_limit} on {vendor.display_name}: {reason}",
        subject="A strike was added to your shop",
        body=(
            f"A strike was added to {vendor.display_name}, for this reason:\n\n{reason}\n\n"
            f"The shop now has {vendor.strikes}{of_limit} strikes."
            + (f" At {limit} strikes the shop is suspended." if limit > 0 else "")
        ),
    )
    if limit > 0 and vendor.strikes >= limit and vendor.status == VendorStatus.APPROVED:
        _suspend(
            vendor,
            VendorStatus.SUSPENDED,
            actor_id=None,
            reason=(
                f"Suspended automatically after {vendor.strikes} strikes "
                f"(the limit is {limit}). Latest strike: {reason}"
            ),
        )
    db.session.flush()
    return vendor


# ---------------------------------------------------------------------------------------------
# Payout account


def _enabled(flag: bool) -> str:
    return "enabled" if flag else "disabled"


def record_payout_status(
    vendor_id: int, *, charges_enabled: bool, payouts_enabled: bool, source: str
) -> Vendor:
    """Store what the payment gateway reports about the payout account; audit any change."""
    vendor = _vendor_for_update(vendor_id)
    if (vendor.charges_enabled, vendor.payouts_enabled) == (charges_enabled, payouts_enabled):
        return vendor
    was_payable, could_sell = vendor.is_payable, vendor.can_sell
    vendor.charges_enabled = charges_enabled
    vendor.payouts_enabled = payouts_enabled
    summary = f"Charges {_enabled(charges_enabled)}, payouts {_enabled(payouts_enabled)}"
    _record(
        vendor,
        "payout_status",
        actor_id=None,
        reason=f"{summary} (reported by {source}).",
        from_status=vendor.status,
    )
    if vendor.is_payable and not was_payable:
        message = f"The payout account of {vendor.display_name} is ready: you can get paid."
    elif was_payable:
        message = (
            f"The payout account of {vendor.display_name} needs attention: {summary.lower()}. "
            "Your listings are hidden from buyers until it is fixed."
        )
    else:
        message = f"The payout account of {vendor.display_name} was updated: {summary.lower()}."
    _notify_owner(
        vendor,
        "payout_status",
        message=message,
        subject="Your payout account was updated",
        body=f"{message}\n\nThe payment provider reports: {summary.lower()}.",
    )
    db.session.flush()
    _release_if_now_selling(vendor, could_sell)
    return vendor
