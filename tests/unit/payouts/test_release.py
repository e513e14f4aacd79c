"""Release after delivery: the hold, the return window, open returns, and recovery of what a
vendor owes from its next earnings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.fulfilment.models import ReturnRequest
from marketplace.models_base import utcnow
from marketplace.payments.models import ReversalStatus
from marketplace.payouts import ledger
from marketplace.payouts.balances import vendor_balances
from marketplace.payouts.models import Transfer
from marketplace.payouts.release import due_releases, release_date, release_due
from tests.unit.payouts import payouts_support as support


def _transfers() -> int:
    return db.session.scalar(select(func.count(Transfer.id))) or 0


def test_a_paid_order_is_pending_until_delivered_and_its_window_is_over(market):
    order = support.paid_order(market)
    shop = market.vendors[0]
    net = support.vendor_order_of(order, shop).vendor_net_minor

    assert release_due(now=utcnow() + timedelta(days=365)).released == 0
    assert _transfers() == 0
    assert vendor_balances(shop.id, "USD").pending == net
    assert vendor_balances(shop.id, "USD").available == 0


def test_the_release_date_is_the_return_window_when_it_is_longer_than_the_hold(app, market):
    order = support.paid_order(market)
    delivered = utcnow() - timedelta(days=40)
    support.deliver(order, delivered)

    assert release_date(delivered) == delivered + timedelta(days=30)
    assert due_releases(now=delivered + timedelta(days=30) - timedelta(seconds=1)) == []
    assert len(due_releases(now=delivered + timedelta(days=30))) == 2


def test_a_hold_longer_than_the_return_window_wins(app, market):
    app.config["PAYOUT_HOLD_DAYS"] = 45
    order = support.paid_order(market)
    delivered = utcnow() - timedelta(days=50)
    support.deliver(order, delivered)

    assert release_date(delivered) == delivered + timedelta(days=45)
    assert due_releases(now=delivered + timedelta(days=44)) == []


def test_release_moves_each_vendor_net_to_its_available_balance_once(market):
    order = support.paid_order(market)
    support.deliver(order, utcnow() - support.AFTER_RELEASE)

    first = release_due()
    db.session.commit()
    again = release_due()

    assert (first.released, again.released) == (2, 0)
    assert _transfers() == 2
    for shop in market.vendors:
        net = support.vendor_order_of(order, shop).vendor_net_minor
        balances = vendor_balances(shop.id, "USD")
        assert (balances.pending, balances.available) == (0, net)
        assert first.failed == {}
    assert ledger.verify().ok


@pytest.mark.parametrize("status", ["requested", "approved", "escalated", "received"])
def test_an_open_return_holds_the_release(market, status):
    order = support.paid_order(market)
    support.deliver(order, utcnow() - support.AFTER_RELEASE)
    held = support.vendor_order_of(order, market.vendors[0])
    db.session.add(
        ReturnRequest(
            vendor_order_id=held.id,
            requested_by_id=market.buyer.id,
            status=status,
            reason="Too small",
        )
    )
    db.session.commit()

    assert [due.vendor_order_id for due in due_releases()] == [
        support.vendor_order_of(order, market.vendors[1]).id
    ]


def test_a_refused_return_no_longer_holds_it(market):
    order = support.paid_order(market)
    support.deliver(order, utcnow() - support.AFTER_RELEASE)
    part = support.vendor_order_of(order, market.vendors[0])
    db.session.add(
        ReturnRequest(
            vendor_order_id=part.id, requested_by_id=market.buyer.id, status="refused", reason="x"
        )
    )
    db.session.commit()

    assert len(due_releases()) == 2


def test_a_vendor_order_refunded_before_release_has_nothing_to_release(market):
    order = support.paid_order(market)
    part = support.vendor_order_of(order, market.vendors[0])
    support.refund_all(part)
    support.deliver(order, utcnow() - support.AFTER_RELEASE)

    result = release_due()

    assert result.released == 1
    assert db.session.scalars(select(Transfer.vendor_order_id)).all() == [
        support.vendor_order_of(order, market.vendors[1]).id
    ]


def test_a_shop_without_a_payout_account_is_reported_and_the_others_are_released(market):
    order = support.paid_order(market)
    support.deliver(order, utcnow() - support.AFTER_RELEASE)
    market.vendors[0].payout_account_id = None
    db.session.commit()

    result = release_due()

    assert result.released == 1
    assert list(result.failed) == [support.vendor_order_of(order, market.vendors[0]).id]
    assert "no payout account" in next(iter(result.failed.values()))


def _owe(market, shop, quantities: tuple[int, ...] | None = None) -> int:
    """Make `shop` owe the platform: its released share is paid out, then refunded."""
    order = support.paid_order(market, quantities)
    support.deliver(order, utcnow() - support.AFTER_RELEASE)
    release_due()
    db.session.commit()
    from marketplace.payouts.runs import run_payouts

    run_payouts()
    part = support.vendor_order_of(order, shop)
    support.refund_all(part)
    return vendor_balances(shop.id, "USD").owed


def test_a_refund_after_payout_becomes_a_receivable_recovered_from_the_next_release(market):
    shop = market.vendors[0]
    owed = _owe(market, shop)
    assert owed > 0
    assert vendor_balances(shop.id, "USD").receivable == -owed

    order = support.paid_order(market, (2, 0))
    support.deliver(order, utcnow() - support.AFTER_RELEASE)
    release_due()
    db.session.commit()

    net = support.vendor_order_of(order, shop).vendor_net_minor
    transfer = db.session.scalars(
        select(Transfer).where(Transfer.vendor_order_id == support.vendor_order_of(order, shop).id)
    ).one()
    assert transfer.amount_minor == net - owed
    balances = vendor_balances(shop.id, "USD")
    assert (balances.owed, balances.available) == (0, net - owed)
    assert ledger.verify().ok


def test_earnings_smaller_than_what_is_owed_are_all_kept_back(app, market):
    shop = market.vendors[1]
    owed = _owe(market, shop, (1, 3))
    order = support.paid_order(market, (0, 1))
    support.deliver(order, utcnow() - support.AFTER_RELEASE)
    net = support.vendor_order_of(order, shop).vendor_net_minor
    assert net < owed

    release_due()
    db.session.commit()

    assert _transfers() == 2  # the first order's two transfers only: nothing was sent
    balances = vendor_balances(shop.id, "USD")
    assert (balances.owed, balances.available) == (owed - net, 0)
    assert ledger.verify().ok


def test_the_failed_reversal_is_recorded_on_the_refund(market):
    shop = market.vendors[0]
    _owe(market, shop)
    from marketplace.payments.models import Refund

    assert db.session.scalars(select(Refund.reversal_status)).all() == [ReversalStatus.FAILED]
