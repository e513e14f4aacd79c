"""Webhook endpoints of the payment gateways: CSRF-exempt, signature-checked, applied once."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("webhooks", __name__)
