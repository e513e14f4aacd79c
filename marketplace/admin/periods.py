"""Grouping timestamps by UTC day or month in SQL, the same way on SQLite and PostgreSQL.

`utc_period(column, "day")` renders as `strftime('%Y-%m-%d', column)` on SQLite (which keeps
UTC text) and as `to_char(column AT TIME ZONE 'UTC', 'YYYY-MM-DD')` on PostgreSQL (so the
session's time zone never moves an order into another day). Both give the same text keys,
`2026-03-07` for a day and `2026-03` for a month, which sort in time order.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class Grain(StrEnum):
    DAY = "day"
    MONTH = "month"


SQLITE_FORMATS = {Grain.DAY: "%Y-%m-%d", Grain.MONTH: "%Y-%m"}
POSTGRES_FORMATS = {Grain.DAY: "YYYY-MM-DD", Grain.MONTH: "YYYY-MM"}


class _UtcPeriod(FunctionElement[str]):
    """The UTC period of a timestamp column as text. One subclass per grain, because the
    statement cache keys on the element's class and arguments, not on other attributes."""

    type = String()
    inherit_cache = True
    grain: Grain

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)


class _UtcDay(_UtcPeriod):
    inherit_cache = True
    name = "utc_day"
    grain = Grain.DAY


class _UtcMonth(_UtcPeriod):
    inherit_cache = True
    name = "utc_month"
    grain = Grain.MONTH


def utc_period(column: ColumnElement[Any], grain: Grain | str) -> _UtcPeriod:
    """The UTC day (`YYYY-MM-DD`) or month (`YYYY-MM`) of a timestamp column, as text."""
    return _UtcDay(column) if Grain(grain) == Grain.DAY else _UtcMonth(column)


def _column_sql(element: _UtcPeriod, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses.clauses
    return compiler.process(column, **kw)


@compiles(_UtcDay)
@compiles(_UtcMonth)
def _default(element: _UtcPeriod, compiler: Any, **kw: Any) -> str:
    raise NotImplementedError(f"utc_period has no rendering for {compiler.dialect.name}")


@compiles(_UtcDay, "sqlite")
@compiles(_UtcMonth, "sqlite")
def _sqlite(element: _UtcPeriod, compiler: Any, **kw: Any) -> str:
    fmt = compiler.process(literal_column(f"'{SQLITE_FORMATS[element.grain]}'"), **kw)
    return f"strftime({fmt}, {_column_sql(element, compiler, **kw)})"


@compiles(_UtcDay, "postgresql")
@compiles(_UtcMonth, "postgresql")
def _postgresql(element: _UtcPeriod, compiler: Any, **kw: Any) -> str:
    column = _column_sql(element, compiler, **kw)
    return f"to_char({column} AT TIME ZONE 'UTC', '{POSTGRES_FORMATS[element.grain]}')"


def period_key(day: date, grain: Grain) -> str:
    """The key `utc_period` gives a timestamp on `day`."""
    return day.isoformat() if grain == Grain.DAY else day.strftime("%Y-%m")


def period_keys(start: date, end: date, grain: Grain) -> list[str]:
    """Every day or month from `start` to `end` inclusive, in order (for zero-filled series)."""
    if grain == Grain.DAY:
        return [
            date.fromordinal(n).isoformat() for n in range(start.toordinal(), end.toordinal() + 1)
        ]
    keys, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys
