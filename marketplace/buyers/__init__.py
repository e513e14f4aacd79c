"""Buyers: the storefront pages people browse — home, search, product and vendor pages."""

from pathlib import Path

from flask import Blueprint

bp = Blueprint(
    "buyers",
    __name__,
    template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
)

# The views modules register their routes on `bp` when imported.
from marketplace.buyers import (  # noqa: E402
    cart_views,  # noqa: F401
    checkout_views,  # noqa: F401
    views,  # noqa: F401
)
