"""Fulfilment settings, read when used so one configuration change applies everywhere."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

DEFAULTS = {
    "RETURN_WINDOW_DAYS": 30,
    "RETURN_RESPONSE_DAYS": 3,
    "FULFILMENT_CANCEL_AFTER_DAYS": 3,
    "FULFILMENT_REMIND_BEFORE_HOURS": 24,
    "TRACKING_WEBHOOK_TOLERANCE_SECONDS": 300,
}


def _int(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def return_window() -> timedelta:
    """How long after delivery a buyer may ask to return (RETURN_WINDOW_DAYS, 30)."""
    return timedelta(days=_int("RETURN_WINDOW_DAYS"))


def return_response_time() -> timedelta:
    """How long a shop has to answer a return request (RETURN_RESPONSE_DAYS, 3)."""
    return timedelta(days=_int("RETURN_RESPONSE_DAYS"))


def cancel_after() -> timedelta:
    """How long past its ship-by date an unshipped order is cancelled (3 days)."""
    return timedelta(days=_int("FULFILMENT_CANCEL_AFTER_DAYS"))


def remind_before() -> timedelta:
    """How long before the ship-by date the shop is reminded (24 hours)."""
    return timedelta(hours=_int("FULFILMENT_REMIND_BEFORE_HOURS"))


def webhook_tolerance() -> timedelta:
    """How old a signed tracking webhook may be (replays beyond it are refused)."""
    return timedelta(seconds=_int("TRACKING_WEBHOOK_TOLERANCE_SECONDS"))


def webhook_secret(provider: str) -> str | None:
    """The shared secret a tracking provider signs its webhooks with (None: not configured)."""
    secrets = current_app.config.get("TRACKING_WEBHOOK_SECRETS") or {}
    return secrets.get(provider) or None


def default_provider() -> str:
    """Where new shipments' tracking events come from: a configured aggregator, or the
    embedded simulator (`flask fulfilment simulate`)."""
    return str(current_app.config.get("TRACKING_PROVIDER") or "embedded")
