"""The offline gateway's money: payment intents paid with test cards, charges, fees, transfers,
reversals and refunds, kept in Stripe's shapes in `offline_gateway_objects`.

It answers like Stripe does, so the code that uses it is the code that runs with Stripe:

- The buyer pays on a local page (`/checkout/pay/<reference>`) with one of the documented test
  cards (`TEST_CARDS`): success, a decline, insufficient funds, or a card that first asks the
  buyer to authorise the payment on a second page (like 3-D Secure).
- Each outcome is issued as a signed event (`payment_intent.succeeded`,
  `payment_intent.payment_failed`, `payment_intent.requires_action`), verified with the same
  scheme as Stripe's webhooks and handed to the same handler (`connect.handle_gateway_event`).
- The fee is `FEE_RATE_BPS` basis points of the charge plus `FEE_FIXED_MINOR` (2.9% + 30,
  Stripe's standard card pricing), rounded half to even, on the charge's balance transaction.
- Transfers and refunds succeed at once (as they do in Stripe's test mode). A transfer must come
  out of a succeeded charge and go to an enabled connected account; refunds cannot exceed the
  charge, reversals cannot exceed the transfer, and a reversal fails with ReversalFailed when
  the vendor's balance in the ledger cannot cover it.
- Payouts are made on a connected account that can be paid out, stay "in_transit" until an
  admin marks them paid (after the bank transfer from the exported file went through) or
  failed, and then issue `payout.paid` / `payout.failed`, like Stripe's Connect webhooks.
- Every creating call is idempotent on its key: the same key returns the first object.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.payments.gateway import (
    AccountStatus,
    GatewayError,
    GatewayEvent,
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
    intent_status,
    refund_key,
    reversal_key,
)
from marketplace.payments.models import OfflineGatewayObject, RefundStatus

PAY_ENDPOINT = "payments.offline_pay"
AUTHORISE_ENDPOINT = "payments.offline_authorise"
ACCOUNT_ID = re.compile(r"^acct_offline_([0-9]+)$")

FEE_RATE_BPS = 290  # 2.9% of the charge ...
FEE_FIXED_MINOR = 30  # ... plus 30 minor units per successful charge


class CardOutcome(StrEnum):
    SUCCEEDS = "succeeds"
    DECLINED = "declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    REQUIRES_AUTHENTICATION = "requires_authentication"


@dataclass(frozen=True)
class TestCard:
    """A documented test card number and what paying with it does."""

    number: str
    outcome: CardOutcome
    label: str


TEST_CARDS = (
    TestCard("4242424242424242", CardOutcome.SUCCEEDS, "Payment succeeds"),
    TestCard("4000000000000002", CardOutcome.DECLINED, "Declined by the bank"),
    TestCard("4000000000009995", CardOutcome.INSUFFICIENT_FUNDS, "Declined: insufficient funds"),
    TestCard(
        "4000002760003184",
        CardOutcome.REQUIRES_AUTHENTICATION,
        "Asks you to authorise the payment first (like 3-D Secure)",
    ),
)
CARDS_BY_NUMBER = {card.number: card for card in TEST_CARDS}

# What the buyer reads after a failed attempt (Stripe's wording for the same decline codes).
DECLINES = {
    CardOutcome.DECLINED: ("card_declined", "generic_decline", "Your card was declined."),
    CardOutcome.INSUFFICIENT_FUNDS: (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
}
AUTHENTICATION_FAILED = (
    "payment_intent_authentication_failure",
    None,
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again.",
)

PAYABLE_STATES = ("requires_payment_method", "requires_action")


class CardRefused(DomainError):
    """A card number the offline gateway does not take (it is not one of the test cards)."""


class PaymentNotPayable(DomainError):
    """The payment page was used for a payment that is not waiting to be paid."""

    message = "This payment is not waiting to be paid."


def clean_card_number(raw: str | None) -> TestCard:
    """The test card for a number as people type it (spaces and hyphens allowed)."""
    number = re.sub(r"[\s-]", "", raw or "")
    if not number.isdigit() or not 12 <= len(number) <= 19:
        raise CardRefused("Enter the card number: 16 digits, as on the card.")
    if not _luhn_valid(number):
        raise CardRefused("Your card number is incorrect.")
    card = CARDS_BY_NUMBER.get(number)
    if card is None:
        raise CardRefused(
            "The offline test gateway takes only the test cards listed on this page; "
            "no real card is ever charged."
        )
    return card


def _luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def card_fee(amount_minor: int) -> int:
    """The offline gateway's fee on a charge: 2.9% rounded half to even, plus 30."""
    share = (Decimal(amount_minor) * FEE_RATE_BPS / 10000).quantize(Decimal(1), ROUND_HALF_EVEN)
    return min(amount_minor, int(share) + FEE_FIXED_MINOR)


def _new_id(prefix: str) -> str:
    return f"{prefix}_offline_{secrets.token_hex(12)}"


def _url(endpoint: str, **values: Any) -> str:
    """A path in the app, inside or outside a request (the demo loader has none)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


class OfflinePayments:
    """The money half of the offline gateway (mixed into `OfflineGateway`)."""

    name: str
    _webhook_secret: str

    # -- its records -----------------------------------------------------------------------

    def _find(self, object_id: str, kind: str, *, param: str = "id") -> OfflineGatewayObject:
        row = db.session.scalars(
            select(OfflineGatewayObject).where(
                OfflineGatewayObject.object_id == object_id, OfflineGatewayObject.kind == kind
            )
        ).first()
        if row is None:
            raise GatewayError(f"No such {kind}: '{object_id}' ({param}).")
        return row

    def _replay(self, idempotency_key: str) -> OfflineGatewayObject | None:
        return db.session.scalars(
            select(OfflineGatewayObject).where(
                OfflineGatewayObject.idempotency_key == idempotency_key
            )
        ).first()

    def _store(
        self, kind: str, data: dict[str, Any], *, idempotency_key: str | None = None
    ) -> OfflineGatewayObject:
        row = OfflineGatewayObject(
            object_id=data["id"], kind=kind, data=data, idempotency_key=idempotency_key
        )
        db.session.add(row)
        db.session.flush()
        return row

    @staticmethod
    def _update(row: OfflineGatewayObject, **changes: Any) -> dict[str, Any]:
        row.data = {**row.data, **changes}  # a new dict, so the JSON column sees the change
        db.session.flush()
        return row.data

    if TYPE_CHECKING:  # provided by OfflineGateway

        def issue_event(
            self, event_type: str, obj: dict[str, Any], *, account: str | None = None
        ) -> GatewayEvent: ...

        def retrieve_account_status(self, account_id: str) -> AccountStatus: ...

    # -- payments --------------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> PaymentSession:
        """A payment intent waiting for a test card, and its local payment page."""
        row = self._replay(request.idempotency_key)
        if row is None:
            intent = {
                "id": _new_id("pi"),
                "object": "payment_intent",
                "amount": request.amount_minor,
                "amount_received": 0,
                "currency": request.currency.lower(),
                "status": "requires_payment_method",
                "transfer_group": f"order_{request.order_id}",
                "metadata": request.metadata,
                "description": request.description,
                "receipt_email": request.email,
                "created": int(time.time()),
                "latest_charge": None,
                "last_payment_error": None,
                "next_action": None,
                "return_url": request.return_url,
                "cancel_url": request.cancel_url,
            }
            row = self._store("payment_intent", intent, idempotency_key=request.idempotency_key)
        reference = row.object_id
        return PaymentSession(
            session_reference=reference,
            payment_reference=reference,
            redirect_url=_url(PAY_ENDPOINT, reference=reference),
        )

    def payment_intent(self, reference: str) -> dict[str, Any]:
        """The intent as the gateway holds it (for its payment page)."""
        return dict(self._find(reference, "payment_intent").data)

    def retrieve_payment(self, reference: str) -> PaymentDetails:
        intent = self._find(reference, "payment_intent").data
        fee = fee_currency = None
        if intent.get("latest_charge"):
            charge = self._find(intent["latest_charge"], "charge").data
            txn = self._find(charge["balance_transaction"], "balance_transaction").data
            fee, fee_currency = int(txn["fee"]), str(txn["currency"]).upper()
        return PaymentDetails(
            reference=reference,
            status=intent_status(
                intent.get("status"), has_error=bool(intent.get("last_payment_error"))
            ),
            amount_minor=int(intent["amount"]),
            amount_received_minor=int(intent["amount_received"]),
            currency=str(intent["currency"]).upper(),
            charge_reference=intent.get("latest_charge"),
            fee_minor=fee,
            fee_currency=fee_currency,
            failure_message=(intent.get("last_payment_error") or {}).get("message"),
        )

    def pay_with_card(self, reference: str, card: TestCard) -> GatewayEvent:
        """The buyer submitted the payment page with a test card: the event it leads to."""
        row = self._find(reference, "payment_intent")
        if row.data["status"] not in PAYABLE_STATES:
            raise PaymentNotPayable()
        if card.outcome == CardOutcome.SUCCEEDS:
            return self._succeed(row)
        if card.outcome == CardOutcome.REQUIRES_AUTHENTICATION:
            url = _url(AUTHORISE_ENDPOINT, reference=reference)
            intent = self._update(
                row,
                status="requires_action",
                last_payment_error=None,
                next_action={"type": "redirect_to_url", "redirect_to_url": {"url": url}},
            )
            return self.issue_event("payment_intent.requires_action", intent)
        return self._fail(row, *DECLINES[card.outcome])

    def authorise(self, reference: str, *, approve: bool) -> GatewayEvent:
        """The buyer answered the "Authorise this payment" page."""
        row = self._find(reference, "payment_intent")
        if row.data["status"] != "requires_action":
            raise PaymentNotPayable("This payment is not waiting for your authorisation.")
        return self._succeed(row) if approve else self._fail(row, *AUTHENTICATION_FAILED)

    def _fail(
        self, row: OfflineGatewayObject, code: str, decline_code: str | None, message: str
    ) -> GatewayEvent:
        error = {"type": "card_error", "code": code, "message": message}
        if decline_code:
            error["decline_code"] = decline_code
        intent = self._update(
            row, status="requires_payment_method", last_payment_error=error, next_action=None
        )
        return self.issue_event("payment_intent.payment_failed", intent)

    def _succeed(self, row: OfflineGatewayObject) -> GatewayEvent:
        """Charge the card: a charge, its balance transaction with the fee, a paid intent."""
        intent = row.data
        amount, currency, created = int(intent["amount"]), intent["currency"], int(time.time())
        fee = card_fee(amount)
        txn = self._store(
            "balance_transaction",
            {
                "id": _new_id("txn"),
                "object": "balance_transaction",
                "type": "charge",
                "amount": amount,
                "fee": fee,
                "net": amount - fee,
                "currency": currency,
                "created": created,
                "fee_details": [
                    {"amount": fee, "currency": currency, "type": "stripe_fee"},
                ],
            },
        )
        charge = self._store(
            "charge",
            {
                "id": _new_id("ch"),
                "object": "charge",
                "amount": amount,
                "amount_refunded": 0,
                "currency": currency,
                "status": "succeeded",
                "paid": True,
                "payment_intent": intent["id"],
                "balance_transaction": txn.object_id,
                "transfer_group": intent["transfer_group"],
                "transferred": 0,
                "created": created,
            },
        )
        intent = self._update(
            row,
            status="succeeded",
            amount_received=amount,
            latest_charge=charge.object_id,
            last_payment_error=None,
            next_action=None,
        )
        return self.issue_event("payment_intent.succeeded", intent)

    # -- transfers -------------------------------------------------------------------------

    def create_transfer(self, request: TransferRequest) -> TransferResult:
        """Move a vendor's share out of a succeeded charge into its enabled account."""
        row = self._replay(request.idempotency_key)
        if row is None:
            charge = self._charge_to_transfer_from(request)
            self._check_destination(request.destination)
            transfer = {
                "id": _new_id("tr"),
                "object": "transfer",
                "amount": request.amount_minor,
                "amount_reversed": 0,
                "currency": request.currency.lower(),
                "destination": request.destination,
                "source_transaction": request.source_transaction,
                "transfer_group": request.transfer_group,
                "description": request.description,
                "metadata": {
                    "order_id": str(request.order_id),
                    "vendor_order_id": str(request.vendor_order_id),
                },
                "created": int(time.time()),
            }
            self._update(charge, transferred=charge.data["transferred"] + request.amount_minor)
            row = self._store("transfer", transfer, idempotency_key=request.idempotency_key)
        data = row.data
        return TransferResult(row.object_id, int(data["amount"]), str(data["currency"]).upper())

    def _charge_to_transfer_from(self, request: TransferRequest) -> OfflineGatewayObject:
        charge = self._find(request.source_transaction, "charge", param="source_transaction")
        data = charge.data
        if data["status"] != "succeeded":
            raise GatewayError("The source transaction has not succeeded.")
        if data["currency"] != request.currency.lower():
            raise GatewayError("A transfer must be in the currency of its source transaction.")
        available = int(data["amount"]) - int(data["transferred"])
        if request.amount_minor > available:
            raise GatewayError(
                f"Insufficient funds in the source transaction: {available} left to transfer."
            )
        return charge

    def _check_destination(self, account_id: str) -> None:
        if not ACCOUNT_ID.match(account_id):
            raise GatewayError(f"No such destination: '{account_id}'.")
        status = self.retrieve_account_status(account_id)
        if not status.charges_enabled:
            raise GatewayError(
                "The destination account cannot receive transfers until its onboarding is done."
            )

    def reverse_transfer(
        self, transfer_reference: str, amount_minor: int, *, refund_id: int
    ) -> ReversalResult:
        """Take part of a transfer back, if the vendor's balance covers it."""
        key = reversal_key(refund_id)
        row = self._replay(key)
        if row is None:
            transfer = self._find(transfer_reference, "transfer")
            data = transfer.data
            left = int(data["amount"]) - int(data["amount_reversed"])
            if not 0 < amount_minor <= left:
                raise GatewayError(f"Only {left} of the transfer is left to reverse.")
            self._check_balance(data["destination"], amount_minor, str(data["currency"]))
            self._update(transfer, amount_reversed=int(data["amount_reversed"]) + amount_minor)
            reversal = {
                "id": _new_id("trr"),
                "object": "transfer_reversal",
                "amount": amount_minor,
                "currency": data["currency"],
                "transfer": transfer_reference,
                "metadata": {"refund_id": str(refund_id)},
                "created": int(time.time()),
            }
            row = self._store("transfer_reversal", reversal, idempotency_key=key)
        return ReversalResult(row.object_id, row.data["transfer"], int(row.data["amount"]))

    @staticmethod
    def _check_balance(account_id: str, amount_minor: int, currency: str) -> None:
        """The connected account's balance is the vendor's balance in the ledger."""
        from marketplace.payouts import ledger

        match = ACCOUNT_ID.match(account_id)
        vendor_id = int(match.group(1)) if match else 0
        balance = ledger.vendor_balance(vendor_id, currency.upper())
        if balance < amount_minor:
            raise ReversalFailed(
                f"The vendor's balance ({balance}) cannot cover a reversal of {amount_minor}."
            )

    # -- refunds ---------------------------------------------------------------------------

    def create_refund(
        self, payment_reference: str, amount_minor: int, *, refund_id: int
    ) -> RefundResult:
        """Return part of a charge to the buyer's card; never more than is left of it."""
        key = refund_key(refund_id)
        row = self._replay(key)
        if row is None:
            intent = self._find(payment_reference, "payment_intent", param="payment_intent").data
            if not intent.get("latest_charge"):
                raise GatewayError("This payment intent has no successful charge to refund.")
            charge = self._find(intent["latest_charge"], "charge")
            left = int(charge.data["amount"]) - int(charge.data["amount_refunded"])
            if not 0 < amount_minor <= left:
                raise GatewayError(
                    f"Refund amount ({amount_minor}) is greater than unrefunded amount ({left})."
                )
            self._update(charge, amount_refunded=int(charge.data["amount_refunded"]) + amount_minor)
            refund = {
                "id": _new_id("re"),
                "object": "refund",
                "amount": amount_minor,
                "currency": charge.data["currency"],
                "charge": charge.object_id,
                "payment_intent": payment_reference,
                "status": "succeeded",
                "metadata": {"refund_id": str(refund_id)},
                "created": int(time.time()),
            }
            row = self._store("refund", refund, idempotency_key=key)
        return RefundResult(row.object_id, RefundStatus.SUCCEEDED, int(row.data["amount"]))

    # -- payouts ---------------------------------------------------------------------------

    def create_payout(self, request: PayoutRequest) -> PayoutResult:
        """A payout from an account that may be paid out; in transit until it is settled."""
        row = self._replay(request.idempotency_key)
        if row is None:
            if not ACCOUNT_ID.match(request.account):
                raise RequestRefused(f"No such account: '{request.account}'.")
            if not self.retrieve_account_status(request.account).payouts_enabled:
                raise RequestRefused("Payouts are not enabled on that account yet.")
            payout = {
                "id": _new_id("po"),
                "object": "payout",
                "amount": request.amount_minor,
                "currency": request.currency.lower(),
                "status": "in_transit",
                "method": "standard",
                "type": "bank_account",
                "description": request.description,
                "metadata": request.metadata,
                "failure_code": None,
                "failure_message": None,
                "account": request.account,
                "created": int(time.time()),
            }
            row = self._store("payout", payout, idempotency_key=request.idempotency_key)
        data = row.data
        return PayoutResult(row.object_id, str(data["status"]), int(data["amount"]))

    def settle_payout(
        self, reference: str, *, paid: bool, failure_message: str | None = None
    ) -> GatewayEvent:
        """The bank transfer of an in-transit payout went through (or bounced): its event."""
        row = self._find(reference, "payout")
        if row.data["status"] != "in_transit":
            raise RequestRefused(f"That payout is already {row.data['status']}.")
        if paid:
            payout = self._update(row, status="paid", arrival_date=int(time.time()))
        else:
            payout = self._update(
                row,
                status="failed",
                failure_code="could_not_process",
                failure_message=failure_message or "The bank could not process the payout.",
            )
        return self.issue_event(f"payout.{payout['status']}", payout, account=payout["account"])
