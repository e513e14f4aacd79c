"""Refunds: a whole order, one vendor's part of it, or some lines, by that vendor or an admin.

One refund covers one vendor order. It is worked out first (`payouts.refunds.plan_refund`:
what the buyer gets back, the commission returned or kept per `REFUND_COMMISSION_POLICY`, the
reversal to ask of the vendor's transfer), so an over-refund is refused before any money
moves. Then: lines marked refunded and (optionally) restocked, the gateway refund on the
payment (`refund:{id}`), the reversal of the vendor's transfer for its share
(`refund:{id}:reversal`), and the ledger booking. A reversal the vendor's balance cannot cover
(or that the gateway cannot be reached for) does not undo the buyer's refund: the share is
booked as the vendor's receivable, so no money goes missing.

A whole-order refund is done one vendor order at a time (`refundable_parts`), committing after
each, so a gateway refund that succeeded is never lost with a later one's rollback.
Services flush and never commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.catalog import services as catalog
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus, VendorOrder
from marketplace.payments.gateway import (
    GatewayError,
    GatewayEvent,
    get_gateway,
    refund_key,
)
from marketplace.payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    ReversalStatus,
)
from marketplace.payments.services import order_payment
from marketplace.payouts import ledger
from marketplace.payouts.models import Transfer, TransferStatus
from marketplace.payouts.refunds import RefundError, plan_refund, refund_history

log = logging.getLogger(__name__)

__all__ = [
    "RefundNotAllowed",
    "RefundRequest",
    "handle_refund_event",
    "refund",
    "refund_lost_order",
    "refundable_parts",
]

REASON_MAX = 500
REFUNDABLE_ORDER_STATES = (
    OrderStatus.PAID,
    OrderStatus.PARTIALLY_REFUNDED,
    OrderStatus.COMPLETED,
)


class RefundNotAllowed(DomainError):
    """This person may not refund that order, or the order cannot be refunded."""

    message = "That order cannot be refunded."


class VendorOrderNotFound(RefundNotAllowed):
    """No such vendor order, or not the acting vendor's (the two are never told apart)."""

    message = "There is no such order in your shop."


@dataclass(frozen=True)
class RefundRequest:
    """What to refund of one vendor order: some lines (`{order line id: quantity}`) and/or
    its shipping, or everything left of it (no quantities)."""

    vendor_order_id: int
    reason: str
    quantities: Mapping[int, int] | None = None
    shipping: bool | None = None
    restock: bool = False


def _vendor_order(vendor_order_id: int, vendor_id: int | None, actor: User | None) -> VendorOrder:
    """The vendor order, scoped to the acting vendor (`vendor_id`), or any for an admin.

    The marketplace itself (no actor: an automatic cancellation) always names the vendor.
    """
    stmt = select(VendorOrder).where(VendorOrder.id == vendor_order_id)
    if vendor_id is not None:
        stmt = stmt.where(VendorOrder.vendor_id == vendor_id)
    elif actor is None or not actor.is_admin:
        raise RefundNotAllowed("Only the shop that sold it or a marketplace admin can refund.")
    vendor_order = db.session.scalars(stmt).first()
    if vendor_order is None:
        raise VendorOrderNotFound()
    return vendor_order


def _actor(actor_id: int) -> User:
    actor = db.session.get(User, actor_id)
    if actor is None:
        raise RefundNotAllowed("Sign in again to refund.")
    return actor


def _paid_payment(order: Order) -> Payment:
    payment = order_payment(order.id)
    if payment is None or payment.status != PaymentStatus.SUCCEEDED:
        raise RefundNotAllowed("This order has not been paid, so there is nothing to refund.")
    if order.status not in REFUNDABLE_ORDER_STATES:
        raise RefundNotAllowed(
            f"An order that is {order.status.replace('_', ' ')} is not refunded."
        )
    return payment


def _clean_reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise RefundNotAllowed("Say why you are refunding: the buyer sees it.")
    if len(text) > REASON_MAX:
        raise RefundNotAllowed(f"Keep the reason to {REASON_MAX} characters.")
    return text


def refundable_parts(order_id: int, *, actor_id: int) -> list[int]:
    """The vendor orders of an order (admins only) that still have something to refund."""
    actor = _actor(actor_id)
    if not actor.is_admin:
        raise RefundNotAllowed("Only a marketplace admin refunds a whole order.")
    order = db.session.get(Order, order_id)
    if order is None:
        raise RefundNotAllowed("There is no such order.")
    _paid_payment(order)
    parts = [vo.id for vo in order.vendor_orders if _left_to_refund(vo) > 0]
    if not parts:
        raise RefundError("Everything in this order has already been refunded.")
    return parts


def _left_to_refund(vendor_order: VendorOrder) -> int:
    history = refund_history(vendor_order)
    total = vendor_order.subtotal_minor + vendor_order.shipping_minor + vendor_order.tax_minor
    return total - history.goods_minor - history.tax_minor


def refund(request: RefundRequest, *, actor_id: int | None, vendor_id: int | None = None) -> Refund:
    """Refund one vendor order as asked; `vendor_id` scopes it to the acting shop.

    `actor_id` None is the marketplace acting on its own (the fulfilment deadline cancelling
    an order the shop never shipped); it must name the vendor, and the refund has no author.
    Raises RefundNotAllowed or RefundError (over-refund, nothing left) before any money moves,
    GatewayError when the gateway refuses the refund (then nothing changes).
    """
    actor = _actor(actor_id) if actor_id is not None else None
    reason = _clean_reason(request.reason)
    vendor_order = _vendor_order(request.vendor_order_id, vendor_id, actor)
    order = vendor_order.order
    payment = _paid_payment(order)
    plan = plan_refund(vendor_order, request.quantities, shipping=request.shipping)
    record = Refund(
        payment_id=payment.id,
        vendor_order_id=vendor_order.id,
        amount_minor=plan.amount_minor,
        currency=plan.currency,
        shipping_minor=plan.shipping_minor,
        tax_minor=plan.tax_minor,
        commission_returned_minor=plan.commission_returned_minor,
        reversal_minor=plan.reversal_minor,
        reason=reason,
        lines=list(plan.lines),
        restock=request.restock,
        status=RefundStatus.PENDING,
        idempotency_key=f"refund:new:{uuid.uuid4().hex}",
        created_by_id=actor.id if actor else None,
    )
    db.session.add(record)
    db.session.flush()
    record.idempotency_key = refund_key(record.id)
    _mark_lines(
        vendor_order,
        plan.lines,
        restock=request.restock,
        actor_id=actor.id if actor else None,
        order=order,
    )
    _refund_at_gateway(record, payment)
    reversed_ok = _reverse_share(record, vendor_order)
    ledger.book_refund(record, plan.commission_returned_minor, reversed_ok)
    _update_order_status(order, payment)
    db.session.flush()
    log.info(
        "Refund %s of vendor order %s: %s %s by user %s",
        record.id,
        vendor_order.id,
        record.amount_minor,
        record.currency,
        actor.id if actor else "(the marketplace)",
    )
    return record


def _mark_lines(
    vendor_order: VendorOrder, entries, *, restock: bool, actor_id: int | None, order: Order
) -> None:
    """Count the refunded units on their lines and put them back on sale if asked."""
    lines = {line.id: line for line in vendor_order.lines}
    for entry in entries:
        line: OrderLine | None = lines.get(int(entry.get("line_id", 0)))
        if line is None:
            continue
        quantity = int(entry["quantity"])
        line.quantity_refunded += quantity
        if restock and line.variant_id is not None:
            catalog.adjust_stock(
                vendor_order.vendor,
                line.variant_id,
                quantity,
                f"Restocked after a refund of order {order.number}",
                actor_id,
            )


def _refund_at_gateway(record: Refund, payment: Payment) -> None:
    result = get_gateway().create_refund(
        payment.gateway_reference or "", record.amount_minor, refund_id=record.id
    )
    record.gateway_reference = result.reference
    record.status = result.status
    if result.status == RefundStatus.FAILED:
        raise GatewayError(result.failure_message or "The payment provider declined the refund.")


def _reverse_share(record: Refund, vendor_order: VendorOrder) -> bool:
    """Ask for the vendor's share back from its transfer; False when that failed."""
    if record.reversal_minor <= 0:
        record.reversal_status = ReversalStatus.NOT_NEEDED
        return True
    transfer = db.session.scalars(
        select(Transfer).where(
            Transfer.vendor_order_id == vendor_order.id,
            Transfer.status.in_([TransferStatus.SUCCEEDED, TransferStatus.REVERSED]),
        )
    ).first()
    if transfer is None or transfer.gateway_reference is None:
        record.reversal_status = ReversalStatus.FAILED
        record.failure_message = "The vendor's transfer could not be found to reverse."
        return False
    try:
        reversal = get_gateway().reverse_transfer(
            transfer.gateway_reference, record.reversal_minor, refund_id=record.id
        )
    except GatewayError as error:
        # The buyer's refund stands; what the vendor could not give back, it owes.
        record.reversal_status = ReversalStatus.FAILED
        record.failure_message = error.message
        log.warning(
            "Refund %s: reversal of %s failed, booked as the vendor's receivable: %s",
            record.id,
            transfer.gateway_reference,
            error.message,
        )
        return False
    record.reversal_status = ReversalStatus.SUCCEEDED
    record.reversal_reference = reversal.reference
    if (
        ledger.order_vendor_position(
            vendor_order.order_id, vendor_order.vendor_id, vendor_order.currency
        ).balance
        <= record.reversal_minor
    ):
        transfer.status = TransferStatus.REVERSED
    return True


def _update_order_status(order: Order, payment: Payment) -> None:
    refunded = db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.payment_id == payment.id, Refund.status != RefundStatus.FAILED
        )
    )
    if refunded >= order.grand_total_minor:
        order.status = OrderStatus.REFUNDED
    elif refunded > 0:
        order.status = OrderStatus.PARTIALLY_REFUNDED


# ---------------------------------------------------------------------------------------------
# A payment that came too late: the order could not be filled, the buyer gets it all back


def refund_lost_order(payment: Payment, why: str) -> Refund:
    """Return a payment whose order lost its stock before the money arrived, and book both.

    The money passes through the order's clearing account and leaves again, so the ledger
    shows it arrived and went back (and the gateway's fee, which is not returned).
    """
    order = db.session.get(Order, payment.order_id)
    assert order is not None
    clearing, amount, currency = (
        ledger.clearing_code(order.id),
        payment.amount_minor,
        payment.currency,
    )
    ledger.post(
        f"payment:{payment.id}",
        "payment",
        f"Payment for order {order.number} (arrived after its reservation lapsed)",
        [
            ledger.Posting(ledger.CASH, amount, currency),
            ledger.Posting(clearing, -amount, currency),
        ],
        order_id=order.id,
    )
    record = Refund(
        payment_id=payment.id,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        reason=why,
        lines=[],
        status=RefundStatus.PENDING,
        idempotency_key=f"refund:new:{uuid.uuid4().hex}",
    )
    db.session.add(record)
    db.session.flush()
    record.idempotency_key = refund_key(record.id)
    _refund_at_gateway(record, payment)
    ledger.post(
        f"refund:{record.id}",
        "payment_returned",
        f"Payment for order {order.number} returned: {why}"[:200],
        [
            ledger.Posting(clearing, amount, currency),
            ledger.Posting(ledger.CASH, -amount, currency),
        ],
        order_id=order.id,
    )
    if payment.fee_minor:
        ledger.book_gateway_fee(payment, payment.fee_minor)
    payment.failure_message = f"Refunded in full: {why}"
    db.session.flush()
    log.warning("Payment %s for order %s refunded: %s", payment.id, order.id, why)
    return record


def _through_clearing(reference: str, kind: str, text: str, order: Order, amount: int) -> None:
    """Money in (+) or out (-) of the platform's cash against the order's clearing account."""
    currency = order.currency
    ledger.post(
        reference,
        kind,
        text[:200],
        [
            ledger.Posting(ledger.CASH, amount, currency),
            ledger.Posting(ledger.clearing_code(order.id), -amount, currency),
        ],
        order_id=order.id,
    )


# ---------------------------------------------------------------------------------------------
# What the gateway reports about refunds and reversals


def handle_refund_event(event: GatewayEvent) -> None:
    """`charge.refunded` / `transfer.reversed`: check every refund or reversal is one of ours.

    Ours are booked when we make them; one made elsewhere (the gateway's dashboard) is money
    the ledger does not know about, so it is logged as an error for someone to reconcile.
    """
    obj = event.object
    if event.type == "charge.refunded":
        column, listed = Refund.gateway_reference, (obj.get("refunds") or {}).get("data") or []
    else:
        column, listed = Refund.reversal_reference, (obj.get("reversals") or {}).get("data") or []
    for item in listed:
        reference = str(item.get("id") or "")
        known = db.session.scalar(select(Refund.id).where(column == reference))
        if known is None:
            log.error(
                "%s %s: %s was not made by the marketplace and is not in the ledger",
                event.type,
                obj.get("id"),
                reference,
            )
