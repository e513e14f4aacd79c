"""Stripe Connect through the official library: accounts, Checkout, transfers, refunds, webhooks.

Every call that creates something carries an idempotency key derived from our own records, so a
retry (ours or the library's) can never open a second account, charge twice or pay a vendor
twice. Account links are handed back to be followed once: they are never stored and never logged.

The buyer pays on a Stripe Checkout page rather than in a Payment Element on ours: Checkout needs
no script from Stripe's servers on our pages (our CSP loads scripts from our own origin only, and
the JavaScript we ship is vendored), it works like the offline gateway's page (a redirect there
and back), and Stripe handles card authentication (3-D Secure) on its side. Checkout makes the
order's one PaymentIntent on the platform, with `payment_intent_data` carrying the transfer
group and our ids; it makes it when the buyer pays, so the intent id reaches us with the first
`payment_intent.*` event, which names our payment in its metadata.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import stripe

from marketplace.payments.gateway import (
    AccountStatus,
    GatewayError,
    GatewayEvent,
    InvalidSignature,
    PaymentDetails,
    PaymentRequest,
    PaymentSession,
    PayoutRequest,
    PayoutResult,
    RefundResult,
    RequestRefused,
    ReversalFailed,
    ReversalResult,
    TransferRequest,
    TransferResult,
    event_from_payload,
    intent_status,
    refund_key,
    reversal_key,
)
from marketplace.payments.models import RefundStatus

if TYPE_CHECKING:
    from marketplace.vendors.models import Vendor

log = logging.getLogger(__name__)

NAME = "stripe"
BALANCE_INSUFFICIENT = "balance_insufficient"  # Stripe's code: the account cannot cover it
REFUND_STATES = {
    "succeeded": RefundStatus.SUCCEEDED,
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}
TIMEOUT_SECONDS = 30
MAX_NETWORK_RETRIES = 2  # safe: every POST carries an idempotency key


class _HideAccountLinks(logging.Filter):
    """Blank the stripe library's debug record of a response body holding an onboarding link.

    The library logs every response body at DEBUG on the "stripe" logger; an account link is a
    bearer credential for the vendor's payout details, so it must not reach any log.
    (`STRIPE_LOG=debug` prints straight to stderr and bypasses logging: never set it in production.)
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "account_link" in message and "API response body" in message:
            record.msg = "message='API response body' body=<account link hidden>"
            record.args = ()
        return True


def _install_log_filter() -> None:
    stripe_logger = logging.getLogger("stripe")
    if not any(isinstance(item, _HideAccountLinks) for item in stripe_logger.filters):
        stripe_logger.addFilter(_HideAccountLinks())


@contextmanager
def _calling_stripe(
    action: str, *, explain: bool = False, short_of_funds: type[GatewayError] = ReversalFailed
) -> Iterator[None]:
    """Turn the library's errors into a GatewayError a person can read; log what happened.

    A request the account's balance cannot cover is always refused: a ReversalFailed (or
    `short_of_funds`). With `explain`
    (staff moving money), Stripe's refusal of the request is shown with Stripe's own message;
    otherwise, and for network or server trouble, the generic "try again later".
    """
    try:
        yield
    except stripe.StripeError as exc:
        log.warning(
            "Stripe refused to %s: %s (code=%s, status=%s, request=%s)",
            action,
            type(exc).__name__,
            exc.code,
            exc.http_status,
            exc.request_id,
        )
        refused = isinstance(exc, stripe.InvalidRequestError) and exc.user_message
        if refused and exc.code == BALANCE_INSUFFICIENT:
            raise short_of_funds(f"Stripe could not {action}: {exc.user_message}") from exc
        if refused and explain:
            raise RequestRefused(f"Stripe could not {action}: {exc.user_message}") from exc
        raise GatewayError() from exc


class StripeGateway:
    """The production gateway: Stripe Connect with separate charges and transfers."""

    name = NAME

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str | None = None,
        api_base: str | None = None,
    ) -> None:
        _install_log_filter()
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else {},
            max_network_retries=MAX_NETWORK_RETRIES,
            http_client=stripe.new_default_http_client(timeout=TIMEOUT_SECONDS),
        )

    # -- connected accounts ------------------------------------------------------------------

    def create_connected_account(self, vendor: Vendor) -> str:
        """An Express account for the vendor, opened at most once (keyed by the vendor id)."""
        with _calling_stripe("create a connected account"):
            account = self.client.v1.accounts.create(
                params=self._account_params(vendor),
                options={"idempotency_key": f"vendor:{vendor.id}:account"},
            )
        return str(account.id)

    @staticmethod
    def _account_params(vendor: Vendor) -> Any:
        """What Stripe needs up front; the vendor gives Stripe the rest during onboarding."""
        business_profile: dict[str, str] = {
            "name": vendor.display_name,
            "support_email": vendor.contact_email,
        }
        if vendor.description:
            business_profile["product_description"] = vendor.description
        if vendor.contact_phone:
            business_profile["support_phone"] = vendor.contact_phone
        return {
            "type": "express",
            "country": vendor.country,
            "email": vendor.contact_email,
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
            "business_profile": business_profile,
            # The marketplace decides when the vendor is paid (`flask payouts run`).
            "settings": {"payouts": {"schedule": {"interval": "manual"}}},
            "metadata": {"vendor_id": str(vendor.id)},
        }

    def create_onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        """A fresh Stripe-hosted onboarding address for the account (single use, short-lived)."""
        with _calling_stripe("create an account link"):
            link = self.client.v1.account_links.create(
                params={
                    "account": account_id,
                    "refresh_url": refresh_url,
                    "return_url": return_url,
                    "type": "account_onboarding",
                }
            )
        return str(link.url)

    def retrieve_account_status(self, account_id: str) -> AccountStatus:
        """Stripe's current flags for the account."""
        with _calling_stripe("retrieve an account"):
            account = self.client.v1.accounts.retrieve(account_id)
        return AccountStatus(
            charges_enabled=bool(account.charges_enabled),
            payouts_enabled=bool(account.payouts_enabled),
            details_submitted=bool(account.details_submitted),
        )

    # -- the buyer's payment -------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> PaymentSession:
        """A Checkout Session for the order, the same one on every call for the order.

        The parameters depend only on the order, so a second call with the same key is
        Stripe's replay of the first: the buyer comes back to the same page.
        """
        with _calling_stripe("open the payment page"):
            session = self.client.v1.checkout.sessions.create(
                params=self._checkout_params(request),
                options={"idempotency_key": request.idempotency_key},
            )
        intent = session.payment_intent
        return PaymentSession(
            session_reference=str(session.id),
            payment_reference=None if intent is None else _id_of(intent),
            redirect_url=session.url,
        )

    @staticmethod
    def _checkout_params(request: PaymentRequest) -> Any:
        """One line for the whole order (its total is what the buyer pays, exactly)."""
        return {
            "mode": "payment",
            "success_url": request.return_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": str(request.order_id),
            "customer_email": request.email,
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_minor,
                        "product_data": {
                            "name": f"Order {request.order_number}",
                            "description": request.description,
                        },
                    },
                }
            ],
            "payment_intent_data": {
                "transfer_group": f"order_{request.order_id}",
                "description": f"Order {request.order_number}",
                "metadata": request.metadata,
            },
            "metadata": request.metadata,
        }

    def retrieve_payment(self, reference: str) -> PaymentDetails:
        """The intent with its latest charge and that charge's balance transaction (the fee)."""
        with _calling_stripe("retrieve a payment"):
            intent = self.client.v1.payment_intents.retrieve(
                reference, params={"expand": ["latest_charge.balance_transaction"]}
            )
        charge = intent.latest_charge
        txn = None if charge is None or isinstance(charge, str) else charge.balance_transaction
        has_fee = txn is not None and not isinstance(txn, str)
        error = intent.last_payment_error
        return PaymentDetails(
            reference=str(intent.id),
            status=intent_status(intent.status, has_error=error is not None),
            amount_minor=int(intent.amount),
            amount_received_minor=int(intent.amount_received or 0),
            currency=str(intent.currency).upper(),
            charge_reference=None if charge is None else _id_of(charge),
            fee_minor=int(txn.fee) if has_fee else None,
            fee_currency=str(txn.currency).upper() if has_fee else None,
            failure_message=None if error is None else error.message,
        )

    # -- moving money to vendors and back ------------------------------------------------------

    def create_transfer(self, request: TransferRequest) -> TransferResult:
        """A transfer out of the order's charge (`source_transaction`) to the vendor's account."""
        with _calling_stripe("transfer a vendor's share", explain=True):
            transfer = self.client.v1.transfers.create(
                params={
                    "amount": request.amount_minor,
                    "currency": request.currency.lower(),
                    "destination": request.destination,
                    "source_transaction": request.source_transaction,
                    "transfer_group": request.transfer_group,
                    "description": request.description,
                    "metadata": {
                        "order_id": str(request.order_id),
                        "vendor_order_id": str(request.vendor_order_id),
                    },
                },
                options={"idempotency_key": request.idempotency_key},
            )
        return TransferResult(str(transfer.id), int(transfer.amount), transfer.currency.upper())

    def reverse_transfer(
        self, transfer_reference: str, amount_minor: int, *, refund_id: int
    ) -> ReversalResult:
        """Take part of a transfer back; ReversalFailed when the vendor's balance is short."""
        with _calling_stripe("reverse a vendor's transfer", explain=True):
            reversal = self.client.v1.transfers.reversals.create(
                transfer_reference,
                params={"amount": amount_minor, "metadata": {"refund_id": str(refund_id)}},
                options={"idempotency_key": reversal_key(refund_id)},
            )
        return ReversalResult(str(reversal.id), _id_of(reversal.transfer), int(reversal.amount))

    def create_refund(
        self, payment_reference: str, amount_minor: int, *, refund_id: int
    ) -> RefundResult:
        """A refund on the order's payment intent (Stripe refunds its latest charge)."""
        with _calling_stripe("refund the payment", explain=True):
            refund = self.client.v1.refunds.create(
                params={
                    "payment_intent": payment_reference,
                    "amount": amount_minor,
                    "reason": "requested_by_customer",
                    "metadata": {"refund_id": str(refund_id)},
                },
                options={"idempotency_key": refund_key(refund_id)},
            )
        return RefundResult(
            reference=str(refund.id),
            status=REFUND_STATES.get(str(refund.status), RefundStatus.PENDING),
            amount_minor=int(refund.amount),
            failure_message=getattr(refund, "failure_reason", None),
        )

    def create_payout(self, request: PayoutRequest) -> PayoutResult:
        """A payout on the vendor's connected account (`Stripe-Account`), from its balance."""
        with _calling_stripe(
            "pay out a vendor's balance", explain=True, short_of_funds=RequestRefused
        ):
            payout = self.client.v1.payouts.create(
                params={
                    "amount": request.amount_minor,
                    "currency": request.currency.lower(),
                    "description": request.description,
                    "metadata": request.metadata,
                },
                options={
                    "idempotency_key": request.idempotency_key,
                    "stripe_account": request.account,
                },
            )
        return PayoutResult(str(payout.id), str(payout.status), int(payout.amount))

    # -- webhooks ----------------------------------------------------------------------------

    def parse_webhook(self, payload: bytes, signature_header: str) -> GatewayEvent:
        """Check the Stripe-Signature header on the raw body with the endpoint's secret."""
        if not self.webhook_secret:
            raise GatewayError("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).")
        try:
            self.client.construct_event(payload, signature_header, self.webhook_secret)
        except stripe.SignatureVerificationError as exc:
            raise InvalidSignature() from exc
        except ValueError as exc:  # signed, but not JSON
            raise InvalidSignature("The webhook body is not valid JSON.") from exc
        return event_from_payload(NAME, payload)


def _id_of(value: Any) -> str:
    """The id of an expandable field, whether Stripe sent the id or the expanded object."""
    return value if isinstance(value, str) else str(value.id)
