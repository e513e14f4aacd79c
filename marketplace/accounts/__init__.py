"""Accounts: sign-up, sign-in and sign-out, settings, password reset and the roles users hold."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from marketplace.accounts import views  # noqa: E402, F401  (routes attach to bp)
