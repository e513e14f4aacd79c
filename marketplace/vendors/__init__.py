"""Vendors: onboarding, the seller dashboard, listings management and compliance."""

from flask import Blueprint

bp = Blueprint("vendors", __name__)

from marketplace.vendors import views  # noqa: E402, F401
