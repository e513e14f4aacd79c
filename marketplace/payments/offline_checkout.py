"""The buyer on the offline gateway's payment page: paying with a test card, authorising.

What the buyer does here becomes a signed gateway event (see `offline_payments`), applied by
`connect.handle_gateway_event` exactly like a Stripe webhook: this module never marks anything
paid itself. Only the order's buyer can see or use its payment page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments import connect
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import Payment, PaymentStatus
from marketplace.payments.offline import NAME, OfflineGateway
from marketplace.payments.offline_payments import clean_card_number
from marketplace.payments.services import PaymentRefused

__all__ = ["PaymentPage", "PaymentPageNotFound", "authorise", "pay", "payment_page"]


class PaymentPageNotFound(DomainError):
    message = "There is no such payment page."


@dataclass(frozen=True)
class PaymentPage:
    """What the payment page shows: the order, our payment and the gateway's intent."""

    order: Order
    payment: Payment
    intent: dict[str, Any]

    @property
    def is_open(self) -> bool:
        """The buyer can still pay here."""
        return (
            self.payment.status != PaymentStatus.SUCCEEDED
            and self.order.status == OrderStatus.PENDING_PAYMENT
            and not orders.is_expired(self.order)
        )


def _gateway() -> OfflineGateway:
    gateway = get_gateway()
    if not isinstance(gateway, OfflineGateway):
        raise PaymentPageNotFound()
    return gateway


def payment_page(reference: str, buyer_id: int) -> PaymentPage:
    """The page of `reference` if it is the buyer's own order's payment."""
    gateway = _gateway()
    payment = db.session.scalars(
        select(Payment).where(Payment.gateway == NAME, Payment.gateway_reference == reference)
    ).first()
    order = None if payment is None else db.session.get(Order, payment.order_id)
    if payment is None or order is None or order.buyer_id != buyer_id:
        raise PaymentPageNotFound()
    return PaymentPage(order, payment, gateway.payment_intent(reference))


def _open_page(reference: str, buyer_id: int) -> PaymentPage:
    page = payment_page(reference, buyer_id)
    if page.payment.status == PaymentStatus.SUCCEEDED:
        raise PaymentRefused("This order is already paid.")
    if not page.is_open:
        raise PaymentRefused(
            "This order can no longer be paid: the time its items were held for you has run "
            "out. Check out again to buy them."
        )
    return page


def pay(reference: str, buyer_id: int, card_number: str | None) -> Payment:
    """Pay with a test card (CardRefused for any other number); returns the payment after the
    gateway's event was applied: succeeded, failed, or waiting for authorisation."""
    page = _open_page(reference, buyer_id)
    card = clean_card_number(card_number)
    connect.handle_gateway_event(_gateway().pay_with_card(reference, card))
    db.session.flush()
    return page.payment


def authorise(reference: str, buyer_id: int, *, approve: bool) -> Payment:
    """The buyer's answer on the "Authorise this payment" page."""
    page = _open_page(reference, buyer_id)
    connect.handle_gateway_event(_gateway().authorise(reference, approve=approve))
    db.session.flush()
    return page.payment
