"""Payouts: the double-entry ledger, commission rules, transfers to vendors and payouts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, one_of, utcnow

__all__ = [
    "AccountKind",
    "CommissionRule",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerTransaction",
    "Payout",
    "PayoutRun",
    "PayoutSchedule",
    "PayoutSettings",
    "PayoutStatus",
    "Transfer",
    "TransferStatus",
    "commission_scope",
]


class AccountKind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    REVENUE = "revenue"
    EXPENSE = "expense"


class TransferStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    REVERSED = "reversed"
    FAILED = "failed"


class PayoutStatus(StrEnum):
    """pending (recorded, not yet accepted by the gateway) → in_transit → paid | failed."""

    PENDING = "pending"
    IN_TRANSIT = "in_transit"
    PAID = "paid"
    FAILED = "failed"


class PayoutSchedule(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class LedgerAccount(db.Model):
    """An account of the ledger in one currency, e.g. `platform:cash` or `vendor:12:payable`.

    The same code exists once per currency the marketplace has booked in (`code`, `currency`).
    """

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("code", "currency"),
        CheckConstraint(one_of("kind", AccountKind), name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3))
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"), index=True)


class LedgerTransaction(db.Model):
    """One money movement; its entries sum to zero. `reference` makes booking idempotent."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    entries: Mapped[list[LedgerEntry]] = relationship(
        back_populates="transaction", cascade="all, delete-orphan"
    )


class LedgerEntry(db.Model):
    """A signed integer amount on one account (debit positive, credit negative)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (CheckConstraint("amount_minor <> 0", name="amount_non_zero"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")
    account: Mapped[LedgerAccount] = relationship()


def commission_scope(category_id: int | None, vendor_id: int | None) -> str:
    """The key that makes a rule unique: `default`, `category:<id>` or `vendor:<id>`."""
    if vendor_id is not None:
        return f"vendor:{vendor_id}"
    if category_id is not None:
        return f"category:{category_id}"
    return "default"


def _scope_of_new_rule(context) -> str:
    params = context.get_current_parameters()
    return commission_scope(params.get("category_id"), params.get("vendor_id"))


# The scope key must agree with the columns, so one default, one rule per category and one per
# vendor is all the table can hold.
_SCOPE_MATCHES = (
    "(category_id IS NULL AND vendor_id IS NULL AND scope = 'default')"
    " OR (category_id IS NOT NULL AND vendor_id IS NULL"
    " AND scope = 'category:' || CAST(category_id AS VARCHAR(20)))"
    " OR (vendor_id IS NOT NULL AND category_id IS NULL"
    " AND scope = 'vendor:' || CAST(vendor_id AS VARCHAR(20)))"
)


class CommissionRule(db.Model):
    """The marketplace default (no scope), a category's or a vendor's commission.

    The most specific rule wins: vendor > category (nearest ancestor) > default; see
    `marketplace.payouts.commission`.
    """

    __tablename__ = "commission_rules"
    __table_args__ = (
        UniqueConstraint("category_id"),
        UniqueConstraint("scope"),
        CheckConstraint("rate_bps BETWEEN 0 AND 10000", name="rate_range"),
        CheckConstraint("fixed_minor >= 0", name="fixed_non_negative"),
        CheckConstraint(_SCOPE_MATCHES, name="scope_matches"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"))
    scope: Mapped[str] = mapped_column(String(40), default=_scope_of_new_rule)
    rate_bps: Mapped[int] = mapped_column(Integer)
    fixed_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Transfer(db.Model):
    """A vendor order's net moved to the vendor's connected account, once."""

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint(one_of("status", TransferStatus), name="status_valid"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_order_id: Mapped[int] = mapped_column(ForeignKey("vendor_orders.id"), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), default=TransferStatus.PENDING)
    gateway_reference: Mapped[str | None] = mapped_column(String(120))
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PayoutRun(db.Model):
    """One `flask payouts run`: what it released and paid, for the admin's records and exports."""

    __tablename__ = "payout_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    vendors: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    payouts: Mapped[list[Payout]] = relationship(back_populates="run", order_by="Payout.id")


class Payout(db.Model):
    """Money paid from a vendor's available balance to its bank account.

    Recorded (and its money moved to `vendor:<id>:in_payout`) before the gateway is asked, so
    a crash between the two leaves a pending payout that the next run sends again under the
    same idempotency key instead of paying twice.
    """

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'in_transit', 'paid', 'failed')", name="status_valid"
        ),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index("ix_payouts_vendor_id_created_at", "vendor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("payout_runs.id"), index=True)
    gateway: Mapped[str | None] = mapped_column(String(20))
    destination: Mapped[str | None] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), default=PayoutStatus.PENDING, index=True)
    gateway_reference: Mapped[str | None] = mapped_column(String(120))
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    failure_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[PayoutRun | None] = relationship(back_populates="payouts")


class PayoutSettings(db.Model):
    """A vendor's payout schedule, and an admin's hold on its payouts (one row per vendor;
    a vendor without one is paid weekly on Mondays and not held)."""

    __tablename__ = "vendor_payout_settings"
    __table_args__ = (
        CheckConstraint(one_of("schedule", PayoutSchedule), name="schedule_valid"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("month_day BETWEEN 1 AND 28", name="month_day_range"),
    )

    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), primary_key=True
    )
    schedule: Mapped[str] = mapped_column(
        String(8), default=PayoutSchedule.WEEKLY, server_default="weekly"
    )
    weekday: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # Monday
    month_day: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    hold_reason: Mapped[str | None] = mapped_column(Text)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_held(self) -> bool:
        return self.hold_reason is not None
