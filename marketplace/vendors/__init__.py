"""Vendors: onboarding, the seller dashboard, listings management and compliance."""

from flask import Blueprint

bp = Blueprint("vendors", __name__)

# Modules whose routes attach to `bp`. create_app imports them; importing the package alone
# stays cheap and free of import cycles.
VIEW_MODULES = ("listings", "payout_views", "shipping_views", "views")
