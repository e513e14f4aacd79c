"""Choosing the gateway, signed payloads, and keeping onboarding links out of the logs."""

from __future__ import annotations

import json
import logging
import time

import pytest

from marketplace.payments.gateway import (
    InvalidPayload,
    InvalidSignature,
    event_from_payload,
    get_gateway,
    sign_payload,
    verify_signature,
)
from marketplace.payments.offline import OfflineGateway
from marketplace.payments.stripe_gateway import StripeGateway

SECRET = "whsec_unit_test"
PAYLOAD = json.dumps(
    {"id": "evt_1", "type": "account.updated", "created": 1, "data": {"object": {"id": "a"}}}
).encode()


def test_offline_gateway_is_the_default(app):
    gateway = get_gateway()

    assert isinstance(gateway, OfflineGateway)
    assert get_gateway() is gateway  # built once


def test_a_stripe_key_selects_stripe_and_its_api_base(app):
    app.config.update(STRIPE_SECRET_KEY="sk_test_x", STRIPE_API_BASE="http://127.0.0.1:9")

    gateway = get_gateway()

    assert isinstance(gateway, StripeGateway)
    assert gateway.name == "stripe"


def test_a_signature_made_with_the_secret_verifies():
    verify_signature(PAYLOAD, sign_payload(PAYLOAD, SECRET), SECRET)


@pytest.mark.parametrize(
    ("payload", "header"),
    [
        (PAYLOAD + b" ", sign_payload(PAYLOAD, SECRET)),  # body changed after signing
        (PAYLOAD, sign_payload(PAYLOAD, "whsec_someone_else")),
        (PAYLOAD, sign_payload(PAYLOAD, SECRET, timestamp=int(time.time()) - 3600)),  # replay
        (PAYLOAD, "v1=deadbeef"),
        (PAYLOAD, ""),
    ],
    ids=["tampered", "wrong-secret", "too-old", "no-timestamp", "missing"],
)
def test_bad_signatures_are_refused(payload, header):
    with pytest.raises(InvalidSignature):
        verify_signature(payload, header, SECRET)


def test_any_of_several_signatures_may_match():
    """Stripe sends one v1 per active secret while a secret is being rolled."""
    good = sign_payload(PAYLOAD, SECRET)
    stamp, signature = good.split(",")
    verify_signature(PAYLOAD, f"{stamp},v1={'0' * 64},{signature}", SECRET)


def test_offline_webhooks_round_trip_and_refuse_forgeries(app):
    gateway = get_gateway()
    assert isinstance(gateway, OfflineGateway)

    event = gateway.parse_webhook(PAYLOAD, gateway.sign_webhook(PAYLOAD))

    assert (event.provider, event.id, event.type, event.object) == (
        "offline",
        "evt_1",
        "account.updated",
        {"id": "a"},
    )
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook(PAYLOAD, sign_payload(PAYLOAD, app.config["SECRET_KEY"]))


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"id": "evt", "type": "x"}', b"[]"])
def test_signed_bodies_that_are_not_events_are_refused(body):
    with pytest.raises(InvalidPayload):
        event_from_payload("stripe", body)


def test_the_stripe_library_never_logs_an_onboarding_link(caplog):
    StripeGateway(secret_key="sk_test_x")
    link = "https://connect.stripe.com/setup/e/acct_1/secret-token"
    body = json.dumps({"object": "account_link", "url": link})
    stripe_logger = logging.getLogger("stripe")

    with caplog.at_level(logging.DEBUG, logger="stripe"):
        stripe_logger.debug("message='API response body' body=%s", body)
        stripe_logger.debug("message='API response body' body=%s", '{"object": "account"}')

    assert link not in caplog.text
    assert "account link hidden" in caplog.text
    assert '{"object": "account"}' in caplog.text  # other bodies are left alone
