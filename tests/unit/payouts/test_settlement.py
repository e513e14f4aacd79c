"""payout.paid / payout.failed events (each stored and applied once), and the offline gateway's
settlement by an admin after the bank transfer."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from marketplace.admin.models import AdminAction
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.payments import connect
from marketplace.payments.gateway import GatewayEvent, get_gateway
from marketplace.payouts import ledger
from marketplace.payouts.balances import vendor_balances
from marketplace.payouts.models import LedgerTransaction, PayoutStatus
from marketplace.payouts.runs import run_payouts
from marketplace.payouts.settlement import PayoutNotSettleable, settle_offline_payout
from tests import factories
from tests.unit.payouts import payouts_support as support


@pytest.fixture
def sent(market):
    """Both shops' payouts in transit."""
    order = support.paid_order(market)
    support.deliver(order, utcnow() - support.AFTER_RELEASE)
    run_payouts()
    return support.payouts()


def _event(payout, event_type: str, **changes) -> GatewayEvent:
    """The gateway's event about a payout, as its webhook would deliver it (signed)."""
    gateway = get_gateway()
    obj = {
        "id": payout.gateway_reference,
        "object": "payout",
        "amount": payout.amount_minor,
        "currency": payout.currency.lower(),
        "status": event_type.split(".")[1],
        **changes,
    }
    return gateway.issue_event(event_type, obj, account=payout.destination)


def _bookings(kind: str) -> int:
    return db.session.scalar(
        select(func.count(LedgerTransaction.id)).where(LedgerTransaction.kind == kind)
    )


def test_payout_paid_settles_the_payout_once(market, sent):
    payout = sent[0]
    event = _event(payout, "payout.paid")

    assert connect.handle_gateway_event(event) is True
    assert connect.handle_gateway_event(event) is False  # the same event delivered again
    db.session.commit()

    payout = support.payouts()[0]
    assert payout.status == PayoutStatus.PAID
    assert payout.paid_at is not None
    assert _bookings("payout_paid") == 1
    balances = vendor_balances(payout.vendor_id, "USD")
    assert (balances.in_payout, balances.paid_out) == (0, payout.amount_minor)
    assert ledger.verify().ok


def test_payout_failed_makes_the_money_available_again(market, sent):
    payout = sent[1]

    connect.handle_gateway_event(
        _event(payout, "payout.failed", failure_message="The bank account has been closed.")
    )
    db.session.commit()

    payout = support.payouts()[1]
    assert payout.status == PayoutStatus.FAILED
    assert payout.failure_message == "The bank account has been closed."
    balances = vendor_balances(payout.vendor_id, "USD")
    assert (balances.available, balances.in_payout, balances.paid_out) == (
        payout.amount_minor,
        0,
        0,
    )
    assert ledger.verify().ok


def test_a_paid_event_after_the_failure_changes_nothing(market, sent):
    payout = sent[0]
    connect.handle_gateway_event(_event(payout, "payout.failed", failure_message="Closed"))
    connect.handle_gateway_event(_event(payout, "payout.paid"))
    db.session.commit()

    assert support.payouts()[0].status == PayoutStatus.FAILED
    assert _bookings("payout_paid") == 0


def test_a_failure_after_paid_means_the_bank_sent_it_back(market, sent):
    payout = sent[0]
    connect.handle_gateway_event(_event(payout, "payout.paid"))
    connect.handle_gateway_event(_event(payout, "payout.failed", failure_message="Returned"))
    db.session.commit()

    balances = vendor_balances(payout.vendor_id, "USD")
    assert (balances.available, balances.paid_out) == (payout.amount_minor, 0)
    assert ledger.verify().ok


def test_an_event_naming_another_account_is_ignored(market, sent):
    payout = sent[0]
    gateway = get_gateway()
    event = gateway.issue_event(
        "payout.paid",
        {"id": payout.gateway_reference, "object": "payout"},
        account="acct_offline_999",
    )

    connect.handle_gateway_event(event)

    assert support.payouts()[0].status == PayoutStatus.IN_TRANSIT


def test_a_forged_payout_event_is_refused_by_the_webhook(client, market, sent):
    payload = json.dumps({"id": "evt_1", "type": "payout.paid", "data": {"object": {}}}).encode()

    # The offline gateway has no webhook endpoint; its events are verified the same way.
    from marketplace.payments.gateway import InvalidSignature

    with pytest.raises(InvalidSignature):
        get_gateway().parse_webhook(payload, "t=1,v1=forged")


def test_an_admin_marks_an_offline_payout_paid_and_it_is_audited(market, sent):
    admin = factories.UserFactory(is_admin=True)

    settle_offline_payout(sent[0].id, paid=True, actor_id=admin.id)
    db.session.commit()

    assert support.payouts()[0].status == PayoutStatus.PAID
    action = db.session.scalars(select(AdminAction)).one()
    assert (action.action, action.target_id, action.actor_id) == (
        "payouts.mark_paid",
        str(sent[0].id),
        admin.id,
    )
    with pytest.raises(PayoutNotSettleable, match="paid"):
        settle_offline_payout(sent[0].id, paid=True, actor_id=admin.id)


def test_marking_failed_needs_a_reason(market, sent):
    admin = factories.UserFactory(is_admin=True)

    with pytest.raises(PayoutNotSettleable, match="Say why"):
        settle_offline_payout(sent[0].id, paid=False, actor_id=admin.id)

    settle_offline_payout(sent[0].id, paid=False, actor_id=admin.id, reason="Wrong account")
    assert support.payouts()[0].failure_message == "Wrong account"
