"""Payouts: ledger, commission rules, transfers, payout runs, statements, and the admin's
payout and statement pages (under /admin)."""

from flask import Blueprint

bp = Blueprint("payouts", __name__)

# Modules whose routes attach to `bp`. create_app imports them; importing the package alone
# stays cheap and free of import cycles.
VIEW_MODULES = ("admin_views",)
