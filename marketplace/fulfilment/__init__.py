"""Fulfilment: shipments, tracking and returns, one vendor order at a time.

`bp` holds the shop's order pages (/sell/orders...), the buyer's return requests
(/orders/<number>/returns) and the admin's disputes (/admin/disputes...); `webhook_bp` the
signed tracking webhooks (/webhooks/tracking/<provider>), exempt from CSRF.
"""

from flask import Blueprint

bp = Blueprint(
    "fulfilment",
    __name__,
    static_folder="static",
    static_url_path="/static/fulfilment",
)
webhook_bp = Blueprint("tracking_webhooks", __name__)

# Modules whose routes attach to the blueprints. create_app imports them; importing the
# package alone stays cheap and free of import cycles.
VIEW_MODULES = ("admin_views", "buyer_views", "vendor_views", "webhook_views")
