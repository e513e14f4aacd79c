"""Vendor scorecards: thresholds admins set flag vendors for review; flagged vendors come first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.admin.models import AdminAction
from marketplace.admin.scorecards import (
    InvalidThresholds,
    Thresholds,
    current_thresholds,
    flags_for,
    scorecards,
)
from marketplace.catalog.models import ModerationDecision
from marketplace.extensions import db
from marketplace.fulfilment.performance import VendorPerformance
from marketplace.models_base import utcnow
from marketplace.reviews.aggregates import RatingSummary


def performance(orders=20, late=0.0, cancelled=0.0, returned=0.0) -> VendorPerformance:
    return VendorPerformance(
        orders=orders,
        on_time_shipment_rate=1 - late,
        late_shipment_rate=late,
        cancellation_rate=cancelled,
        return_rate=returned,
        average_handling_hours=24.0,
    )


def rating(histogram: dict[int, int]) -> RatingSummary:
    return RatingSummary.from_histogram(histogram)


class FakeVendor:
    strikes = 0


LIMITS = Thresholds(
    min_rating=3.5,
    min_reviews=5,
    max_late_shipment_rate=0.10,
    max_cancellation_rate=0.05,
    max_return_rate=0.15,
    min_orders=10,
    max_violations=2,
    max_strikes=1,
)


def test_a_vendor_within_every_threshold_is_not_flagged(app):
    assert flags_for(FakeVendor(), rating({5: 10}), performance(), 0, LIMITS) == []


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (performance(late=0.11), ["max_late_shipment_rate"]),
        (performance(late=0.10), []),  # at the limit is not past it
        (performance(cancelled=0.06), ["max_cancellation_rate"]),
        (performance(returned=0.2), ["max_return_rate"]),
        (performance(orders=9, late=0.9, cancelled=0.9), []),  # too few orders to judge
    ],
)
def test_fulfilment_rates_flag_past_their_limit(record, expected):
    assert flags_for(FakeVendor(), None, record, 0, LIMITS) == expected


def test_a_low_rating_flags_only_with_enough_ratings(app):
    assert flags_for(FakeVendor(), rating({2: 4, 3: 1}), None, 0, LIMITS) == ["min_rating"]
    assert flags_for(FakeVendor(), rating({1: 4}), None, 0, LIMITS) == []


def test_violations_and_strikes_flag_past_their_limit():
    vendor = FakeVendor()
    vendor.strikes = 2
    assert flags_for(vendor, None, None, 3, LIMITS) == ["max_violations", "max_strikes"]


def test_a_blank_threshold_switches_its_check_off():
    off = Thresholds(max_late_shipment_rate=None, max_strikes=None)
    vendor = FakeVendor()
    vendor.strikes = 50
    assert flags_for(vendor, None, performance(late=1.0), 0, off) == []


def test_thresholds_out_of_range_are_refused():
    with pytest.raises(InvalidThresholds):
        Thresholds(max_return_rate=1.5)
    with pytest.raises(InvalidThresholds):
        Thresholds(min_rating=6)


def test_flagged_vendors_are_listed_first_with_recent_violations_counted(
    app, make_vendor, make_product
):
    calm = make_vendor(display_name="Aardvark Antiques")
    struck = make_vendor(display_name="Zephyr Zines", strikes=5)
    violating = make_vendor(display_name="Moth & Mildew")
    for days_ago in (1, 2, 3, 200):  # the last is outside the 90-day window
        product = make_product(vendor=violating)
        db.session.add(
            ModerationDecision(
                product_id=product.id,
                decision="rejected",
                reason="x",
                created_at=utcnow() - timedelta(days=days_ago),
            )
        )
    db.session.commit()

    cards = scorecards(Thresholds(max_violations=2, max_strikes=2))

    assert [card.vendor.id for card in cards] == [violating.id, struck.id, calm.id]
    assert [card.flags for card in cards] == [["max_violations"], ["max_strikes"], []]
    assert cards[0].violations == 3


def test_saving_thresholds_from_the_form_is_audited(as_admin, make_vendor):
    make_vendor(display_name="Zephyr Zines", strikes=1)
    db.session.commit()
    form = {
        "window_days": "30",
        "min_rating": "4",
        "min_reviews": "3",
        "max_late_shipment_rate": "12.5",
        "max_cancellation_rate": "",
        "max_return_rate": "20",
        "min_orders": "5",
        "max_violations": "1",
        "max_strikes": "0",
    }
    response = as_admin.post("/admin/scorecards/thresholds", data=form)
    assert response.status_code == 302

    db.session.expire_all()
    saved = current_thresholds()
    assert saved.max_late_shipment_rate == pytest.approx(0.125)
    assert saved.max_cancellation_rate is None and saved.max_strikes == 0
    (row,) = db.session.scalars(select(AdminAction)).all()
    assert row.action == "scorecard.thresholds"
    assert row.before["window_days"] == 90 and row.after["window_days"] == 30
    page = as_admin.get("/admin/scorecards?flagged=1").get_data(as_text=True)
    assert "Zephyr Zines" in page and "is-flagged" in page


def test_invalid_thresholds_are_explained_and_change_nothing(as_admin):
    response = as_admin.post(
        "/admin/scorecards/thresholds",
        data={"window_days": "30", "min_reviews": "3", "min_orders": "5",
              "max_return_rate": "150"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Between 0 and 100." in response.get_data(as_text=True)
    db.session.expire_all()
    assert current_thresholds() == Thresholds()
    assert db.session.scalars(select(AdminAction)).all() == []
