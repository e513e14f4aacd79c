"""Dashboard figures against a hand-computed history (see dashboard_fixture), per day and month."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from marketplace.admin.charts import bar_chart, nice_ceiling
from marketplace.admin.metrics import DateRange, InvalidDateRange, figures
from marketplace.admin.periods import Grain, period_keys
from marketplace.extensions import db
from tests.helpers import sign_in
from tests.unit.admin.dashboard_fixture import (
    END,
    EXPECTED_DAYS,
    EXPECTED_TOTAL,
    START,
    as_dict,
    build_history,
)


@pytest.fixture
def history(app):
    build_history()
    db.session.commit()


def test_daily_figures_match_the_hand_computed_table(history):
    result = figures(DateRange(START, END), "USD", Grain.DAY)
    assert [row.period for row in result.periods] == list(EXPECTED_DAYS)
    assert {row.period: as_dict(row) for row in result.periods} == EXPECTED_DAYS
    assert as_dict(result.totals) == EXPECTED_TOTAL


def test_monthly_figures_group_the_same_rows_by_month(history):
    result = figures(DateRange(date(2025, 2, 28), date(2025, 3, 31)), "USD", Grain.MONTH)
    february, march = result.periods
    assert (february.period, february.gmv_minor, february.orders) == ("2025-02", 99_999, 1)
    assert february.commission_minor == 9_999
    assert (march.period, march.gmv_minor, march.orders) == ("2025-03", 17_501 + 3_000, 4)
    assert march.refunds_minor == 2_300 + 5_000
    assert march.new_vendors == 2 and february.new_vendors == 1


def test_day_and_month_queries_in_one_app_each_group_their_own_way(history):
    """The statement cache must not hand the month query the day query's SQL (or back)."""
    window = DateRange(START, END)
    for _ in range(2):
        days = figures(window, "USD", Grain.DAY)
        months = figures(window, "USD", Grain.MONTH)
        assert [row.period for row in days.periods] == list(EXPECTED_DAYS)
        assert [(row.period, row.gmv_minor) for row in months.periods] == [("2025-03", 17_501)]


def test_other_currencies_are_counted_apart(history):
    result = figures(DateRange(START, END), "EUR", Grain.DAY)
    assert (result.totals.gmv_minor, result.totals.orders) == (7_000, 1)


def test_a_range_must_run_forwards_and_not_too_far():
    with pytest.raises(InvalidDateRange):
        DateRange(END, START)
    with pytest.raises(InvalidDateRange):
        DateRange(date(2020, 1, 1), date(2025, 1, 1))


def test_period_keys_cover_every_day_and_month_of_the_range():
    assert period_keys(date(2024, 12, 30), date(2025, 1, 2), Grain.DAY) == [
        "2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02",
    ]  # fmt: skip
    assert period_keys(date(2024, 11, 15), date(2025, 2, 1), Grain.MONTH) == [
        "2024-11", "2024-12", "2025-01", "2025-02",
    ]  # fmt: skip


def test_chart_axis_is_round_and_bars_scale_to_it():
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 10, 11, 15001)] == [1, 1, 5, 10, 10, 20, 20000]
    chart = bar_chart("GMV", ["2025-03-01", "2025-03-02"], [15_001, 0])
    tall, flat = chart.bars
    assert flat.height == 0 and tall.height > 0
    assert chart.y_ticks[-1].text == "20000"
    assert tall.tooltip == "1 Mar: 15001"


def _admin_client(client, make_user):
    admin = make_user(is_admin=True)
    db.session.commit()
    sign_in(client, admin)
    return client


def test_dashboard_page_shows_the_figures_as_svg_charts_and_tables(history, client, make_user):
    page = _admin_client(client, make_user).get("/admin/?from=2025-03-01&to=2025-03-03")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<svg") == 6
    assert "$175.01" in html  # GMV total
    assert "$58.34" in html  # average order value
    assert "$14.50" in html  # commission revenue
    assert "<script" not in html.split("<main", 1)[-1]  # charts need no JavaScript


def test_csv_export_has_one_row_per_day_and_a_total(history, client, make_user):
    response = _admin_client(client, make_user).get(
        "/admin/dashboard.csv?from=2025-03-01&to=2025-03-03&grain=day"
    )
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["period"] for row in rows] == [*EXPECTED_DAYS, "total"]
    assert rows[0]["gmv"] == "150.01" and rows[0]["average_order_value"] == "75.00"
    assert rows[1]["commission_revenue"] == "-1.00" and rows[1]["average_order_value"] == ""
    assert rows[-1]["refunds"] == "23.00" and rows[-1]["orders"] == "3"


def test_a_backwards_range_is_explained_and_the_default_shown(client, make_user):
    response = _admin_client(client, make_user).get("/admin/?from=2025-03-05&to=2025-03-01")
    assert response.status_code == 400
    assert "start date on or before the end date" in response.get_data(as_text=True)
    assert _admin_client(client, make_user).get("/admin/dashboard.csv?from=x").status_code == 400
