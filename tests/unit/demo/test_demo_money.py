"""The demo's money went the way a real shop's does: held, released by the cron, paid out."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.demo.seed import seed_demo
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders.models import VendorOrder, VendorOrderStatus
from marketplace.payouts import release
from marketplace.payouts.balances import vendor_balances
from marketplace.payouts.models import Payout, PayoutStatus, Transfer
from marketplace.search.analytics_models import SearchClick, SearchLog
from marketplace.vendors.models import Vendor


@pytest.fixture
def seeded(app):
    summary = seed_demo(products=40, seed=7, image_size=64)
    db.session.commit()
    return summary


def _first_shop() -> Vendor:
    return db.session.scalars(select(Vendor).where(Vendor.slug == "switchback-outfitters")).one()


def test_the_demo_vendor_has_money_pending_available_and_paid_out(seeded):
    shop = _first_shop()
    money = vendor_balances(shop.id, "USD")

    assert money.pending > 0
    assert money.available > 0
    assert money.paid_out > 0
    assert seeded.payouts >= 1


def test_only_vendor_orders_past_their_hold_were_released_and_payouts_settled(seeded):
    now = utcnow()
    released_ids = set(db.session.scalars(select(Transfer.vendor_order_id)))
    vendor_orders = db.session.scalars(select(VendorOrder)).all()

    assert released_ids
    for vendor_order in vendor_orders:
        past_hold = (
            vendor_order.delivered_at is not None
            and release.release_date(vendor_order.delivered_at) <= now
        )
        if vendor_order.id in released_ids:
            assert past_hold
            transfer = db.session.scalars(
                select(Transfer).where(Transfer.vendor_order_id == vendor_order.id)
            ).one()
            assert transfer.created_at >= release.release_date(vendor_order.delivered_at)
    payouts = db.session.scalars(select(Payout)).all()
    assert payouts and all(p.created_at < now for p in payouts)
    for payout in payouts:
        if payout.status == PayoutStatus.PAID:
            assert payout.paid_at is not None and payout.paid_at > payout.created_at


def test_the_demo_vendor_has_a_new_order_and_a_late_one(seeded):
    shop = _first_shop()
    open_parts = db.session.scalars(
        select(VendorOrder).where(
            VendorOrder.vendor_id == shop.id,
            VendorOrder.status.in_([VendorOrderStatus.PAID, VendorOrderStatus.ACCEPTED]),
        )
    ).all()

    assert any(vo.status == VendorOrderStatus.PAID for vo in open_parts)
    assert any(vo.ship_by < utcnow() for vo in open_parts if vo.status == "accepted")


def test_search_analytics_have_searches_with_and_without_results_and_clicks(seeded):
    searches = db.session.scalar(select(func.count(SearchLog.id)))
    nothing_found = db.session.scalar(
        select(func.count(SearchLog.id)).where(SearchLog.total_results == 0)
    )

    assert searches == seeded.searches > 0
    assert 0 < nothing_found < searches
    assert db.session.scalar(select(func.count(SearchClick.id))) > 0
