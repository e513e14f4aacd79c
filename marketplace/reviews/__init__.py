"""Reviews: verified reviews, shop ratings, votes, reports, vendor replies and moderation."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)

# Modules whose routes attach to `bp` (buyer pages under /account/reviews and /reviews, the
# shop's under /sell/reviews, moderation under /admin/reviews). create_app imports them.
VIEW_MODULES = ("buyer_views", "vendor_views", "admin_views")
