"""The dashboard page's content: the figures as charts and tables, and as CSV for download."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from marketplace.admin.charts import BarChart, bar_chart
from marketplace.admin.metrics import DateRange, Figures, InvalidDateRange, PeriodFigures
from marketplace.admin.periods import Grain
from marketplace.web import format_money, iso_date, major_units, minor_unit_exponent

PRESETS = (
    ("7", "Last 7 days"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last year"),
)
CSV_COLUMNS = (
    "period",
    "currency",
    "gmv",
    "orders",
    "average_order_value",
    "commission_revenue",
    "refunds",
    "refund_count",
    "new_vendors",
    "new_buyers",
)


@dataclass(frozen=True)
class RangeChoice:
    """The date range the page shows, and the problem with what was asked, if any."""

    window: DateRange
    problem: str | None = None


def choose_range(args: Mapping[str, str], today: date | None = None) -> RangeChoice:
    """The range from `from`/`to` (ISO dates) or a preset `days`; the last 30 days otherwise.

    A range that cannot be shown (start after end, too long, an unreadable date) falls back to
    the default with a message, so the page always shows figures.
    """
    start, end = iso_date(args.get("from")), iso_date(args.get("to"))
    if (args.get("from") and start is None) or (args.get("to") and end is None):
        return RangeChoice(DateRange.last_days(today=today), "Enter dates like 2026-03-31.")
    if start or end:
        default = DateRange.last_days(today=today)
        try:
            return RangeChoice(DateRange(start or default.start, end or default.end))
        except InvalidDateRange as error:
            return RangeChoice(default, error.message)
    days = args.get("days", "")
    if days in dict(PRESETS):
        return RangeChoice(DateRange.last_days(int(days), today=today))
    return RangeChoice(DateRange.last_days(today=today))


def default_grain(window: DateRange) -> Grain:
    """Days for up to about three months, months beyond (a bar a day stops being readable)."""
    return Grain.DAY if window.days <= 92 else Grain.MONTH


def _axis_money(currency: str):
    def axis(minor: int) -> str:
        text = format_money(minor, currency)
        exponent = minor_unit_exponent(currency)
        zeros = "." + "0" * exponent
        return text[: -len(zeros)] if exponent and text.endswith(zeros) else text

    return axis


def charts(figures: Figures) -> list[BarChart]:
    """One small bar chart per figure, over the periods of `figures`."""
    keys = [row.period for row in figures.periods]
    money = lambda minor: format_money(minor, figures.currency)  # noqa: E731
    axis = _axis_money(figures.currency)

    def series(name: str) -> list[int]:
        return [getattr(row, name) for row in figures.periods]

    return [
        bar_chart("GMV", keys, series("gmv_minor"), money, axis),
        bar_chart("Paid orders", keys, series("orders")),
        bar_chart("Commission revenue", keys, series("commission_minor"), money, axis),
        bar_chart("Refunds", keys, series("refunds_minor"), money, axis),
        bar_chart("New buyers", keys, series("new_buyers")),
        bar_chart("New vendors", keys, series("new_vendors")),
    ]


def _csv_row(row: PeriodFigures, currency: str) -> list[str | int]:
    return [
        row.period,
        currency,
        major_units(row.gmv_minor, currency),
        row.orders,
        major_units(row.average_order_minor, currency),
        major_units(row.commission_minor, currency),
        major_units(row.refunds_minor, currency),
        row.refund_count,
        row.new_vendors,
        row.new_buyers,
    ]


def figures_csv(figures: Figures) -> str:
    """One row per period and a total row; money in major units of the one currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in figures.periods:
        writer.writerow(_csv_row(row, figures.currency))
    writer.writerow(_csv_row(figures.totals, figures.currency))
    return out.getvalue()
