"""Payout onboarding services: accounts opened once, gateway events applied once and in order."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments import connect
from marketplace.payments.gateway import GatewayEvent, get_gateway
from marketplace.payments.models import WebhookEvent
from marketplace.payments.offline import TEST_ACCOUNT_NUMBER, TEST_ROUTING_NUMBER, PayoutDetails
from marketplace.vendors.models import VendorEvent

REFRESH, RETURN = "http://localhost/sell/payouts/refresh", "http://localhost/sell/payouts/return"


def _account_event(account_id: str, *, enabled: bool, created: int, event_id: str) -> GatewayEvent:
    account = {
        "id": account_id,
        "object": "account",
        "charges_enabled": enabled,
        "payouts_enabled": enabled,
        "details_submitted": True,
    }
    payload = {
        "id": event_id,
        "object": "event",
        "type": "account.updated",
        "created": created,
        "data": {"object": account},
    }
    return GatewayEvent("offline", event_id, "account.updated", created, account, payload)


@pytest.fixture
def onboarding_vendor(make_vendor):
    """An approved vendor whose offline payout account exists but is not enabled."""
    vendor = make_vendor(payable=False)
    connect.start_payout_onboarding(vendor.id, REFRESH, RETURN)
    return vendor


def _payout_audit(vendor) -> list[VendorEvent]:
    return list(
        db.session.scalars(
            select(VendorEvent).where(
                VendorEvent.vendor_id == vendor.id, VendorEvent.kind == "payout_status"
            )
        )
    )


def test_the_account_is_opened_once_and_each_start_gives_a_link(app, make_vendor):
    vendor = make_vendor(payable=False)

    first = connect.start_payout_onboarding(vendor.id, REFRESH, RETURN)
    second = connect.start_payout_onboarding(vendor.id, REFRESH, RETURN)

    assert first == second == f"/sell/payouts/offline/acct_offline_{vendor.id}"
    assert vendor.payout_account_id == f"acct_offline_{vendor.id}"
    assert vendor.payout_gateway == "offline"


def test_suspended_vendor_is_refused_with_the_reason(app, make_vendor):
    vendor = make_vendor(status="suspended", payable=False)

    with pytest.raises(connect.PayoutOnboardingRefused, match="suspended"):
        connect.start_payout_onboarding(vendor.id, REFRESH, RETURN)
    assert vendor.payout_account_id is None


def test_sync_without_an_account_says_to_start(app, make_vendor):
    vendor = make_vendor(payable=False)

    with pytest.raises(connect.NoPayoutAccount, match="Set up payouts"):
        connect.sync_payout_status(vendor.id)


def test_sync_records_what_the_gateway_reports(app, onboarding_vendor):
    vendor = onboarding_vendor
    assert connect.sync_payout_status(vendor.id).is_payable is False

    event = get_gateway().complete_onboarding(  # type: ignore[attr-defined]
        vendor.payout_account_id,
        PayoutDetails("Kiln and Co", TEST_ROUTING_NUMBER, TEST_ACCOUNT_NUMBER),
    )
    connect.handle_gateway_event(event)
    vendor.charges_enabled = vendor.payouts_enabled = False  # forget; ask the gateway again

    status = connect.sync_payout_status(vendor.id)

    assert status.is_payable and status.details_submitted
    assert vendor.is_payable


def test_the_same_event_twice_is_applied_once(app, onboarding_vendor):
    vendor = onboarding_vendor
    event = _account_event(vendor.payout_account_id, enabled=True, created=100, event_id="evt_1")

    assert connect.handle_gateway_event(event) is True
    vendor.charges_enabled = vendor.payouts_enabled = False  # would be undone by a re-apply
    assert connect.handle_gateway_event(event) is False

    assert not vendor.is_payable
    assert len(db.session.scalars(select(WebhookEvent)).all()) == 1
    assert len(_payout_audit(vendor)) == 1


def test_an_older_event_arriving_late_does_not_undo_a_newer_one(app, onboarding_vendor):
    vendor = onboarding_vendor
    account_id = vendor.payout_account_id
    newer = _account_event(account_id, enabled=True, created=200, event_id="evt_new")
    older = _account_event(account_id, enabled=False, created=100, event_id="evt_old")

    connect.handle_gateway_event(newer)
    applied = connect.handle_gateway_event(older)

    assert applied is True  # stored, so a redelivery is a duplicate
    assert vendor.is_payable


def test_event_for_an_account_of_no_vendor_is_stored_and_changes_nothing(app, make_vendor):
    bystander = make_vendor(payable=False)
    event = _account_event("acct_offline_999", enabled=True, created=1, event_id="evt_x")

    assert connect.handle_gateway_event(event) is True

    assert db.session.scalars(select(WebhookEvent.event_id)).all() == ["evt_x"]
    assert not bystander.is_payable


def test_event_of_another_gateway_does_not_touch_the_vendor(app, onboarding_vendor):
    vendor = onboarding_vendor
    event = _account_event(vendor.payout_account_id, enabled=True, created=1, event_id="evt_s")
    stripe_event = GatewayEvent("stripe", event.id, event.type, 1, event.object, event.payload)

    connect.handle_gateway_event(stripe_event)

    assert not vendor.is_payable


def test_unknown_event_types_are_kept_for_the_record(app):
    event = GatewayEvent("offline", "evt_u", "balance.available", 5, {"object": "balance"}, {})

    assert connect.handle_gateway_event(event) is True
    assert db.session.scalars(select(WebhookEvent.type)).one() == "balance.available"


def test_moving_to_another_gateway_opens_a_new_account_and_waits_for_it(app, make_vendor):
    vendor = make_vendor(payable=True, payout_gateway="stripe", payout_account_id="acct_old1")

    connect.start_payout_onboarding(vendor.id, REFRESH, RETURN)

    assert (vendor.payout_gateway, vendor.payout_account_id) == (
        "offline",
        f"acct_offline_{vendor.id}",
    )
    assert not vendor.is_payable
    [audit] = _payout_audit(vendor)
    assert "replacing the stripe one" in (audit.reason or "")


def test_a_duplicate_racing_past_the_check_is_stopped_by_the_unique_constraint(
    app, onboarding_vendor, monkeypatch
):
    vendor = onboarding_vendor
    event = _account_event(vendor.payout_account_id, enabled=True, created=1, event_id="evt_r")
    assert connect.handle_gateway_event(event) is True
    vendor.charges_enabled = vendor.payouts_enabled = False
    monkeypatch.setattr(connect, "_already_received", lambda event: False)

    assert connect.handle_gateway_event(event) is False

    assert not vendor.is_payable  # the second delivery applied nothing
    db.session.commit()  # and the transaction is still usable
    assert db.session.scalars(select(WebhookEvent.event_id)).all() == ["evt_r"]
