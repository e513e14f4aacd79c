"""The marketplace's figures per day or month, for the admin dashboard and its CSV exports.

Every figure is aggregated by the database (GROUP BY the UTC day or month, see `periods`);
money is summed in minor units of one currency and never converted. Definitions:

- GMV (gross merchandise value): the grand totals (items + shipping + tax) of orders in the
  currency, counted on the UTC day the payment succeeded (`Order.paid_at`). Orders refunded
  later still count: refunds are a separate figure and are not subtracted.
- Orders: how many orders were paid in the period (the same orders as GMV).
- Average order value: GMV / orders, rounded half-to-even to a whole minor unit; none for a
  period without orders.
- Commission revenue: the net credit to the ledger's `platform:commission` account in the
  currency, by the day its transaction was booked: commission earned at checkout minus
  commission given back with refunds.
- Refunds: the amounts of succeeded refunds (items + shipping + tax returned to buyers), by
  the day the refund was made, and how many there were.
- New vendors: vendors approved in the period (applications that were accepted).
- New buyers: accounts created in the period that are neither admins nor shop owners.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import Select, func, select

from marketplace.accounts.models import User
from marketplace.admin.periods import Grain, period_keys, utc_period
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments.models import Refund, RefundStatus
from marketplace.payouts.journal import COMMISSION
from marketplace.payouts.models import LedgerAccount, LedgerEntry, LedgerTransaction
from marketplace.vendors.models import Vendor

DEFAULT_RANGE_DAYS = 30
MAX_RANGE_DAYS = 3 * 366


class InvalidDateRange(DomainError):
    message = "Choose a start date on or before the end date."


@dataclass(frozen=True)
class DateRange:
    """UTC calendar days from `start` to `end`, both included."""

    start: date
    end: date

    @classmethod
    def last_days(cls, days: int = DEFAULT_RANGE_DAYS, today: date | None = None) -> DateRange:
        end = today or datetime.now(UTC).date()
        return cls(end - timedelta(days=days - 1), end)

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise InvalidDateRange()
        if (self.end - self.start).days >= MAX_RANGE_DAYS:
            raise InvalidDateRange(f"Choose at most {MAX_RANGE_DAYS} days.")

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def until(self) -> datetime:
        """The first moment after the range (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class PeriodFigures:
    """The figures of one day, one month or the whole range (`period` says which)."""

    period: str
    gmv_minor: int = 0
    orders: int = 0
    commission_minor: int = 0
    refunds_minor: int = 0
    refund_count: int = 0
    new_vendors: int = 0
    new_buyers: int = 0

    @property
    def average_order_minor(self) -> int | None:
        """GMV per order, rounded half-to-even to a whole minor unit."""
        if not self.orders:
            return None
        exact = Decimal(self.gmv_minor) / Decimal(self.orders)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


COUNTED_FIELDS = tuple(f.name for f in fields(PeriodFigures) if f.name != "period")


@dataclass(frozen=True)
class Figures:
    """One currency's figures over a date range, per period, and their totals."""

    window: DateRange
    grain: Grain
    currency: str
    periods: list[PeriodFigures]
    totals: PeriodFigures


def _grouped(stmt: Select[Any], column: Any, grain: Grain) -> dict[str, tuple[Any, ...]]:
    """Run `stmt` grouped by the period of `column`: {period key: the other columns}."""
    period = utc_period(column, grain).label("period")
    rows = db.session.execute(stmt.add_columns(period).group_by(period)).all()
    return {row[-1]: tuple(row[:-1]) for row in rows}


def _orders(window: DateRange, currency: str, grain: Grain) -> dict[str, tuple[Any, ...]]:
    stmt = select(func.coalesce(func.sum(Order.grand_total_minor), 0), func.count(Order.id)).where(
        Order.paid_at.is_not(None),
        Order.paid_at >= window.since,
        Order.paid_at < window.until,
        Order.currency == currency,
    )
    return _grouped(stmt, Order.paid_at, grain)


def _commission(window: DateRange, currency: str, grain: Grain) -> dict[str, tuple[Any, ...]]:
    # Revenue accounts are credited (negative, debit-positive ledger): revenue = -sum.
    stmt = (
        select(-func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(
            LedgerAccount.code == COMMISSION,
            LedgerEntry.currency == currency,
            LedgerTransaction.created_at >= window.since,
            LedgerTransaction.created_at < window.until,
        )
    )
    return _grouped(stmt, LedgerTransaction.created_at, grain)


def _refunds(window: DateRange, currency: str, grain: Grain) -> dict[str, tuple[Any, ...]]:
    stmt = select(func.coalesce(func.sum(Refund.amount_minor), 0), func.count(Refund.id)).where(
        Refund.status == RefundStatus.SUCCEEDED,
        Refund.currency == currency,
        Refund.created_at >= window.since,
        Refund.created_at < window.until,
    )
    return _grouped(stmt, Refund.created_at, grain)


def _new_vendors(window: DateRange, grain: Grain) -> dict[str, tuple[Any, ...]]:
    stmt = select(func.count(Vendor.id)).where(
        Vendor.approved_at >= window.since, Vendor.approved_at < window.until
    )
    return _grouped(stmt, Vendor.approved_at, grain)


def _new_buyers(window: DateRange, grain: Grain) -> dict[str, tuple[Any, ...]]:
    shop_owners = select(Vendor.owner_id)
    stmt = select(func.count(User.id)).where(
        User.created_at >= window.since,
        User.created_at < window.until,
        User.is_admin.is_(False),
        User.id.not_in(shop_owners),
    )
    return _grouped(stmt, User.created_at, grain)


def _total(periods: Iterable[PeriodFigures]) -> PeriodFigures:
    rows = list(periods)
    return PeriodFigures(
        "total", **{name: sum(getattr(row, name) for row in rows) for name in COUNTED_FIELDS}
    )


def figures(window: DateRange, currency: str, grain: Grain = Grain.DAY) -> Figures:
    """The dashboard's figures per day or month of `window`, zero-filled, with totals."""
    orders = _orders(window, currency, grain)
    commission = _commission(window, currency, grain)
    refunds = _refunds(window, currency, grain)
    vendors = _new_vendors(window, grain)
    buyers = _new_buyers(window, grain)
    periods = []
    for key in period_keys(window.start, window.end, grain):
        gmv, order_count = orders.get(key, (0, 0))
        refunded, refund_count = refunds.get(key, (0, 0))
        periods.append(
            PeriodFigures(
                period=key,
                gmv_minor=int(gmv),
                orders=int(order_count),
                commission_minor=int(commission.get(key, (0,))[0]),
                refunds_minor=int(refunded),
                refund_count=int(refund_count),
                new_vendors=int(vendors.get(key, (0,))[0]),
                new_buyers=int(buyers.get(key, (0,))[0]),
            )
        )
    return Figures(window, grain, currency, periods, _total(periods))


def currencies_in_use(default: str) -> list[str]:
    """Currencies that paid orders were placed in, the marketplace's own first."""
    used = db.session.scalars(
        select(Order.currency).where(Order.paid_at.is_not(None)).distinct()
    ).all()
    return [default, *sorted(code for code in used if code != default)]
