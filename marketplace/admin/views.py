"""Admin console pages under /admin (admins only)."""

from __future__ import annotations

from flask import render_template

from marketplace.accounts.decorators import admin_required
from marketplace.admin import bp, services


@bp.get("/")
@admin_required
def index():
    return render_template("admin/index.html", overview=services.overview())
