"""Events and signed webhooks from the Stripe test server, signed exactly as Stripe signs them.

Stripe-Signature is "t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.<raw body>' keyed by the
endpoint's signing secret>". This module computes it on its own (not with our app's code or
the stripe library), so the app's verification is checked against an independent signer.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from typing import Any

from tests.stripe_server.server import StripeTestServer, new_id, now

EVENT = "event"


def build_event(
    server: StripeTestServer,
    event_type: str,
    obj: dict[str, Any],
    *,
    account: str | None = None,
    previous_attributes: dict[str, Any] | None = None,
    created: int | None = None,
) -> dict[str, Any]:
    """An event about a snapshot of `obj`, stored on the server as Stripe keeps its events."""
    data: dict[str, Any] = {"object": copy.deepcopy(obj)}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    event = {
        "id": new_id("evt"),
        "object": "event",
        "api_version": server.contract.version,
        "created": now() if created is None else created,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    if account is not None:
        event["account"] = account  # events of connected accounts name the account
    return server.store(EVENT, event)


def account_updated(
    server: StripeTestServer, account_id: str, *, created: int | None = None
) -> dict[str, Any]:
    """`account.updated` carrying the account as the server holds it now."""
    account = server.get("account", account_id)
    return build_event(server, "account.updated", account, account=account_id, created=created)


def signature_header(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    stamp = now() if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), str(stamp).encode() + b"." + payload, hashlib.sha256)
    return f"t={stamp},v1={mac.hexdigest()}"


def signed_webhook(
    server: StripeTestServer,
    event: dict[str, Any],
    *,
    secret: str | None = None,
    timestamp: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of Stripe's POST delivering `event` to a webhook endpoint."""
    payload = json.dumps(event, indent=2).encode()
    header = signature_header(payload, secret or server.webhook_secret, timestamp=timestamp)
    return payload, {"Stripe-Signature": header, "Content-Type": "application/json"}
