"""Stripe Connect payout onboarding against the Stripe test server (real HTTP, Stripe's contract).

The vendor becomes payable only when Stripe says so: by a signed `account.updated` webhook or
when we retrieve the account, never because the browser came back from onboarding.
"""

from __future__ import annotations

import logging

import pytest
import stripe
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import WebhookEvent
from marketplace.vendors.models import Vendor, VendorEvent
from tests.helpers import sign_in
from tests.stripe_server import accounts, events
from tests.stripe_server.server import StripeTestServer, now

pytestmark = pytest.mark.integration


@pytest.fixture
def vendor(client, make_vendor) -> Vendor:
    """An approved shop, signed in, with no payout account yet."""
    shop = make_vendor(display_name="Kiln & Co", payable=False, contact_email="hello@kiln.example")
    db.session.commit()
    sign_in(client, shop.owner)
    return shop


def _reload(vendor: Vendor) -> Vendor:
    db.session.expire_all()
    return db.session.get(Vendor, vendor.id)


def _start(client: FlaskClient, vendor: Vendor) -> tuple[str, str]:
    """Press "Set up payouts": returns (account id, where the browser was sent)."""
    sign_in(client, vendor.owner)
    response = client.post("/sell/payouts/start")
    assert response.status_code == 303
    return _reload(vendor).payout_account_id, response.headers["Location"]


def _deliver(client: FlaskClient, server: StripeTestServer, event: dict, **signing):
    payload, headers = events.signed_webhook(server, event, **signing)
    return client.post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": headers["Stripe-Signature"]},
        content_type="application/json",
    )


def _everything_stored() -> str:
    """Every row of every table, as text: to prove something was not kept."""
    db.session.expire_all()
    rows = []
    for table in db.metadata.sorted_tables:
        rows += [repr(tuple(row)) for row in db.session.execute(select(table))]
    return "\n".join(rows)


def _payout_audit(vendor: Vendor) -> list[VendorEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(VendorEvent).where(
                VendorEvent.vendor_id == vendor.id, VendorEvent.kind == "payout_status"
            )
        )
    )


# --- starting onboarding ---------------------------------------------------------------------


def test_start_opens_an_express_account_and_sends_the_browser_to_a_link_kept_nowhere(
    client, vendor, stripe_server, caplog
):
    caplog.set_level(logging.DEBUG)

    account_id, location = _start(client, vendor)

    [create] = stripe_server.requests_to("POST", "/v1/accounts")
    assert create.idempotency_key == f"vendor:{vendor.id}:account"
    assert create.params["type"] == "express"
    assert create.params["country"] == "US"
    assert create.params["email"] == "hello@kiln.example"
    assert create.params["capabilities"] == {
        "card_payments": {"requested": "true"},
        "transfers": {"requested": "true"},
    }
    assert create.params["business_profile"]["name"] == "Kiln & Co"
    assert create.params["metadata"] == {"vendor_id": str(vendor.id)}
    assert account_id in stripe_server.objects["account"]
    assert _reload(vendor).payout_gateway == "stripe"

    [link] = stripe_server.objects["account_link"].values()
    assert location == link["url"]
    assert link["account"] == account_id
    assert link["type"] == "account_onboarding"
    assert link["refresh_url"] == "http://localhost/sell/payouts/refresh"
    assert link["return_url"] == "http://localhost/sell/payouts/return"

    assert link["url"] not in _everything_stored()
    assert link["url"] not in caplog.text
    assert "/v1/account_links" in caplog.text  # the log was captured, link and all
    assert not _reload(vendor).is_payable


def test_starting_again_reuses_the_account_with_a_fresh_link(client, vendor, stripe_server):
    account_id, first = _start(client, vendor)
    again, second = _start(client, vendor)

    assert again == account_id
    assert first != second
    assert len(stripe_server.requests_to("POST", "/v1/accounts")) == 1
    assert len(stripe_server.requests_to("POST", "/v1/account_links")) == 2


def test_an_expired_link_is_replaced_by_the_refresh_url(client, vendor, stripe_server):
    account_id, first = _start(client, vendor)

    response = client.get("/sell/payouts/refresh")

    assert response.status_code == 303
    assert response.headers["Location"] != first
    assert account_id in response.headers["Location"]
    assert len(stripe_server.requests_to("POST", "/v1/accounts")) == 1


# --- coming back, and Stripe's verdict --------------------------------------------------------


def test_coming_back_is_not_enough_only_stripe_makes_the_vendor_payable(
    client, vendor, stripe_server
):
    account_id, _ = _start(client, vendor)

    page = client.get("/sell/payouts/return").get_data(as_text=True)
    assert "Setup is not finished" in page
    assert not _reload(vendor).is_payable

    accounts.submit_details(stripe_server, account_id)
    page = client.get("/sell/payouts/return").get_data(as_text=True)
    assert "Stripe is checking your details" in page
    assert not _reload(vendor).is_payable

    accounts.complete_onboarding(stripe_server, account_id)
    page = client.get("/sell/payouts/return").get_data(as_text=True)
    assert "Your payout account is ready" in page
    assert _reload(vendor).is_payable
    assert len(stripe_server.requests_to("GET", "/v1/accounts/{account}")) == 3
    [audit] = _payout_audit(vendor)
    assert audit.reason == "Charges enabled, payouts enabled (reported by stripe)."


def test_a_failed_retrieve_is_explained_and_changes_nothing(client, make_vendor, stripe_server):
    shop = make_vendor(payable=False, payout_gateway="stripe", payout_account_id="acct_gone")
    db.session.commit()
    sign_in(client, shop.owner)

    response = client.get("/sell/payouts/return", follow_redirects=True)

    assert "could not complete the request" in response.get_data(as_text=True)
    assert not _reload(shop).is_payable


# --- webhooks ---------------------------------------------------------------------------------


def test_a_signed_account_updated_webhook_makes_the_vendor_payable(client, vendor, stripe_server):
    account_id, _ = _start(client, vendor)
    accounts.complete_onboarding(stripe_server, account_id)
    event = events.account_updated(stripe_server, account_id)

    response = _deliver(client, stripe_server, event)

    assert response.status_code == 200
    assert response.get_json() == {"received": True, "duplicate": False}
    assert _reload(vendor).is_payable
    db.session.expire_all()
    stored = db.session.scalars(select(WebhookEvent)).one()
    assert (stored.provider, stored.event_id, stored.type) == ("stripe", event["id"], event["type"])


@pytest.mark.parametrize("forgery", ["wrong-secret", "tampered", "missing", "stale"])
def test_a_webhook_with_a_bad_signature_gets_400_and_changes_nothing(
    client, vendor, stripe_server, forgery
):
    account_id, _ = _start(client, vendor)
    accounts.complete_onboarding(stripe_server, account_id)
    event = events.account_updated(stripe_server, account_id)
    payload, headers = events.signed_webhook(stripe_server, event)
    signature = headers["Stripe-Signature"]
    if forgery == "wrong-secret":
        signature = events.signature_header(payload, "whsec_not_ours")
    elif forgery == "tampered":
        payload = payload.replace(b'"livemode": false', b'"livemode": true')
    elif forgery == "missing":
        signature = ""
    else:
        signature = events.signature_header(
            payload, stripe_server.webhook_secret, timestamp=event["created"] - 3600
        )

    response = client.post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": signature},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_signature"
    assert not _reload(vendor).is_payable
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_the_same_event_delivered_twice_is_applied_once(client, vendor, stripe_server):
    account_id, _ = _start(client, vendor)
    accounts.complete_onboarding(stripe_server, account_id)
    event = events.account_updated(stripe_server, account_id)

    first = _deliver(client, stripe_server, event)
    second = _deliver(client, stripe_server, event)

    assert first.get_json()["duplicate"] is False
    assert second.status_code == 200
    assert second.get_json()["duplicate"] is True
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
    assert len(_payout_audit(vendor)) == 1


def test_stripe_disabling_payouts_later_makes_the_vendor_unpayable(client, vendor, stripe_server):
    account_id, _ = _start(client, vendor)
    accounts.complete_onboarding(stripe_server, account_id)
    _deliver(client, stripe_server, events.account_updated(stripe_server, account_id))
    accounts.complete_onboarding(stripe_server, account_id, payouts_enabled=False)
    later = events.account_updated(stripe_server, account_id, created=now() + 1)

    _deliver(client, stripe_server, later)

    shop = _reload(vendor)
    assert shop.charges_enabled and not shop.payouts_enabled
    assert not shop.can_sell


def test_the_stripe_endpoint_is_404_when_the_marketplace_is_offline(client, vendor, stripe_app):
    stripe_app.config["STRIPE_SECRET_KEY"] = None

    response = client.post("/webhooks/stripe", data=b"{}", content_type="application/json")

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_configured"


# --- the test server itself keeps us honest ---------------------------------------------------


def test_a_parameter_stripe_does_not_know_is_refused(stripe_app, stripe_server):
    gateway = get_gateway()

    with pytest.raises(stripe.InvalidRequestError) as refused:
        gateway.client.v1.accounts.create(  # type: ignore[attr-defined]
            params={"type": "express", "payout_bank_iban": "DE89370400440532013000"}
        )

    assert refused.value.http_status == 400
    assert refused.value.code == "parameter_unknown"
    assert refused.value.param == "payout_bank_iban"
    assert stripe_server.take_violations() == [
        "POST /v1/accounts: Received unknown parameter: payout_bank_iban (parameter_unknown)"
    ]


def test_a_missing_required_parameter_is_refused(stripe_app, stripe_server):
    gateway = get_gateway()

    with pytest.raises(stripe.InvalidRequestError) as refused:
        gateway.client.v1.account_links.create(  # type: ignore[attr-defined]
            params={"account": "acct_1", "return_url": "https://x", "refresh_url": "https://y"}
        )

    assert (refused.value.code, refused.value.param) == ("parameter_missing", "type")
    assert len(stripe_server.take_violations()) == 1


def test_idempotency_keys_replay_and_refuse_changed_parameters(stripe_app, stripe_server):
    client = get_gateway().client  # type: ignore[attr-defined]
    params = {"type": "express", "country": "US", "email": "a@example.com"}
    options = {"idempotency_key": "vendor:1:account"}

    first = client.v1.accounts.create(params=params, options=options)
    replay = client.v1.accounts.create(params=params, options=options)
    assert replay.id == first.id
    assert len(stripe_server.objects["account"]) == 1

    with pytest.raises(stripe.IdempotencyError):
        client.v1.accounts.create(params={**params, "email": "b@example.com"}, options=options)
    assert "reused with other parameters" in stripe_server.take_violations()[0]
