"""The payment gateway interface: what the marketplace asks of Stripe or of the offline gateway.

`get_gateway()` picks the implementation from the settings: Stripe when `STRIPE_SECRET_KEY` is
set, otherwise the embedded offline gateway. Both report the same `AccountStatus` and
`GatewayEvent` values, so the rest of the marketplace cannot tell them apart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from flask import current_app

from marketplace.errors import DomainError

if TYPE_CHECKING:
    from marketplace.vendors.models import Vendor

__all__ = [
    "AccountStatus",
    "GatewayError",
    "GatewayEvent",
    "InvalidPayload",
    "InvalidSignature",
    "PaymentGateway",
    "event_from_payload",
    "get_gateway",
    "sign_payload",
    "verify_signature",
]

SIGNATURE_TOLERANCE_SECONDS = 300  # a signed payload older than this is refused (replays)


class GatewayError(DomainError):
    """The payment provider refused a request or could not be reached."""

    message = (
        "The payment provider could not complete the request. Please try again in a few minutes."
    )


class InvalidSignature(GatewayError):
    """A webhook whose signature does not prove it came from the gateway."""

    message = "The webhook signature could not be verified."


class InvalidPayload(GatewayError):
    """A correctly signed webhook whose body is not an event we can read."""

    message = "The webhook body is not a valid event."


@dataclass(frozen=True)
class AccountStatus:
    """What the gateway says about a connected (payout) account."""

    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool

    @property
    def is_payable(self) -> bool:
        return self.charges_enabled and self.payouts_enabled


@dataclass(frozen=True)
class GatewayEvent:
    """A verified event from a gateway: its id, type, the object it is about and the payload."""

    provider: str
    id: str
    type: str
    created: int  # seconds since the epoch, as the gateway stamped it
    object: dict[str, Any]
    payload: dict[str, Any] = field(default_factory=dict)


class PaymentGateway(Protocol):
    """A payment provider as the marketplace uses it; each method is one call to the provider."""

    name: str

    def create_connected_account(self, vendor: Vendor) -> str:
        """Open the vendor's payout account at the provider; returns its account id."""
        ...

    def create_onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        """A short-lived address where the vendor fills in payout details (never stored)."""
        ...

    def retrieve_account_status(self, account_id: str) -> AccountStatus:
        """The provider's current view of the account."""
        ...

    def parse_webhook(self, payload: bytes, signature_header: str) -> GatewayEvent:
        """Verify a webhook's signature on the raw body and decode it; raises InvalidSignature."""
        ...


def event_from_payload(provider: str, payload: bytes) -> GatewayEvent:
    """Decode a verified webhook body in Stripe's event shape; raises InvalidPayload."""
    try:
        data = json.loads(payload)
        event = GatewayEvent(
            provider=provider,
            id=str(data["id"]),
            type=str(data["type"]),
            created=int(data.get("created") or 0),
            object=dict(data["data"]["object"]),
            payload=data,
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidPayload() from exc
    if not event.id or not event.type:
        raise InvalidPayload()
    return event


def get_gateway() -> PaymentGateway:
    """The configured gateway for this app (built once per distinct setting, then reused)."""
    config = current_app.config
    secret_key = config.get("STRIPE_SECRET_KEY")
    settings = (
        secret_key,
        config.get("STRIPE_WEBHOOK_SECRET"),
        config.get("STRIPE_API_BASE"),
        config.get("SECRET_KEY"),
    )
    cached = current_app.extensions.get("payment_gateway")
    if cached is not None and cached[0] == settings:
        return cached[1]
    gateway: PaymentGateway
    if secret_key:
        from marketplace.payments.stripe_gateway import StripeGateway

        gateway = StripeGateway(
            secret_key=secret_key,
            webhook_secret=config.get("STRIPE_WEBHOOK_SECRET"),
            api_base=config.get("STRIPE_API_BASE"),
        )
    else:
        from marketplace.payments.offline import OfflineGateway

        gateway = OfflineGateway(signing_secret=str(config["SECRET_KEY"]))
    current_app.extensions["payment_gateway"] = (settings, gateway)
    return gateway


# ---------------------------------------------------------------------------------------------
# Signed payloads, in the scheme Stripe uses ("t=<unix time>,v1=<hex HMAC-SHA256 of t.payload>")


def sign_payload(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The signature header for `payload`."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256)
    return f"t={stamp},v1={digest.hexdigest()}"


def verify_signature(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
    now: int | None = None,
) -> None:
    """Raise InvalidSignature unless one v1 signature matches and the timestamp is recent."""
    parts = [item.split("=", 1) for item in (header or "").split(",") if "=" in item]
    stamps = [value for key, value in parts if key.strip() == "t"]
    signatures = [value for key, value in parts if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        raise InvalidSignature("The signature header is missing or malformed.")
    stamp = int(stamps[0])
    current = int(time.time()) if now is None else now
    if abs(current - stamp) > tolerance:
        raise InvalidSignature("The signature is too old (or from the future).")
    expected = sign_payload(payload, secret, timestamp=stamp).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidSignature("No signature matches the payload.")
