"""Buyers: the storefront pages people browse — home, search, product and vendor pages."""

from pathlib import Path

from flask import Blueprint

bp = Blueprint(
    "buyers",
    __name__,
    template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
)

from marketplace.buyers import views  # noqa: E402, F401  (routes attach to bp)
