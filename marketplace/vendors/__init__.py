"""Vendors: onboarding, the seller dashboard, listings management and compliance."""

from flask import Blueprint

bp = Blueprint("vendors", __name__)

# The views modules register their routes on `bp` when imported.
from marketplace.vendors import (  # noqa: E402
    listings,  # noqa: F401
    payout_views,  # noqa: F401
    shipping_views,  # noqa: F401
    views,  # noqa: F401
)
