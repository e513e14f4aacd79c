"""Stripe Connect through the official library: Express accounts, account links, webhooks.

Every call that creates something carries an idempotency key derived from our own records, so a
retry (ours or the library's) can never open a second account. Account links are handed back to
be followed once: they are never stored and never logged.
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
    event_from_payload,
)

if TYPE_CHECKING:
    from marketplace.vendors.models import Vendor

log = logging.getLogger(__name__)

NAME = "stripe"
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
def _calling_stripe(action: str) -> Iterator[None]:
    """Turn the library's errors into a GatewayError the vendor can read; log what happened."""
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
