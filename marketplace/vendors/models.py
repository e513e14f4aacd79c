"""Vendors: independent sellers, their onboarding state and its audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from marketplace.accounts.models import User

__all__ = ["Vendor", "VendorEvent", "VendorStatus"]


class VendorStatus(StrEnum):
    """applied → approved | rejected; approved ⇄ suspended."""

    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class Vendor(db.Model):
    """A seller. Sells only while approved and payable (charges and payouts enabled)."""

    __tablename__ = "vendors"
    __table_args__ = (
        CheckConstraint(one_of("status", VendorStatus), name="status_valid"),
        CheckConstraint("strikes >= 0", name="strikes_non_negative"),
        CheckConstraint("handling_days BETWEEN 0 AND 60", name="handling_days_range"),
        CheckConstraint(
            "commission_rate_bps IS NULL OR commission_rate_bps BETWEEN 0 AND 10000",
            name="commission_rate_range",
        ),
        CheckConstraint(
            "commission_fixed_minor IS NULL OR commission_fixed_minor >= 0",
            name="commission_fixed_non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), unique=True)
    business_name: Mapped[str] = mapped_column(String(160))
    country: Mapped[str] = mapped_column(String(2))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=VendorStatus.APPLIED, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    # The connected account at the payment gateway that pays this vendor (Stripe: `acct_...`).
    payout_gateway: Mapped[str | None] = mapped_column(String(20))
    payout_account_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    charges_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    payouts_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    commission_rate_bps: Mapped[int | None] = mapped_column(Integer)
    commission_fixed_minor: Mapped[int | None] = mapped_column(Integer)
    strikes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    handling_days: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    logo_key: Mapped[str | None] = mapped_column(String(255))
    banner_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship(back_populates="vendor")
    events: Mapped[list[VendorEvent]] = relationship(
        back_populates="vendor", order_by="VendorEvent.created_at"
    )

    @property
    def is_payable(self) -> bool:
        return self.charges_enabled and self.payouts_enabled

    @property
    def can_sell(self) -> bool:
        """Listings go live only for approved vendors the gateway can pay."""
        return self.status == VendorStatus.APPROVED and self.is_payable

    def __repr__(self) -> str:
        return f"<Vendor {self.id} {self.slug} {self.status}>"


class VendorEvent(db.Model):
    """Audit trail of a vendor's state: who changed what, when and why."""

    __tablename__ = "vendor_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vendor: Mapped[Vendor] = relationship(back_populates="events")
