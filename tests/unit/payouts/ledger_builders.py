"""Orders, payments, transfers and refunds built directly in the test database for ledger tests.

They stand in for what checkout and the payment services write, with figures that add up the
way an order's must (vendor net = items + shipping - commission, grand total = Σ parts).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus, VendorOrder
from marketplace.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from marketplace.payouts.models import Transfer, TransferStatus
from marketplace.payouts.refunds import RefundPlan
from tests import factories

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Line:
    unit_price_minor: int
    quantity: int = 1
    tax_minor: int = 0
    category_id: int | None = None


@dataclass(frozen=True)
class Part:
    """One vendor's part of an order."""

    vendor_id: int
    lines: Sequence[Line]
    commission_minor: int = 0
    shipping_minor: int = 0
    shipping_tax_minor: int = 0


def build_order(parts: Sequence[Part], currency: str = "USD", buyer=None) -> Order:
    """An unpaid order with one vendor order per part; totals computed from the parts."""
    buyer = buyer or factories.UserFactory()
    order = Order(
        number=f"T{next(_numbers):07d}",
        buyer_id=buyer.id,
        currency=currency,
        email=buyer.email,
        status=OrderStatus.PENDING_PAYMENT,
    )
    for part in parts:
        subtotal = sum(line.unit_price_minor * line.quantity for line in part.lines)
        tax = sum(line.tax_minor for line in part.lines) + part.shipping_tax_minor
        order.vendor_orders.append(
            VendorOrder(
                vendor_id=part.vendor_id,
                currency=currency,
                subtotal_minor=subtotal,
                shipping_minor=part.shipping_minor,
                tax_minor=tax,
                commission_minor=part.commission_minor,
                vendor_net_minor=subtotal + part.shipping_minor - part.commission_minor,
                lines=[
                    OrderLine(
                        title=f"Item {i}",
                        sku=f"SKU-{i}",
                        unit_price_minor=line.unit_price_minor,
                        quantity=line.quantity,
                        line_total_minor=line.unit_price_minor * line.quantity,
                        tax_minor=line.tax_minor,
                    )
                    for i, line in enumerate(part.lines)
                ],
            )
        )
    vendor_orders = order.vendor_orders
    order.items_total_minor = sum(vo.subtotal_minor for vo in vendor_orders)
    order.shipping_total_minor = sum(vo.shipping_minor for vo in vendor_orders)
    order.tax_total_minor = sum(vo.tax_minor for vo in vendor_orders)
    order.grand_total_minor = (
        order.items_total_minor + order.shipping_total_minor + order.tax_total_minor
    )
    db.session.add(order)
    db.session.flush()
    return order


def pay(order: Order, amount_minor: int | None = None) -> Payment:
    """A succeeded payment of the order (of its grand total unless told otherwise)."""
    payment = Payment(
        order_id=order.id,
        gateway="offline",
        gateway_reference=f"pi_test_{order.id}_{next(_numbers)}",
        amount_minor=order.grand_total_minor if amount_minor is None else amount_minor,
        currency=order.currency,
        status=PaymentStatus.SUCCEEDED,
        idempotency_key=f"order:{order.id}:pi:{next(_numbers)}",
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def transfer(vendor_order: VendorOrder, amount_minor: int, status=TransferStatus.SUCCEEDED):
    """The vendor order's transfer as the gateway made it."""
    made = Transfer(
        vendor_order_id=vendor_order.id,
        vendor_id=vendor_order.vendor_id,
        amount_minor=amount_minor,
        currency=vendor_order.currency,
        status=status,
        gateway_reference=f"tr_test_{next(_numbers)}",
        idempotency_key=f"order:{vendor_order.order_id}:transfer:{vendor_order.vendor_id}",
    )
    db.session.add(made)
    db.session.flush()
    return made


def refund_from_plan(payment: Payment, plan: RefundPlan, **fields) -> Refund:
    """The Refund record the payment service would write for a plan."""
    values = {
        "payment_id": payment.id,
        "vendor_order_id": plan.vendor_order_id,
        "amount_minor": plan.amount_minor,
        "currency": plan.currency,
        "shipping_minor": plan.shipping_minor,
        "tax_minor": plan.tax_minor,
        "commission_returned_minor": plan.commission_returned_minor,
        "reversal_minor": plan.reversal_minor,
        "reason": "Requested by the buyer",
        "lines": list(plan.lines),
        "status": RefundStatus.SUCCEEDED,
        "idempotency_key": f"refund:test:{next(_numbers)}",
    }
    values.update(fields)
    refund = Refund(**values)
    db.session.add(refund)
    db.session.flush()
    return refund


def goodwill_refund(payment: Payment, vendor_order: VendorOrder, amount_minor: int) -> Refund:
    """A refund of an amount not tied to lines: no tax, no commission returned."""
    refund = Refund(
        payment_id=payment.id,
        vendor_order_id=vendor_order.id,
        amount_minor=amount_minor,
        currency=vendor_order.currency,
        reason="Goodwill",
        lines=[],
        status=RefundStatus.SUCCEEDED,
        idempotency_key=f"refund:test:{next(_numbers)}",
    )
    db.session.add(refund)
    db.session.flush()
    return refund
