"""Seller pages under /sell."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from marketplace.accounts.decorators import vendor_required
from marketplace.vendors import bp, services


@bp.get("/")
@vendor_required
def dashboard():
    vendor = current_user.vendor
    return render_template(
        "vendors/dashboard.html", vendor=vendor, summary=services.dashboard_summary(vendor)
    )
