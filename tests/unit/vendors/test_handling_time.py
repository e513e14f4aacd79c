"""A shop's handling time: business days from payment to shipping, which set ship-by dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from marketplace.extensions import db
from marketplace.orders.services import ship_by_date
from tests.helpers import sign_in

WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FRIDAY_NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("paid_at", "days", "expected_day"),
    [
        (WEDNESDAY_NOON, 1, 26),  # Thursday
        (WEDNESDAY_NOON, 2, 27),  # Friday
        (WEDNESDAY_NOON, 3, 30),  # skips the weekend to Monday
        (FRIDAY_NOON, 1, 30),  # Friday + 1 business day is Monday
        (SATURDAY_NOON, 1, 30),  # paid at the weekend: counting starts on Monday
        (SATURDAY_NOON, 0, 30),  # same-day shops still get one business day
        (WEDNESDAY_NOON, 10, 9),  # two full weeks later, into December
    ],
)
def test_ship_by_counts_business_days_only(paid_at, days, expected_day):
    due = ship_by_date(paid_at, days)

    assert due.day == expected_day
    assert due.weekday() < 5
    assert (due.hour, due.tzinfo) == (12, UTC)


def test_vendor_sets_its_handling_time(client, make_vendor):
    vendor = make_vendor()
    db.session.commit()
    sign_in(client, vendor.owner)

    response = client.post("/sell/shipping/handling", data={"handling_days": "4"})

    assert response.status_code == 302
    db.session.refresh(vendor)
    assert vendor.handling_days == 4
    assert 'value="4"' in client.get("/sell/shipping").get_data(as_text=True)


@pytest.mark.parametrize("value", ["-1", "31", "soon", ""])
def test_bad_handling_time_is_refused_and_changes_nothing(client, make_vendor, value):
    vendor = make_vendor()
    vendor.handling_days = 2
    db.session.commit()
    sign_in(client, vendor.owner)

    response = client.post("/sell/shipping/handling", data={"handling_days": value})

    assert response.status_code == 422
    assert "business days" in response.get_data(as_text=True)
    db.session.refresh(vendor)
    assert vendor.handling_days == 2
