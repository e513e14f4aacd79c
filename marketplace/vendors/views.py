"""Seller pages under /sell: applying to sell, the seller terms and the dashboard."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.decorators import vendor_required
from marketplace.extensions import db
from marketplace.forms import show_refusal
from marketplace.fulfilment.performance import vendor_performance
from marketplace.vendors import bp, onboarding, services
from marketplace.vendors.forms import VendorApplicationForm
from marketplace.vendors.models import Vendor, VendorStatus


@bp.get("/")
@vendor_required
def dashboard() -> ResponseReturnValue:
    """The seller's shop at a glance: status and reasons, history, notices, listings, orders."""
    vendor: Vendor = current_user.vendor
    return render_template(
        "vendors/dashboard.html",
        vendor=vendor,
        summary=services.dashboard_summary(vendor),
        history=services.vendor_history(vendor),
        notifications=services.unread_notifications(current_user.id),
        unread_count=services.unread_notification_count(current_user.id),
        strikes_to_suspend=onboarding.strikes_to_suspend(),
        performance=vendor_performance(vendor.id),
    )


@bp.get("/terms")
def terms() -> ResponseReturnValue:
    """The seller terms every applicant agrees to."""
    return render_template("vendors/terms.html", strikes_to_suspend=onboarding.strikes_to_suspend())


def _show_error(form: VendorApplicationForm, error: onboarding.OnboardingError) -> None:
    """Put a service's refusal next to the field it concerns, or at the top of the form."""
    db.session.rollback()
    show_refusal(form, error.message, error.field)


def _submit(form: VendorApplicationForm) -> Vendor | None:
    """Send the form to `apply_to_sell`; on a refusal, show why and return None."""
    try:
        vendor = onboarding.apply_to_sell(
            current_user.id,
            business_name=form.business_name.data,
            display_name=form.display_name.data,
            country=form.country.data,
            contact_email=form.contact_email.data,
            contact_phone=form.contact_phone.data,
            description=form.description.data,
            accepted_terms=bool(form.accepted_terms.data),
        )
        db.session.commit()
    except onboarding.OnboardingError as error:
        _show_error(form, error)
        return None
    except IntegrityError:
        # Another request took the same name (or opened a shop for this account) just now.
        db.session.rollback()
        form.display_name.errors = [*form.display_name.errors, onboarding.DisplayNameTaken.message]
        return None
    return vendor


def _render_form(form: VendorApplicationForm, vendor: Vendor | None) -> ResponseReturnValue:
    status = 400 if request.method == "POST" else 200
    return render_template("vendors/apply.html", form=form, vendor=vendor), status


@bp.route("/apply", methods=["GET", "POST"])
def apply() -> ResponseReturnValue:
    """The application to sell: an introduction for visitors, the form for signed-in buyers."""
    if not current_user.is_authenticated:
        if request.method == "POST":
            return current_app.login_manager.unauthorized()
        return render_template("vendors/apply.html", form=None, vendor=None)
    vendor = current_user.vendor
    if vendor is not None and vendor.status == VendorStatus.REJECTED:
        return redirect(url_for("vendors.reapply"))
    if vendor is not None:
        flash("You already have a shop. Here is your seller dashboard.", "info")
        return redirect(url_for("vendors.dashboard"))
    form = VendorApplicationForm()
    if form.validate_on_submit() and _submit(form) is not None:
        flash(
            "Thank you: your application has been received. We will e-mail you when it has "
            "been reviewed.",
            "success",
        )
        return redirect(url_for("vendors.dashboard"))
    return _render_form(form, None)


@bp.route("/reapply", methods=["GET", "POST"])
@login_required
def reapply() -> ResponseReturnValue:
    """Correct a rejected application (prefilled) and submit it for review again."""
    vendor = current_user.vendor
    if vendor is None:
        return redirect(url_for("vendors.apply"))
    if vendor.status != VendorStatus.REJECTED:
        flash("Only a rejected application can be re-submitted.", "info")
        return redirect(url_for("vendors.dashboard"))
    form = VendorApplicationForm(obj=vendor, vendor_id=vendor.id)
    form.submit.label.text = "Submit updated application"
    if form.validate_on_submit() and _submit(form) is not None:
        flash("Your updated application has been received and is back in review.", "success")
        return redirect(url_for("vendors.dashboard"))
    return _render_form(form, current_user.vendor)


@bp.post("/notifications/read")
@login_required
def notifications_read() -> ResponseReturnValue:
    """Mark every notice of the signed-in user read (never anyone else's)."""
    count = services.mark_all_notifications_read(current_user.id)
    db.session.commit()
    if count:
        flash(f"Marked {count} notice{'s' if count != 1 else ''} as read.", "success")
    target = "vendors.dashboard" if current_user.vendor is not None else "buyers.home"
    return redirect(url_for(target))
