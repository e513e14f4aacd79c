"""Payout runs: who is paid, how much, on which schedule, and what is skipped and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.payments.gateway import GatewayError, get_gateway
from marketplace.payments.models import OfflineGatewayObject
from marketplace.payouts import ledger
from marketplace.payouts.balances import vendor_balances
from marketplace.payouts.models import PayoutStatus
from marketplace.payouts.runs import SkipReason, run_payouts
from marketplace.payouts.schedules import hold_payouts, is_due, latest_scheduled_day, set_schedule
from marketplace.vendors.models import VendorStatus
from tests import factories
from tests.unit.payouts import payouts_support as support

MONDAY = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def released(market):
    """One order delivered long ago and released: both shops have money available."""
    order = support.paid_order(market)
    support.deliver(order, utcnow() - support.AFTER_RELEASE)
    return order


def test_a_run_releases_what_is_due_and_pays_every_payable_vendor(market, released):
    nets = [support.vendor_order_of(released, shop).vendor_net_minor for shop in market.vendors]

    result = run_payouts()

    assert (result.vendors, result.paid_minor, result.skipped) == (2, sum(nets), 0)
    assert result.released == 2
    payouts = support.payouts()
    assert [(p.vendor_id, p.amount_minor, p.status) for p in payouts] == [
        (shop.id, net, PayoutStatus.IN_TRANSIT)
        for shop, net in zip(market.vendors, nets, strict=True)
    ]
    assert [p.idempotency_key for p in payouts] == [f"payout:{p.id}" for p in payouts]
    at_gateway = db.session.scalars(
        select(OfflineGatewayObject).where(OfflineGatewayObject.kind == "payout")
    ).all()
    assert sorted(o.idempotency_key for o in at_gateway) == [f"payout:{p.id}" for p in payouts]
    for shop, net in zip(market.vendors, nets, strict=True):
        balances = vendor_balances(shop.id, "USD")
        assert (balances.available, balances.in_payout, balances.paid_out) == (0, net, 0)
    assert ledger.verify().ok


def test_a_second_run_pays_nothing_more(market, released):
    run_payouts()
    again = run_payouts()

    assert (again.vendors, again.paid_minor, again.skipped) == (0, 0, 0)
    assert len(support.payouts()) == 2


def test_the_dry_run_says_what_the_run_will_do_and_changes_nothing(market, released):
    dry = run_payouts(dry_run=True)

    assert support.payouts() == []
    assert vendor_balances(market.vendors[0].id, "USD").available == 0
    real = run_payouts()
    assert (dry.vendors, dry.paid_minor, dry.skipped) == (
        real.vendors,
        real.paid_minor,
        real.skipped,
    )


def test_a_balance_below_the_minimum_waits(app, market, released):
    app.config["PAYOUT_MINIMUM_MINOR"] = 2000  # shop 1 has 2 220 available, shop 2 less

    result = run_payouts()

    assert [p.vendor_id for p in support.payouts()] == [market.vendors[0].id]
    assert result.skipped_reasons == {SkipReason.BELOW_MINIMUM: 1}


def test_a_held_shop_is_skipped_until_the_hold_is_released(market, released):
    admin = factories.UserFactory(is_admin=True)
    hold_payouts(market.vendors[1].id, "Checking a chargeback", actor_id=admin.id)
    db.session.commit()

    result = run_payouts()

    assert [p.vendor_id for p in support.payouts()] == [market.vendors[0].id]
    assert result.skipped_reasons == {SkipReason.HELD: 1}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": VendorStatus.SUSPENDED}, SkipReason.NOT_APPROVED),
        ({"payouts_enabled": False}, SkipReason.NOT_PAYABLE),
    ],
)
def test_a_shop_that_cannot_be_paid_is_skipped(market, released, change, reason):
    run_payouts(dry_run=True)
    for name, value in change.items():
        setattr(market.vendors[0], name, value)
    db.session.commit()
    from marketplace.payouts.release import release_due

    release_due()
    db.session.commit()

    result = run_payouts()

    assert result.skipped_reasons == {reason: 1}
    assert [p.vendor_id for p in support.payouts()] == [market.vendors[1].id]


def test_a_payout_the_gateway_refuses_fails_and_its_money_is_available_again(market, released):
    get_gateway()  # the offline gateway refuses payouts to an account without payouts enabled
    shop = market.vendors[0]
    from marketplace.payments.offline import OfflineGateway

    original = OfflineGateway.retrieve_account_status

    def payouts_disabled(self, account_id):
        status = original(self, account_id)
        if account_id == shop.payout_account_id:
            return type(status)(status.charges_enabled, False, status.details_submitted)
        return status

    OfflineGateway.retrieve_account_status = payouts_disabled
    try:
        result = run_payouts()
    finally:
        OfflineGateway.retrieve_account_status = original

    failed = next(p for p in support.payouts() if p.vendor_id == shop.id)
    assert failed.status == PayoutStatus.FAILED
    assert "not enabled" in failed.failure_message
    assert result.skipped_reasons == {SkipReason.REFUSED: 1}
    assert vendor_balances(shop.id, "USD").available == failed.amount_minor
    assert ledger.verify().ok


def test_a_payout_the_gateway_never_answered_is_sent_again_with_the_same_key(market, released):
    from marketplace.payments.offline import OfflineGateway

    original = OfflineGateway.create_payout
    calls = []

    def unreachable(self, request):
        calls.append(request.idempotency_key)
        raise GatewayError()

    OfflineGateway.create_payout = unreachable
    try:
        first = run_payouts()
    finally:
        OfflineGateway.create_payout = original

    assert first.vendors == 0
    assert first.skipped_reasons == {SkipReason.GATEWAY_UNAVAILABLE: 2}
    pending = support.payouts()
    assert [p.status for p in pending] == [PayoutStatus.PENDING] * 2

    second = run_payouts()

    assert second.vendors == 2
    assert [p.status for p in support.payouts()] == [PayoutStatus.IN_TRANSIT] * 2
    assert calls == [f"payout:{p.id}" for p in pending]
    assert len(support.payouts()) == 2  # the same payouts, not new ones
    assert ledger.verify().ok


def test_what_a_shop_owes_is_recovered_before_it_is_paid(market, released):
    shop = market.vendors[0]
    run_payouts()  # everything paid out
    part = support.vendor_order_of(released, shop)
    support.refund_all(part)  # the reversal fails: the shop owes its share back
    owed = vendor_balances(shop.id, "USD").owed
    smaller = support.paid_order(market, (1, 0))  # earns exactly what it owes
    support.deliver(smaller, utcnow() - support.AFTER_RELEASE)
    nothing = run_payouts(now=utcnow() + timedelta(days=7))
    assert nothing.vendors == 0
    later = support.paid_order(market, (3, 0))
    support.deliver(later, utcnow() - support.AFTER_RELEASE)

    result = run_payouts(now=utcnow() + timedelta(days=7))

    assert owed == support.vendor_order_of(smaller, shop).vendor_net_minor
    expected = support.vendor_order_of(later, shop).vendor_net_minor
    assert [p.amount_minor for p in support.payouts() if p.vendor_id == shop.id][-1] == expected
    assert result.paid_minor == expected
    assert vendor_balances(shop.id, "USD").owed == 0


# --- schedules --------------------------------------------------------------------------------


def test_scheduled_days():
    today = MONDAY.date() + timedelta(days=2)  # a Wednesday
    assert latest_scheduled_day("daily", 0, 1, today) == today
    assert latest_scheduled_day("weekly", 0, 1, today) == MONDAY.date()
    assert latest_scheduled_day("weekly", 4, 1, today) == MONDAY.date() - timedelta(days=3)
    assert latest_scheduled_day("monthly", 0, 3, today).isoformat() == "2031-03-03"
    assert latest_scheduled_day("monthly", 0, 15, today).isoformat() == "2031-02-15"


def test_a_vendor_is_due_once_per_period_and_a_missed_day_is_made_up():
    monday_run = MONDAY
    assert is_due("weekly", 0, 1, last_payout_at=None, now=monday_run)
    assert not is_due("weekly", 0, 1, last_payout_at=monday_run, now=monday_run + timedelta(days=3))
    # cron did not run on the next Monday: Tuesday makes up for it
    assert is_due("weekly", 0, 1, last_payout_at=monday_run, now=monday_run + timedelta(days=8))
    assert is_due("daily", 0, 1, last_payout_at=monday_run, now=monday_run + timedelta(days=1))
    assert not is_due(
        "monthly", 0, 3, last_payout_at=monday_run, now=monday_run + timedelta(days=20)
    )


def test_a_weekly_shop_paid_this_week_waits_for_its_day(market, released):
    set_schedule(market.vendors[0].id, "weekly", weekday=0)
    set_schedule(market.vendors[1].id, "daily")
    db.session.commit()
    run_payouts(now=MONDAY)
    more = support.paid_order(market)
    support.deliver(more, MONDAY - support.AFTER_RELEASE)

    tuesday = run_payouts(now=MONDAY + timedelta(days=1))

    assert tuesday.vendors == 1
    assert tuesday.skipped_reasons == {SkipReason.NOT_DUE: 1}
    assert support.payouts()[-1].vendor_id == market.vendors[1].id


def test_a_schedule_outside_its_range_is_refused(market):
    from marketplace.payouts.schedules import PayoutSettingsRefused

    with pytest.raises(PayoutSettingsRefused, match="28th"):
        set_schedule(market.vendors[0].id, "monthly", month_day=31)
    with pytest.raises(PayoutSettingsRefused):
        set_schedule(market.vendors[0].id, "hourly")


def test_the_cli_prints_the_run_summary(app, market, released):
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["payouts", "run", "--dry-run"])
    real = runner.invoke(args=["payouts", "run"])

    nets = sum(vo.vendor_net_minor for vo in released.vendor_orders)
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.strip() == f"vendors=2 paid_minor={nets} skipped=0"
    assert real.stdout.strip() == f"vendors=2 paid_minor={nets} skipped=0"
    verify = runner.invoke(args=["ledger", "verify"])
    assert verify.exit_code == 0, verify.output


def test_the_release_cli_reports_what_it_released(app, market, released):
    result = app.test_cli_runner().invoke(args=["payouts", "release"])

    nets = sum(vo.vendor_net_minor for vo in released.vendor_orders)
    assert result.stdout.strip() == f"released=2 released_minor={nets} failed=0"
