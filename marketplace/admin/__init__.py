"""Admin console: queues, vendor management, standards and dashboards."""

from flask import Blueprint

from marketplace.admin.policy import require_admin

bp = Blueprint("admin", __name__)
bp.before_request(require_admin)

# Modules whose routes attach to `bp`. create_app imports them; importing the package alone
# stays cheap and free of import cycles.
VIEW_MODULES = (
    "audit_views",
    "dashboard_views",
    "moderation_views",
    "queue_views",
    "scorecard_views",
    "search_analytics_views",
    "search_views",
    "standards_views",
    "tax_views",
    "vendor_views",
)
