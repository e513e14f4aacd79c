"""Buyers: the storefront pages people browse — home, search, product and vendor pages."""

from pathlib import Path

from flask import Blueprint

bp = Blueprint(
    "buyers",
    __name__,
    template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
)

# Modules whose routes attach to `bp`. create_app imports them; importing the package alone
# stays cheap and free of import cycles.
VIEW_MODULES = ("cart_views", "checkout_views", "views")
