"""Admin console: queues, vendor management, standards and dashboards."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

# The views modules register their routes on `bp` when imported.
from marketplace.admin import (  # noqa: E402
    moderation_views,  # noqa: F401
    search_views,  # noqa: F401
    standards_views,  # noqa: F401
    tax_views,  # noqa: F401
    vendor_views,  # noqa: F401
    views,  # noqa: F401
)
