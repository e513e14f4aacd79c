"""The offline gateway, the embedded default: Stripe Connect's behaviour without any network.

It behaves like Stripe Connect seen from the marketplace: accounts have ids (`acct_offline_<n>`),
onboarding happens on a page of its own (a local confirmation page where the vendor enters test
payout details), and the result arrives as an `account.updated` event handled by the same code
as Stripe's webhooks. Its record of an account is the last such event it issued. Payments,
transfers and refunds live in `offline_payments` (the payment page takes documented test cards).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.payments.gateway import (
    AccountStatus,
    GatewayEvent,
    event_from_payload,
    sign_payload,
    verify_signature,
)
from marketplace.payments.models import WebhookEvent
from marketplace.payments.offline_payments import OfflinePayments

if TYPE_CHECKING:
    from marketplace.vendors.models import Vendor

NAME = "offline"
CONFIRM_ENDPOINT = "vendors.payouts_offline_confirm"
ACCOUNT_PREFIX = "acct_offline_"
ACCOUNT_EVENT = "account.updated"

# Documented test payout details (the same numbers Stripe's test mode accepts).
TEST_ROUTING_NUMBER = "110000000"
TEST_ACCOUNT_NUMBER = "000123456789"
# This account number leaves the account under verification: details submitted, not yet enabled.
TEST_ACCOUNT_NUMBER_PENDING = "000999999991"

ROUTING_NUMBER = re.compile(r"^[0-9]{9}$")
ACCOUNT_NUMBER = re.compile(r"^[0-9]{4,17}$")
HOLDER_NAME_MAX = 120


class InvalidPayoutDetails(DomainError):
    """Test payout details the offline gateway does not accept; `field` names the culprit."""


@dataclass(frozen=True)
class PayoutDetails:
    """Test bank details entered on the offline confirmation page (only last4 is kept)."""

    account_holder_name: str
    routing_number: str
    account_number: str


def clean_holder_name(raw: str | None) -> str:
    """The account holder's name, single-spaced."""
    holder = " ".join((raw or "").split())
    if not 2 <= len(holder) <= HOLDER_NAME_MAX:
        raise InvalidPayoutDetails(
            "Enter the account holder's name as the bank knows it.", field="account_holder_name"
        )
    return holder


def clean_routing_number(raw: str | None) -> str:
    """Nine digits; spaces and hyphens people type are dropped."""
    routing = re.sub(r"[\s-]", "", raw or "")
    if not ROUTING_NUMBER.match(routing):
        raise InvalidPayoutDetails(
            f"A routing number has 9 digits (the test number is {TEST_ROUTING_NUMBER}).",
            field="routing_number",
        )
    return routing


def clean_account_number(raw: str | None) -> str:
    """Four to seventeen digits; spaces and hyphens people type are dropped."""
    account = re.sub(r"[\s-]", "", raw or "")
    if not ACCOUNT_NUMBER.match(account):
        raise InvalidPayoutDetails(
            f"An account number has 4 to 17 digits (the test number is {TEST_ACCOUNT_NUMBER}).",
            field="account_number",
        )
    return account


def clean_payout_details(
    account_holder_name: str | None, routing_number: str | None, account_number: str | None
) -> PayoutDetails:
    """Check the details like a bank form would; raises InvalidPayoutDetails."""
    return PayoutDetails(
        clean_holder_name(account_holder_name),
        clean_routing_number(routing_number),
        clean_account_number(account_number),
    )


class OfflineGateway(OfflinePayments):
    """A gateway that needs nothing but the database; for laptops, demos and tests."""

    name = NAME

    def __init__(self, *, signing_secret: str) -> None:
        # Webhook payloads are signed with a key of their own, derived from the app's secret.
        self._webhook_secret = hmac.new(
            signing_secret.encode(), b"offline-gateway-webhooks", hashlib.sha256
        ).hexdigest()

    # -- connected accounts ------------------------------------------------------------------

    def create_connected_account(self, vendor: Vendor) -> str:
        """One account per vendor, named after it."""
        return f"{ACCOUNT_PREFIX}{vendor.id}"

    def create_onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        """The local confirmation page; it returns to the payouts return page by itself."""
        if has_request_context():
            return url_for(CONFIRM_ENDPOINT, account_id=account_id)
        adapter = current_app.url_map.bind("localhost")
        return adapter.build(CONFIRM_ENDPOINT, {"account_id": account_id})

    def retrieve_account_status(self, account_id: str) -> AccountStatus:
        """What the last `account.updated` event this gateway issued for the account says."""
        account = self._latest_account(account_id)
        if account is None:
            return AccountStatus(False, False, False)
        return AccountStatus(
            charges_enabled=bool(account.get("charges_enabled")),
            payouts_enabled=bool(account.get("payouts_enabled")),
            details_submitted=bool(account.get("details_submitted")),
        )

    def bank_account(self, account_id: str) -> dict[str, str]:
        """The account's bank details as confirmed (holder, routing number, last 4 digits),
        for the bank-transfer file of a payout run; empty when none were confirmed."""
        account = self._latest_account(account_id) or {}
        banks = (account.get("external_accounts") or {}).get("data") or [{}]
        bank = banks[0]
        return {
            key: str(bank.get(key) or "")
            for key in ("account_holder_name", "routing_number", "last4")
        }

    def _latest_account(self, account_id: str) -> dict[str, Any] | None:
        stmt = (
            select(WebhookEvent.payload)
            .where(
                WebhookEvent.provider == NAME,
                WebhookEvent.type == ACCOUNT_EVENT,
                WebhookEvent.payload[("data", "object", "id")].as_string() == account_id,
            )
            .order_by(WebhookEvent.id.desc())
            .limit(1)
        )
        payload = db.session.scalars(stmt).first()
        return None if payload is None else dict(payload["data"]["object"])

    def complete_onboarding(self, account_id: str, details: PayoutDetails) -> GatewayEvent:
        """The `account.updated` event for a vendor who confirmed test payout details."""
        pending = details.account_number == TEST_ACCOUNT_NUMBER_PENDING
        account = {
            "id": account_id,
            "object": "account",
            "type": "express",
            "details_submitted": True,
            "charges_enabled": not pending,
            "payouts_enabled": not pending,
            "requirements": {
                "currently_due": [],
                "pending_verification": ["external_account"] if pending else [],
            },
            "external_accounts": {
                "object": "list",
                "data": [
                    {
                        "object": "bank_account",
                        "account_holder_name": details.account_holder_name,
                        "routing_number": details.routing_number,
                        "last4": details.account_number[-4:],
                    }
                ],
            },
        }
        return self._event(ACCOUNT_EVENT, account)

    # -- webhooks ----------------------------------------------------------------------------

    def _event(self, event_type: str, obj: dict[str, Any]) -> GatewayEvent:
        return self.issue_event(event_type, obj)

    def issue_event(
        self, event_type: str, obj: dict[str, Any], *, account: str | None = None
    ) -> GatewayEvent:
        """A signed event about `obj`, verified the way a delivered webhook is; `account`
        names the connected account it happened on (a Connect event)."""
        event: dict[str, Any] = {
            "id": f"evt_offline_{secrets.token_hex(12)}",
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": obj},
        }
        if account:
            event["account"] = account
        payload = json.dumps(event).encode()
        return self.parse_webhook(payload, self.sign_webhook(payload))

    def sign_webhook(self, payload: bytes) -> str:
        """The signature header that `parse_webhook` accepts for `payload`."""
        return sign_payload(payload, self._webhook_secret)

    def parse_webhook(self, payload: bytes, signature_header: str) -> GatewayEvent:
        """Verify a payload signed by this gateway (same scheme as Stripe's) and decode it."""
        verify_signature(payload, signature_header, self._webhook_secret)
        return event_from_payload(NAME, payload)
