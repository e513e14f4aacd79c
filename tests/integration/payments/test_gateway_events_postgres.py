"""Gateway events on PostgreSQL: the JSON lookups and the unique event id behave as on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.payments import connect
from marketplace.payments.gateway import GatewayEvent, get_gateway
from marketplace.payments.models import WebhookEvent
from marketplace.payments.offline import TEST_ACCOUNT_NUMBER, TEST_ROUTING_NUMBER, PayoutDetails
from tests import factories

pytestmark = pytest.mark.integration

DETAILS = PayoutDetails("Kiln and Co", TEST_ROUTING_NUMBER, TEST_ACCOUNT_NUMBER)


def _vendor_with_offline_account():
    vendor = factories.VendorFactory(charges_enabled=False, payouts_enabled=False)
    connect.start_payout_onboarding(vendor.id, "http://x/refresh", "http://x/return")
    db.session.commit()
    return vendor


def _account_event(account_id: str, *, enabled: bool, created: int, event_id: str):
    account = {"id": account_id, "charges_enabled": enabled, "payouts_enabled": enabled}
    payload = {
        "id": event_id,
        "type": "account.updated",
        "created": created,
        "data": {"object": account},
    }
    return GatewayEvent("offline", event_id, "account.updated", created, account, payload)


def test_offline_confirmation_is_read_back_by_the_gateway_on_postgres(pg_app):
    vendor = _vendor_with_offline_account()
    gateway = get_gateway()
    assert not gateway.retrieve_account_status(vendor.payout_account_id).is_payable

    connect.confirm_offline_onboarding(
        vendor.id,
        vendor.payout_account_id,
        account_holder_name=DETAILS.account_holder_name,
        routing_number=DETAILS.routing_number,
        account_number=DETAILS.account_number,
    )
    db.session.commit()

    assert gateway.retrieve_account_status(vendor.payout_account_id).is_payable
    assert connect.sync_payout_status(vendor.id).is_payable


def test_late_older_events_and_duplicates_change_nothing_on_postgres(pg_app):
    vendor = _vendor_with_offline_account()
    account_id = vendor.payout_account_id
    newer = _account_event(account_id, enabled=True, created=2_000, event_id="evt_new")
    older = _account_event(account_id, enabled=False, created=1_000, event_id="evt_old")

    assert connect.handle_gateway_event(newer) is True
    db.session.commit()
    assert connect.handle_gateway_event(older) is True
    assert connect.handle_gateway_event(newer) is False
    db.session.commit()

    db.session.expire_all()
    assert vendor.is_payable
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 2


def test_the_database_refuses_a_second_copy_of_an_event(pg_app):
    db.session.add(WebhookEvent(provider="stripe", event_id="evt_1", type="x", payload={}))
    db.session.commit()
    db.session.add(WebhookEvent(provider="stripe", event_id="evt_1", type="x", payload={}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
