"""Vendor performance from what happened to its orders, on a fixture computed by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.fulfilment.models import ReturnRequest
from marketplace.fulfilment.performance import performance_by_vendor, vendor_performance
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, OrderLine, VendorOrder
from tests import factories

NOW = utcnow()
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _vendor_order(
    vendor,
    buyer,
    n,
    *,
    paid_at,
    status,
    shipped=None,
    delivered=None,
    cancelled=None,
    cancelled_units=0,
    shipped_units=0,
    ship_by=None,
):
    order = Order(
        number=f"MP-TEST-{vendor.id}-{n}",
        buyer_id=buyer.id,
        status="paid" if paid_at else "pending_payment",
        email=buyer.email,
        items_total_minor=1000,
        grand_total_minor=1000,
        paid_at=paid_at,
        created_at=(paid_at or NOW) - HOUR,
    )
    part = VendorOrder(
        vendor_id=vendor.id,
        status=status,
        subtotal_minor=1000,
        vendor_net_minor=1000,
        ship_by=ship_by or ((paid_at + 2 * DAY) if paid_at else None),
        shipped_at=shipped,
        delivered_at=delivered,
        cancelled_at=cancelled,
        lines=[
            OrderLine(
                title="Mug",
                sku=f"MUG-{n}",
                unit_price_minor=500,
                quantity=2,
                line_total_minor=1000,
                quantity_shipped=shipped_units,
                quantity_cancelled=cancelled_units,
            )
        ],
    )
    order.vendor_orders = [part]
    db.session.add(order)
    db.session.flush()
    return part


@pytest.fixture
def record(app):
    """Five paid orders of one shop (and noise that must not count), as the docstrings say."""
    shop, other = factories.VendorFactory(), factories.VendorFactory()
    buyer = factories.UserFactory()
    paid = NOW - 10 * DAY
    # 1. shipped after 24 h (on time: ship-by is paid + 48 h), delivered
    _vendor_order(
        shop,
        buyer,
        1,
        paid_at=paid,
        status="delivered",
        shipped=paid + 24 * HOUR,
        delivered=paid + 3 * DAY,
        shipped_units=2,
    )
    # 2. shipped after 72 h (late), delivered, and the buyer asked to return it
    returned = _vendor_order(
        shop,
        buyer,
        2,
        paid_at=paid,
        status="delivered",
        shipped=paid + 72 * HOUR,
        delivered=paid + 5 * DAY,
        shipped_units=2,
    )
    db.session.add(
        ReturnRequest(
            vendor_order_id=returned.id,
            requested_by_id=buyer.id,
            reason="Cracked",
            created_at=paid + 6 * DAY,
        )
    )
    # 3. never shipped, cancelled by the deadline after its ship-by date (late, cancelled)
    _vendor_order(
        shop,
        buyer,
        3,
        paid_at=paid,
        status="cancelled",
        cancelled=paid + 5 * DAY,
        cancelled_units=2,
    )
    # 4. the shop cancelled one unit within an hour (not due: cancelled in time), still open
    _vendor_order(
        shop, buyer, 4, paid_at=NOW - 3 * HOUR, status="paid", cancelled=None, cancelled_units=1
    )
    # 5. paid an hour ago, due tomorrow (not due yet)
    _vendor_order(shop, buyer, 5, paid_at=NOW - HOUR, status="paid")
    # noise: an unpaid (expired) order of the shop, and another shop's late order
    _vendor_order(shop, buyer, 6, paid_at=None, status="cancelled")
    _vendor_order(other, buyer, 7, paid_at=paid, status="paid")
    db.session.commit()
    return shop, other


def test_performance_matches_the_hand_computed_figures(record):
    shop, _other = record

    figures = vendor_performance(shop.id)

    assert figures.orders == 5
    # due: orders 1, 2, 3; on time: order 1
    assert figures.on_time_shipment_rate == pytest.approx(1 / 3)
    assert figures.late_shipment_rate == pytest.approx(2 / 3)
    # cancelled something: orders 3 and 4, of 5
    assert figures.cancellation_rate == pytest.approx(2 / 5)
    # delivered: orders 1 and 2; a return asked on order 2
    assert figures.return_rate == pytest.approx(1 / 2)
    # (24 h + 72 h) / 2
    assert figures.average_handling_hours == pytest.approx(48.0)


def test_since_narrows_to_recent_orders_and_a_shop_without_orders_has_no_rates(record):
    shop, other = record
    empty = factories.VendorFactory()
    db.session.commit()

    batch = performance_by_vendor([shop.id, other.id, empty.id], since=NOW - DAY)

    recent = batch[shop.id]
    assert recent.orders == 2  # orders 4 and 5
    assert recent.on_time_shipment_rate is None  # nothing due yet
    assert recent.cancellation_rate == pytest.approx(1 / 2)
    assert batch[other.id].orders == 0
    assert batch[empty.id] == vendor_performance(empty.id)
    assert batch[empty.id].orders == 0
    assert batch[empty.id].return_rate is None
    assert batch[empty.id].average_handling_hours is None
