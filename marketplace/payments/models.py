"""Payments: the buyer's one payment per order, refunds, and webhook events processed once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, one_of, utcnow

__all__ = [
    "OfflineGatewayObject",
    "Payment",
    "PaymentStatus",
    "Refund",
    "RefundStatus",
    "ReversalStatus",
    "WebhookEvent",
]


class PaymentStatus(StrEnum):
    REQUIRES_PAYMENT = "requires_payment"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ReversalStatus(StrEnum):
    """How the vendor's share of a refund came back to the platform."""

    NOT_NEEDED = "not_needed"  # nothing was transferred yet (or the share is zero)
    SUCCEEDED = "succeeded"  # the transfer was reversed for the share
    FAILED = "failed"  # the vendor's balance was too low: the share is a receivable


class Payment(db.Model):
    """A charge on the platform account through a gateway, keyed by our own idempotency key."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("gateway", "gateway_reference"),
        CheckConstraint(one_of("status", PaymentStatus), name="status_valid"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("fee_minor >= 0", name="fee_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    gateway: Mapped[str] = mapped_column(String(20))
    # The payment intent; Stripe Checkout makes it only when the buyer pays, so it is filled in
    # from the first event about it.
    gateway_reference: Mapped[str | None] = mapped_column(String(120))
    # Where the buyer pays: the checkout session (Stripe) or the payment page (offline).
    session_reference: Mapped[str | None] = mapped_column(String(120))
    charge_reference: Mapped[str | None] = mapped_column(String(120))  # source of transfers
    amount_minor: Mapped[int] = mapped_column(Integer)
    fee_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.REQUIRES_PAYMENT)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    failure_message: Mapped[str | None] = mapped_column(Text)
    # The gateway's timestamp of the newest event applied: an older one cannot undo it.
    last_event_at: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Refund(db.Model):
    """Money returned to the buyer out of one vendor order: all of it or some of its lines.

    A whole-order refund is one Refund per vendor order (a payment returned because the order
    could not be filled has none). `amount_minor` is what the buyer gets back: items +
    `shipping_minor` + `tax_minor`; `commission_returned_minor` is the commission given back
    under the refund policy. `reversal_minor` is what was asked back from the vendor's
    transfer and `reversal_status` how that went (failed: the vendor owes it, a receivable).
    `lines` is as `marketplace.payouts.refunds.plan_refund` writes it.
    """

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint(one_of("status", RefundStatus), name="status_valid"),
        CheckConstraint(one_of("reversal_status", ReversalStatus), name="reversal_status_valid"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("shipping_minor >= 0", name="shipping_non_negative"),
        CheckConstraint("tax_minor >= 0", name="tax_non_negative"),
        CheckConstraint("commission_returned_minor >= 0", name="commission_non_negative"),
        CheckConstraint("reversal_minor >= 0", name="reversal_non_negative"),
        CheckConstraint("shipping_minor + tax_minor <= amount_minor", name="parts_within_amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    vendor_order_id: Mapped[int | None] = mapped_column(ForeignKey("vendor_orders.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    shipping_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tax_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    commission_returned_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reversal_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reason: Mapped[str] = mapped_column(Text)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    restock: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    status: Mapped[str] = mapped_column(String(12), default=RefundStatus.PENDING)
    gateway_reference: Mapped[str | None] = mapped_column(String(120))
    reversal_status: Mapped[str] = mapped_column(
        String(12), default=ReversalStatus.NOT_NEEDED, server_default="not_needed"
    )
    reversal_reference: Mapped[str | None] = mapped_column(String(120))
    failure_message: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def items_minor(self) -> int:
        return self.amount_minor - self.shipping_minor - self.tax_minor


class WebhookEvent(db.Model):
    """A provider's event, stored in the same transaction as its effects: each is applied once."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfflineGatewayObject(db.Model):
    """The offline gateway's own records (payment intents, charges, transfers, refunds...).

    They stand in for the state Stripe keeps on its side, in Stripe's shapes, so the offline
    gateway can answer a retrieve, replay an idempotent call and refuse what Stripe refuses.
    Nothing outside the offline gateway reads them.
    """

    __tablename__ = "offline_gateway_objects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    object_id: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
