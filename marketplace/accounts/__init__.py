"""Accounts: sign-up, sign-in and sign-out, settings, password reset and the roles users hold."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

# Modules whose routes attach to `bp`. create_app imports them; importing the package alone
# stays cheap and free of import cycles.
VIEW_MODULES = ("views",)
