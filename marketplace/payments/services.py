"""Paying for orders: start the payment, apply the gateway's verdict, pay the vendors their share.

Change to the agreed interface: `refund(...)` is `marketplace.payments.refunding.refund(
RefundRequest, actor_id=..., vendor_id=...)` and refunds one vendor order per call (a whole
order is `refunding.refundable_parts(order_id, ...)`, one call and one commit per part), so a
gateway refund that succeeded is never rolled back with a later one.

The order is paid only by a verified `payment_intent.succeeded` event (a Stripe webhook, or the
signed event the offline gateway issues from its payment page), never because the buyer's
browser came back. Events arrive through `connect.handle_gateway_event`, which stores each one
under a unique (provider, id) in the same transaction as its effects: a duplicate changes
nothing. An event older than the newest one applied to a payment cannot undo it, and a success
is final.

On success: the amount and currency are checked against the order, the order is marked paid
(its reservation becomes sales), the payment and the gateway's fee are booked in the ledger.
Each vendor's share is released (`release_vendor_order_funds`, a transfer out of the payment's
charge) as `PAYOUT_RELEASE_POLICY` says: "on_payment", one job per vendor order at once;
"on_delivery" (the default), by `marketplace.payouts.release.release_due` once the vendor
order was delivered and its hold and return window are over.

Refunds live in `marketplace.payments.refunding`. Services flush and never commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import jobs
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders import services as orders
from marketplace.orders.exceptions import OrderNotFound, ReservationLost
from marketplace.orders.models import Order, OrderStatus, VendorOrder
from marketplace.payments.gateway import (
    GatewayEvent,
    PaymentRequest,
    TransferRequest,
    get_gateway,
    intent_status,
    payment_key,
    transfer_key,
)
from marketplace.payments.models import Payment, PaymentStatus
from marketplace.payouts import ledger
from marketplace.payouts.models import Transfer, TransferStatus

log = logging.getLogger(__name__)

__all__ = [
    "RELEASE_ON_DELIVERY",
    "RELEASE_ON_PAYMENT",
    "FundsNotReleasable",
    "PaymentRefused",
    "PaymentStart",
    "handle_payment_event",
    "order_payment",
    "release_policy",
    "release_vendor_order_funds",
    "start_payment",
]

RETURN_ENDPOINT = "payments.payment_return"
CANCEL_ENDPOINT = "payments.payment_cancelled"
GENERIC_FAILURE = "Your payment did not go through. Try again, or use another card."
REFUSALS = {
    OrderStatus.PAID: "This order is already paid.",
    OrderStatus.EXPIRED: (
        "The items in this order were held for you for a limited time, which has run out, so "
        "they are back on sale. Check out again to buy them."
    ),
    OrderStatus.CANCELLED: "This order was cancelled, so it cannot be paid.",
}


class PaymentRefused(DomainError):
    """The order cannot be paid now; the message tells the buyer why."""

    message = "This order cannot be paid."


class FundsNotReleasable(DomainError):
    """A vendor order's share cannot be transferred (yet); it stays payable in the ledger."""

    message = "The vendor's share cannot be transferred yet."


@dataclass(frozen=True)
class PaymentStart:
    """Where to send the buyer to pay: a page (`redirect_url`) or a form secret."""

    payment_id: int
    redirect_url: str | None
    client_secret: str | None = None


# ---------------------------------------------------------------------------------------------
# Starting a payment


def start_payment(order_id: int) -> PaymentStart:
    """Open (or reopen) the order's one payment at the gateway and say where the buyer pays.

    Idempotent per order: the same Payment row and the same gateway session every time.
    Refuses orders that are not waiting for payment or whose stock reservation has run out.
    """
    order = db.session.get(Order, order_id)
    if order is None:
        raise OrderNotFound()
    _check_payable(order)
    gateway = get_gateway()
    payment = _payment_for(order, gateway.name)
    if payment.status == PaymentStatus.SUCCEEDED:
        raise PaymentRefused("This order's payment has already been received.")
    if payment.gateway != gateway.name:
        raise PaymentRefused(
            "The marketplace changed its payment provider since this order was placed. "
            "Check out again to pay with the new one."
        )
    session = gateway.create_payment(_payment_request(order, payment))
    payment.session_reference = session.session_reference
    if session.payment_reference and not payment.gateway_reference:
        payment.gateway_reference = session.payment_reference
    db.session.flush()
    return PaymentStart(payment.id, session.redirect_url, session.client_secret)


def _check_payable(order: Order) -> None:
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentRefused(REFUSALS.get(OrderStatus(order.status)))
    if orders.is_expired(order):
        raise PaymentRefused(REFUSALS[OrderStatus.EXPIRED])
    if order.grand_total_minor <= 0:
        raise PaymentRefused("There is nothing to pay on this order.")


def order_payment(order_id: int) -> Payment | None:
    """The order's payment (there is at most one: its key is made from the order id)."""
    return db.session.scalars(
        select(Payment).where(Payment.idempotency_key == payment_key(order_id))
    ).first()


def _payment_for(order: Order, gateway_name: str) -> Payment:
    """The order's Payment row, created once even when two requests race to create it."""
    existing = order_payment(order.id)
    if existing is not None:
        return existing
    payment = Payment(
        order_id=order.id,
        gateway=gateway_name,
        amount_minor=order.grand_total_minor,
        currency=order.currency,
        status=PaymentStatus.REQUIRES_PAYMENT,
        idempotency_key=payment_key(order.id),
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
    except IntegrityError:
        existing = order_payment(order.id)
        if existing is None:
            raise
        return existing
    return payment


def _payment_request(order: Order, payment: Payment) -> PaymentRequest:
    shops = ", ".join(vo.vendor.display_name for vo in order.vendor_orders)
    return PaymentRequest(
        order_id=order.id,
        payment_id=payment.id,
        order_number=order.number,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        email=order.email,
        description=f"Marketplace order {order.number} from {shops}"[:500],
        return_url=_external_url(RETURN_ENDPOINT, payment_id=payment.id),
        cancel_url=_external_url(CANCEL_ENDPOINT, payment_id=payment.id),
        expires_at=order.reservation_expires_at,
    )


def _external_url(endpoint: str, **values: Any) -> str:
    """An absolute address of one of our pages, for the gateway to send the buyer back to."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    config = current_app.config
    adapter = current_app.url_map.bind(
        config.get("SERVER_NAME") or "localhost",
        url_scheme=config.get("PREFERRED_URL_SCHEME", "http"),
    )
    return adapter.build(endpoint, values, force_external=True)


# ---------------------------------------------------------------------------------------------
# Events about the payment


def handle_payment_event(event: GatewayEvent) -> None:
    """Apply a `payment_intent.*` event to the payment it is about (see the module docstring)."""
    payment = _payment_of(event)
    if payment is None:
        log.info("%s %s is about no payment of ours: stored only", event.type, event.id)
        return
    intent_id = str(event.object.get("id") or "")
    if payment.gateway_reference is None:
        payment.gateway_reference = intent_id
    elif payment.gateway_reference != intent_id:
        log.warning(
            "%s names intent %s, payment %s is %s: ignored",
            event.type,
            intent_id,
            payment.id,
            payment.gateway_reference,
        )
        return
    if payment.status == PaymentStatus.SUCCEEDED:
        return  # final: a late failure or a second success changes nothing
    if event.type == "payment_intent.succeeded":
        _payment_succeeded(payment, event)
    elif payment.last_event_at is not None and event.created < payment.last_event_at:
        log.info("%s %s is older than the payment's last event: ignored", event.type, event.id)
    else:
        _payment_progressed(payment, event)
    db.session.flush()


def _payment_of(event: GatewayEvent) -> Payment | None:
    """Our payment named in the intent's metadata (or known by the intent's id)."""
    metadata = event.object.get("metadata") or {}
    payment = None
    if str(metadata.get("payment_id", "")).isdigit():
        payment = db.session.get(Payment, int(metadata["payment_id"]))
        if payment is not None and str(payment.order_id) != str(metadata.get("order_id")):
            payment = None
    if payment is None and event.object.get("id"):
        payment = db.session.scalars(
            select(Payment).where(Payment.gateway_reference == str(event.object["id"]))
        ).first()
    if payment is None or payment.gateway != event.provider:
        return None
    return payment


def _payment_progressed(payment: Payment, event: GatewayEvent) -> None:
    """A failure, a request for authentication, processing, a cancellation."""
    error = event.object.get("last_payment_error") or {}
    payment.status = intent_status(event.object.get("status"), has_error=bool(error))
    payment.last_event_at = event.created
    if payment.status == PaymentStatus.FAILED:
        payment.failure_message = str(error.get("message") or GENERIC_FAILURE)
        log.info("Payment %s failed: %s", payment.id, payment.failure_message)
    else:
        payment.failure_message = None


def _payment_succeeded(payment: Payment, event: GatewayEvent) -> None:
    """Check the money, mark the order paid, book it, and release the vendors' shares."""
    details = get_gateway().retrieve_payment(payment.gateway_reference or "")
    if details.status != PaymentStatus.SUCCEEDED:
        log.warning(
            "Payment %s: succeeded event, but the gateway says %s", payment.id, details.status
        )
        return
    if (details.amount_received_minor, details.currency) != (
        payment.amount_minor,
        payment.currency,
    ):
        payment.failure_message = (
            f"The gateway received {details.amount_received_minor} {details.currency}, not the "
            f"{payment.amount_minor} {payment.currency} of the order: check it before shipping."
        )
        log.error("Payment %s: %s", payment.id, payment.failure_message)
        return
    paid_at = datetime.fromtimestamp(event.created, UTC) if event.created else utcnow()
    payment.status = PaymentStatus.SUCCEEDED
    payment.succeeded_at = paid_at
    payment.last_event_at = event.created
    payment.charge_reference = details.charge_reference
    payment.fee_minor = _fee(payment, details.fee_minor, details.fee_currency)
    payment.failure_message = None
    db.session.flush()
    order = db.session.get(Order, payment.order_id)
    assert order is not None
    try:
        with db.session.begin_nested():
            orders.mark_paid(order.id, paid_at)
    except ReservationLost as lost:
        from marketplace.payments.refunding import refund_lost_order

        refund_lost_order(payment, lost.message)
        return
    ledger.book_order_paid(order, payment)
    if payment.fee_minor:
        ledger.book_gateway_fee(payment, payment.fee_minor)
    if release_policy() == RELEASE_ON_PAYMENT:
        for vendor_order in order.vendor_orders:
            jobs.enqueue(release_job_path(), vendor_order.id, queue="payments")


def _fee(payment: Payment, fee_minor: int | None, fee_currency: str | None) -> int:
    """The gateway's fee in the payment's currency (a fee in another settlement currency is
    not converted: it is logged for the accountant and not booked)."""
    if not fee_minor:
        return 0
    if fee_currency != payment.currency:
        log.warning(
            "Payment %s: fee of %s %s is in another currency, not booked",
            payment.id,
            fee_minor,
            fee_currency,
        )
        return 0
    return fee_minor


def release_job_path() -> str:
    return "marketplace.payments.tasks.release_vendor_order_funds"


RELEASE_ON_DELIVERY = "on_delivery"
RELEASE_ON_PAYMENT = "on_payment"
RELEASE_POLICIES = (RELEASE_ON_DELIVERY, RELEASE_ON_PAYMENT)


def release_policy() -> str:
    """The configured PAYOUT_RELEASE_POLICY: "on_delivery" (default) or "on_payment"."""
    policy = current_app.config.get("PAYOUT_RELEASE_POLICY", RELEASE_ON_DELIVERY)
    if policy not in RELEASE_POLICIES:
        raise ValueError(f"PAYOUT_RELEASE_POLICY must be one of {RELEASE_POLICIES}, not {policy!r}")
    return policy


# ---------------------------------------------------------------------------------------------
# Releasing a vendor's share


def release_vendor_order_funds(vendor_order_id: int) -> Transfer | None:
    """Transfer what is still payable to the vendor for this vendor order, once.

    The transfer comes out of the order's charge (`source_transaction`) under the key
    `order:{id}:transfer:{vendor}`, so running this again (a retried job, a second caller)
    finds the same transfer. What the vendor owes the platform (its receivable) is kept back
    from it first. Returns None when nothing is left to transfer (refunded before release, or
    all of it kept back against what the vendor owes).
    """
    vendor_order = db.session.get(VendorOrder, vendor_order_id)
    if vendor_order is None:
        raise FundsNotReleasable("There is no such vendor order.")
    order = vendor_order.order
    payment = order_payment(order.id)
    if payment is None or payment.status != PaymentStatus.SUCCEEDED or not payment.charge_reference:
        raise FundsNotReleasable("The order has not been paid, so there is nothing to transfer.")
    existing = db.session.scalars(
        select(Transfer).where(Transfer.vendor_order_id == vendor_order.id)
    ).first()
    if existing is not None and existing.status != TransferStatus.PENDING:
        return existing
    position = ledger.order_vendor_position(order.id, vendor_order.vendor_id, order.currency)
    if position.payable <= 0:
        return None
    owed = ledger.vendor_position(vendor_order.vendor_id, order.currency).receivable
    recovered = min(max(owed, 0), position.payable)
    if recovered == position.payable:
        ledger.book_recovery(vendor_order, recovered)
        return None
    destination = _payout_account(vendor_order)
    transfer = existing or Transfer(
        vendor_order_id=vendor_order.id,
        vendor_id=vendor_order.vendor_id,
        currency=order.currency,
        status=TransferStatus.PENDING,
        idempotency_key=transfer_key(order.id, vendor_order.vendor_id),
    )
    transfer.amount_minor = position.payable - recovered
    db.session.add(transfer)
    db.session.flush()
    result = get_gateway().create_transfer(
        TransferRequest(
            order_id=order.id,
            vendor_order_id=vendor_order.id,
            vendor_id=vendor_order.vendor_id,
            amount_minor=transfer.amount_minor,
            currency=order.currency,
            destination=destination,
            source_transaction=payment.charge_reference,
            description=f"Order {order.number}: {vendor_order.vendor.display_name}'s share",
        )
    )
    transfer.gateway_reference = result.reference
    transfer.status = TransferStatus.SUCCEEDED
    db.session.flush()
    ledger.book_transfer(transfer, recovered_minor=recovered)
    return transfer


def _payout_account(vendor_order: VendorOrder) -> str:
    vendor = vendor_order.vendor
    if vendor.payout_account_id is None or vendor.payout_gateway != get_gateway().name:
        raise FundsNotReleasable(
            f"{vendor.display_name} has no payout account with the marketplace's payment "
            "provider yet; its share stays payable until it has one."
        )
    return vendor.payout_account_id
