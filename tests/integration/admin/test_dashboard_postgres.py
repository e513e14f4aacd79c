"""Dashboard figures on PostgreSQL: the day/month grouping gives the hand-computed figures there
too, whatever time zone the database session uses."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from marketplace.admin.metrics import DateRange, figures
from marketplace.admin.periods import Grain
from marketplace.extensions import db
from tests.unit.admin.dashboard_fixture import (
    END,
    EXPECTED_DAYS,
    EXPECTED_TOTAL,
    START,
    as_dict,
    build_history,
)

pytestmark = pytest.mark.integration


def test_daily_figures_match_on_postgres_in_a_far_time_zone(pg_app):
    build_history()
    db.session.commit()
    db.session.execute(text("SET TIME ZONE 'Pacific/Kiritimati'"))  # UTC+14: days would shift
    result = figures(DateRange(START, END), "USD", Grain.DAY)
    assert {row.period: as_dict(row) for row in result.periods} == EXPECTED_DAYS
    assert as_dict(result.totals) == EXPECTED_TOTAL


def test_monthly_figures_on_postgres(pg_app):
    build_history()
    db.session.commit()
    result = figures(DateRange(date(2025, 2, 28), date(2025, 3, 31)), "USD", Grain.MONTH)
    assert [(row.period, row.gmv_minor) for row in result.periods] == [
        ("2025-02", 99_999),
        ("2025-03", 20_501),
    ]
