"""Fulfilment: each vendor's shipments, their tracking events, and returns."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from marketplace.orders.models import OrderLine, VendorOrder

__all__ = [
    "ReturnLine",
    "ReturnRequest",
    "ReturnStatus",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "TrackingEvent",
]


class ShipmentStatus(StrEnum):
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    ESCALATED = "escalated"
    RECEIVED = "received"
    REFUNDED = "refunded"


class Shipment(db.Model):
    """A parcel a vendor sent for (part of) its vendor order."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("carrier", "tracking_number"),
        CheckConstraint(one_of("status", ShipmentStatus), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE"), index=True
    )
    carrier: Mapped[str] = mapped_column(String(40))
    tracking_number: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=ShipmentStatus.LABEL_CREATED)
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where its tracking events come from (marketplace.fulfilment.tracking provider names).
    provider: Mapped[str] = mapped_column(String(20), default="embedded", server_default="embedded")
    # When the newest applied event happened: an older one arriving late cannot move it back.
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    vendor_order: Mapped[VendorOrder] = relationship()
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentLine.id"
    )
    events: Mapped[list[TrackingEvent]] = relationship(
        back_populates="shipment", order_by="TrackingEvent.occurred_at"
    )


class ShipmentLine(db.Model):
    """How many units of an order line went in a shipment."""

    __tablename__ = "shipment_lines"
    __table_args__ = (
        UniqueConstraint("shipment_id", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class TrackingEvent(db.Model):
    """A carrier event, stored once per provider event id."""

    __tablename__ = "tracking_events"
    __table_args__ = (
        UniqueConstraint("provider", "event_id"),
        CheckConstraint(one_of("status", ShipmentStatus), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200), default="")
    location: Mapped[str | None] = mapped_column(String(120))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shipment: Mapped[Shipment] = relationship(back_populates="events")


class ReturnRequest(db.Model):
    """A buyer's request to send lines of a vendor order back.

    requested → approved (label or address given) → refunded (received, refunded);
    requested → escalated (the shop refused, or did not answer by `respond_by`) → refunded or
    refused by an admin (the dispute's decision).
    """

    __tablename__ = "return_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", ReturnStatus), name="status_valid"),
        CheckConstraint(
            "dispute_decision IS NULL OR dispute_decision IN ('refund', 'refuse')",
            name="dispute_decision_valid",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_order_id: Mapped[int] = mapped_column(ForeignKey("vendor_orders.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default=ReturnStatus.REQUESTED, index=True)
    reason: Mapped[str] = mapped_column(Text)
    # The shop's answer: its refusal reason (or a note with its approval).
    vendor_response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The shop must answer by then, or the request becomes a dispute.
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_label_url: Mapped[str | None] = mapped_column(String(500))
    return_address: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resellable: Mapped[bool | None] = mapped_column(Boolean)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    dispute_decision: Mapped[str | None] = mapped_column(String(8))
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    dispute_decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    dispute_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    vendor_order: Mapped[VendorOrder] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="return_request", cascade="all, delete-orphan", order_by="ReturnLine.id"
    )


class ReturnLine(db.Model):
    """How many units of an order line the buyer wants to return."""

    __tablename__ = "return_lines"
    __table_args__ = (
        UniqueConstraint("return_request_id", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_request_id: Mapped[int] = mapped_column(
        ForeignKey("return_requests.id", ondelete="CASCADE")
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)

    return_request: Mapped[ReturnRequest] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()
