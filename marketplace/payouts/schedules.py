"""Payout schedules and holds: when a vendor is paid, and an admin's hold on its payouts.

A vendor is paid daily, weekly (on a weekday) or monthly (on a day from 1 to 28, so every
month has it); weekly on Mondays until it chooses. A vendor is due when no payout was made
since its latest scheduled day, so a run that cron missed is made up by the next one instead
of waiting a whole period.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.payouts.models import PayoutSchedule, PayoutSettings
from marketplace.vendors.models import Vendor

__all__ = [
    "DEFAULT_SETTINGS",
    "HOLD_REASON_MAX",
    "WEEKDAYS",
    "PayoutSettingsRefused",
    "describe_schedule",
    "hold_payouts",
    "is_due",
    "latest_scheduled_day",
    "payout_settings",
    "release_hold",
    "set_schedule",
    "settings_values",
]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOLD_REASON_MAX = 500
DEFAULT_SETTINGS: Mapping[str, Any] = {
    "schedule": PayoutSchedule.WEEKLY,
    "weekday": 0,
    "month_day": 1,
    "hold_reason": None,
}


class PayoutSettingsRefused(DomainError):
    """A schedule or hold change that cannot be made as asked; nothing changed."""

    message = "That payout setting cannot be saved."


def latest_scheduled_day(schedule: str, weekday: int, month_day: int, today: date) -> date:
    """The most recent day on or before `today` on which the schedule pays."""
    if schedule == PayoutSchedule.DAILY:
        return today
    if schedule == PayoutSchedule.WEEKLY:
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    if today.day >= month_day:
        return today.replace(day=month_day)
    last_month = today.replace(day=1) - timedelta(days=1)
    return last_month.replace(day=month_day)


def is_due(
    schedule: str,
    weekday: int,
    month_day: int,
    *,
    last_payout_at: datetime | None,
    now: datetime,
) -> bool:
    """True when no payout was made since the latest scheduled day (UTC days)."""
    day = latest_scheduled_day(schedule, weekday, month_day, now.date())
    start = datetime.combine(day, time.min, tzinfo=now.tzinfo)
    return last_payout_at is None or last_payout_at < start


def describe_schedule(settings: PayoutSettings | Mapping[str, Any] | None) -> str:
    """ "Weekly, on Mondays", "Monthly, on the 15th", "Daily"."""
    values = settings_values(settings)
    if values["schedule"] == PayoutSchedule.DAILY:
        return "Daily"
    if values["schedule"] == PayoutSchedule.WEEKLY:
        return f"Weekly, on {WEEKDAYS[values['weekday']]}s"
    return f"Monthly, on the {_ordinal(values['month_day'])}"


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def settings_values(settings: PayoutSettings | Mapping[str, Any] | None) -> Mapping[str, Any]:
    """Schedule, weekday, month day and hold reason, the defaults when nothing is saved."""
    if settings is None:
        return DEFAULT_SETTINGS
    if isinstance(settings, PayoutSettings):
        return {
            "schedule": settings.schedule,
            "weekday": settings.weekday,
            "month_day": settings.month_day,
            "hold_reason": settings.hold_reason,
        }
    return settings


def payout_settings(vendor_id: int) -> PayoutSettings | None:
    """The vendor's saved settings (None: the defaults apply)."""
    return db.session.get(PayoutSettings, vendor_id)


def _settings_for_update(vendor_id: int) -> PayoutSettings:
    if db.session.get(Vendor, vendor_id) is None:
        raise PayoutSettingsRefused("There is no such shop.")
    settings = payout_settings(vendor_id)
    if settings is None:
        settings = PayoutSettings(vendor_id=vendor_id, **_defaults_without_hold())
        db.session.add(settings)
    return settings


def _defaults_without_hold() -> dict[str, Any]:
    return {k: v for k, v in DEFAULT_SETTINGS.items() if k != "hold_reason"}


def set_schedule(
    vendor_id: int, schedule: str, *, weekday: int = 0, month_day: int = 1
) -> PayoutSettings:
    """The vendor chooses how often it is paid."""
    if schedule not in tuple(PayoutSchedule):
        raise PayoutSettingsRefused("Choose daily, weekly or monthly payouts.")
    if not 0 <= weekday <= 6:
        raise PayoutSettingsRefused("Choose a day of the week.")
    if not 1 <= month_day <= 28:
        raise PayoutSettingsRefused(
            "Choose a day from the 1st to the 28th, so that every month has it."
        )
    settings = _settings_for_update(vendor_id)
    settings.schedule = schedule
    settings.weekday = weekday
    settings.month_day = month_day
    db.session.flush()
    return settings


def _change_hold(
    settings: PayoutSettings,
    hold_reason: str | None,
    *,
    actor_id: int,
    action: str,
    note: str | None,
) -> PayoutSettings:
    """Put on (a reason) or lift (None) the hold, audited in the same transaction."""
    from marketplace.admin.audit import record_admin_action

    before = {"hold_reason": settings.hold_reason}
    settings.hold_reason = hold_reason
    settings.held_at = utcnow() if hold_reason else None
    settings.held_by_id = actor_id if hold_reason else None
    db.session.flush()
    record_admin_action(
        actor_id=actor_id,
        action=action,
        target_type="vendor",
        target_id=settings.vendor_id,
        before=before,
        after={"hold_reason": hold_reason},
        reason=note,
    )
    return settings


def hold_payouts(vendor_id: int, reason: str, *, actor_id: int) -> PayoutSettings:
    """An admin stops the vendor's payouts until the hold is released (audited)."""
    text = " ".join((reason or "").split())
    if not text:
        raise PayoutSettingsRefused("Say why the payouts are held: the shop is told.")
    if len(text) > HOLD_REASON_MAX:
        raise PayoutSettingsRefused(f"Keep the reason to {HOLD_REASON_MAX} characters.")
    settings = _settings_for_update(vendor_id)
    return _change_hold(settings, text, actor_id=actor_id, action="payouts.hold", note=text)


def release_hold(vendor_id: int, *, actor_id: int, reason: str | None = None) -> PayoutSettings:
    """An admin lets the vendor's payouts go again (audited)."""
    settings = payout_settings(vendor_id)
    if settings is None or not settings.is_held:
        raise PayoutSettingsRefused("This shop's payouts are not held.")
    note = (reason or "").strip() or None
    return _change_hold(settings, None, actor_id=actor_id, action="payouts.unhold", note=note)
