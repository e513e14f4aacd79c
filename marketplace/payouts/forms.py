"""Forms of the payout pages: the vendor's schedule, an admin's hold and settlement, and the
statement period (a GET form: it changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from marketplace.errors import DomainError
from marketplace.forms import required_text
from marketplace.models_base import utcnow
from marketplace.payouts.models import PayoutSchedule
from marketplace.payouts.schedules import HOLD_REASON_MAX, WEEKDAYS
from marketplace.payouts.statements import as_start, month_period

MAX_PERIOD_DAYS = 366


class ScheduleForm(FlaskForm):
    schedule = RadioField(
        "How often",
        choices=[
            SelectChoice(PayoutSchedule.DAILY.value, "Daily"),
            SelectChoice(PayoutSchedule.WEEKLY.value, "Weekly"),
            SelectChoice(PayoutSchedule.MONTHLY.value, "Monthly"),
        ],
        validators=[DataRequired("Choose how often you are paid.")],
    )
    weekday = SelectField(
        "Day of the week (weekly)",
        choices=[SelectChoice(str(i), name) for i, name in enumerate(WEEKDAYS)],
        default="0",
    )
    month_day = SelectField(
        "Day of the month (monthly)",
        choices=[SelectChoice(str(day), str(day)) for day in range(1, 29)],
        default="1",
    )
    submit = SubmitField("Save schedule")


class HoldForm(FlaskForm):
    reason = required_text(
        "Reason for the hold",
        required="Say why the payouts are held.",
        max_length=HOLD_REASON_MAX,
        description="The shop sees this reason on its payouts page.",
    )
    submit = SubmitField("Hold payouts")


class ReleaseHoldForm(FlaskForm):
    reason = StringField("Note", validators=[Optional(), Length(max=HOLD_REASON_MAX)])
    submit = SubmitField("Release the hold")


class SettleForm(FlaskForm):
    outcome = RadioField(
        "Bank transfer",
        choices=[SelectChoice("paid", "Paid"), SelectChoice("failed", "Failed")],
        validators=[DataRequired("Say whether the bank transfer went through.")],
    )
    reason = StringField("Why it failed", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Record")


class PeriodRefused(DomainError):
    message = "Choose a period: a month, or a start and an end date."


@dataclass(frozen=True)
class Period:
    """A statement period [start, end) and how the form shows it."""

    start: datetime
    end: datetime
    month: str  # "YYYY-MM" when the period is a calendar month, else ""

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    @property
    def slug(self) -> str:
        return self.month or f"{self.start.date()}_{self.last_day}"


def parse_period(args) -> Period:
    """The period asked for in a query string: `month=YYYY-MM`, or `start` and `end` dates
    (both days included); the current month when nothing is asked. Raises PeriodRefused."""
    start_text, end_text = (args.get("start") or "").strip(), (args.get("end") or "").strip()
    if start_text or end_text:
        try:
            first, last = date.fromisoformat(start_text), date.fromisoformat(end_text)
        except ValueError as error:
            raise PeriodRefused("Enter both dates as YYYY-MM-DD.") from error
        if last < first:
            raise PeriodRefused("The end date is before the start date.")
        if (last - first).days >= MAX_PERIOD_DAYS:
            raise PeriodRefused("Choose a period of at most a year.")
        return Period(as_start(first), as_start(last + timedelta(days=1)), "")
    month_text = (args.get("month") or "").strip()
    today = utcnow()
    try:
        year, month = (
            (int(part) for part in month_text.split("-"))
            if month_text
            else (
                today.year,
                today.month,
            )
        )
        start, end = month_period(year, month)
    except ValueError as error:
        raise PeriodRefused("Choose the month as YYYY-MM.") from error
    return Period(start, end, f"{year:04d}-{month:02d}")
