"""The payment gateway interface: what the marketplace asks of Stripe or of the offline gateway.

`get_gateway()` picks the implementation from the settings: Stripe when `STRIPE_SECRET_KEY` is
set, otherwise the embedded offline gateway. Both report the same `AccountStatus`,
`PaymentDetails` and `GatewayEvent` values, so the rest of the marketplace cannot tell them apart.

Money moves as "separate charges and transfers": one payment per order on the platform's own
account (tagged with the order's transfer group), then one transfer per vendor order to the
vendor's connected account, tied to the payment's charge (`source_transaction`) so it can never
spend money the platform has not received yet. Refunds come back the same way: a refund on the
payment, a reversal of the vendor's transfer for its share.

Every call that creates something carries an idempotency key made from our own ids (the
`*_key` functions below), so a retry after a timeout, a crash or a redelivered webhook can only
ever find the first result, never make a second charge, transfer or refund.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from datetime import datetime
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
    "PaymentDetails",
    "PaymentGateway",
    "PaymentRequest",
    "PaymentSession",
    "PayoutRequest",
    "PayoutResult",
    "RefundResult",
    "RequestRefused",
    "ReversalFailed",
    "ReversalResult",
    "TransferRequest",
    "TransferResult",
    "event_from_payload",
    "get_gateway",
    "intent_status",
    "payment_key",
    "payout_key",
    "refund_key",
    "reversal_key",
    "sign_payload",
    "transfer_group",
    "transfer_key",
    "verify_signature",
]

SIGNATURE_TOLERANCE_SECONDS = 300  # a signed payload older than this is refused (replays)


class GatewayError(DomainError):
    """The payment provider refused a request or could not be reached."""

    message = (
        "The payment provider could not complete the request. Please try again in a few minutes."
    )


class RequestRefused(GatewayError):
    """The gateway answered and refused the request (it will refuse it again as it stands),
    as opposed to a network or server failure, after which the same request may be retried."""


class InvalidSignature(GatewayError):
    """A webhook whose signature does not prove it came from the gateway."""

    message = "The webhook signature could not be verified."


class InvalidPayload(GatewayError):
    """A correctly signed webhook whose body is not an event we can read."""

    message = "The webhook body is not a valid event."


class ReversalFailed(GatewayError):
    """The gateway could not take a vendor's share back (its balance there is too low)."""

    message = "The vendor's balance is too low to reverse the transfer."


# ---------------------------------------------------------------------------------------------
# Idempotency keys: from our own ids, the same on every retry


def payment_key(order_id: int) -> str:
    """The key of the call that opens the order's one payment (intent or checkout session)."""
    return f"order:{order_id}:pi"


def transfer_key(order_id: int, vendor_id: int) -> str:
    """The key of the one transfer of a vendor's share of an order."""
    return f"order:{order_id}:transfer:{vendor_id}"


def refund_key(refund_id: int) -> str:
    """The key of the gateway refund recorded as our Refund `refund_id`."""
    return f"refund:{refund_id}"


def reversal_key(refund_id: int) -> str:
    """The key of the transfer reversal that takes the vendor's share of a refund back."""
    return f"refund:{refund_id}:reversal"


def payout_key(payout_id: int) -> str:
    """The key of the gateway payout recorded as our Payout `payout_id`."""
    return f"payout:{payout_id}"


def transfer_group(order_id: int) -> str:
    """The gateway's label tying an order's payment to its vendor transfers."""
    return f"order_{order_id}"


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


@dataclass(frozen=True)
class PaymentRequest:
    """What the buyer is asked to pay for one order, and where the browser goes afterwards."""

    order_id: int
    payment_id: int
    order_number: str
    amount_minor: int
    currency: str  # ISO code, upper case as we keep it
    email: str
    description: str
    return_url: str  # after paying (the order is paid by the event, not by coming back)
    cancel_url: str  # the buyer gave up on the gateway's page
    expires_at: datetime | None = None  # the order's stock reservation ends then

    @property
    def idempotency_key(self) -> str:
        return payment_key(self.order_id)

    @property
    def metadata(self) -> dict[str, str]:
        """Our ids on the gateway's objects, so its events lead back to our records."""
        return {
            "order_id": str(self.order_id),
            "order_number": self.order_number,
            "payment_id": str(self.payment_id),
        }


@dataclass(frozen=True)
class PaymentSession:
    """Where the buyer pays: a page to send the browser to, or a client secret for a form."""

    session_reference: str  # the checkout session (Stripe) or the payment page's reference
    payment_reference: str | None  # the payment intent, once the gateway has made one
    redirect_url: str | None = None
    client_secret: str | None = None


@dataclass(frozen=True)
class PaymentDetails:
    """The gateway's current view of a payment intent, with the fee it kept on the charge."""

    reference: str
    status: str  # one of PaymentStatus's values
    amount_minor: int
    amount_received_minor: int
    currency: str  # upper case
    charge_reference: str | None
    fee_minor: int | None  # None until the charge has a balance transaction
    fee_currency: str | None
    failure_message: str | None = None


@dataclass(frozen=True)
class TransferRequest:
    """One vendor order's share, moved from the order's charge to the vendor's account."""

    order_id: int
    vendor_order_id: int
    vendor_id: int
    amount_minor: int
    currency: str
    destination: str  # the vendor's connected account
    source_transaction: str  # the charge the money came in with
    description: str = ""

    @property
    def idempotency_key(self) -> str:
        return transfer_key(self.order_id, self.vendor_id)

    @property
    def transfer_group(self) -> str:
        return transfer_group(self.order_id)


@dataclass(frozen=True)
class TransferResult:
    reference: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class ReversalResult:
    reference: str
    transfer_reference: str
    amount_minor: int


@dataclass(frozen=True)
class PayoutRequest:
    """A vendor's available balance paid from its connected account to its bank account."""

    payout_id: int
    vendor_id: int
    amount_minor: int
    currency: str
    account: str  # the vendor's connected account, whose balance pays it
    description: str = ""

    @property
    def idempotency_key(self) -> str:
        return payout_key(self.payout_id)

    @property
    def metadata(self) -> dict[str, str]:
        return {"payout_id": str(self.payout_id), "vendor_id": str(self.vendor_id)}


@dataclass(frozen=True)
class PayoutResult:
    reference: str
    status: str  # the gateway's word: pending, in_transit, paid, failed, canceled
    amount_minor: int


@dataclass(frozen=True)
class RefundResult:
    reference: str
    status: str  # one of RefundStatus's values
    amount_minor: int
    failure_message: str | None = None


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

    # -- the buyer's payment ---------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> PaymentSession:
        """Open the order's one payment on the platform (keyed `order:{id}:pi`).

        Calling it again for the same order returns the same session, so the buyer can come
        back to a payment page they left.
        """
        ...

    def retrieve_payment(self, reference: str) -> PaymentDetails:
        """The payment intent's state, its charge and the fee the gateway kept."""
        ...

    # -- moving money to vendors and back ----------------------------------------------------

    def create_transfer(self, request: TransferRequest) -> TransferResult:
        """Send a vendor its share out of the order's charge (keyed per order and vendor)."""
        ...

    def reverse_transfer(
        self, transfer_reference: str, amount_minor: int, *, refund_id: int
    ) -> ReversalResult:
        """Take `amount_minor` of a transfer back for a refund; raises ReversalFailed when the
        vendor's balance cannot cover it."""
        ...

    def create_refund(
        self, payment_reference: str, amount_minor: int, *, refund_id: int
    ) -> RefundResult:
        """Return `amount_minor` of a payment to the buyer (keyed `refund:{id}`)."""
        ...

    def create_payout(self, request: PayoutRequest) -> PayoutResult:
        """Pay out of the vendor's connected account to its bank (keyed `payout:{id}`); the
        outcome arrives later as a `payout.paid` or `payout.failed` event. Raises
        RequestRefused when the gateway refuses it."""
        ...


def intent_status(status: str | None, *, has_error: bool) -> str:
    """A payment intent's status, in Stripe's words, as one of our PaymentStatus values.

    After a decline Stripe puts the intent back to "requires_payment_method" with a
    `last_payment_error` (`has_error`): for us the last attempt failed.
    """
    from marketplace.payments.models import PaymentStatus

    mapped = {
        "succeeded": PaymentStatus.SUCCEEDED,
        "requires_action": PaymentStatus.REQUIRES_ACTION,
        "processing": PaymentStatus.PROCESSING,
        "canceled": PaymentStatus.CANCELLED,
    }.get(status or "")
    if mapped is not None:
        return mapped
    return PaymentStatus.FAILED if has_error else PaymentStatus.REQUIRES_PAYMENT


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
