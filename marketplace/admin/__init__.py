"""Admin console: queues, vendor management, standards and dashboards."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

# Modules whose routes attach to `bp`. create_app imports them; importing the package alone
# stays cheap and free of import cycles.
VIEW_MODULES = (
    "moderation_views",
    "search_views",
    "standards_views",
    "tax_views",
    "vendor_views",
    "views",
)
