"""Vendor statements: what the marketplace owes a vendor at the start of a period, every
movement in it, and what it owes at the end, read from the ledger: opening + movements = closing.

What the marketplace owes a vendor is the sum of its accounts, pending + balance + in payout -
what it owes back (`vendor:<id>:*`), so a transaction moves it by minus the sum of its postings on
them. Each transaction becomes one or more lines:

- an order: the sale (items + shipping) and the commission (which includes any fixed per-order
  fee of the commission rule), together the vendor's net;
- a refund: the items and shipping given back, and the commission returned with them; a note
  says how much was reversed from the vendor's account or is now owed by it;
- a payout paid (money leaves for the bank), or sent back by the bank;
- releases, recoveries and payouts sent or failed move money between the vendor's own balances
  (amount 0) and are listed with a note, so the statement shows every event.

Periods are half-open, [start, end), in UTC. `statements_for` builds them for many vendors with a
few set-based queries; `reconcile` sets the vendors' commission against the platform's books.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import Order, VendorOrder
from marketplace.payments.models import Refund
from marketplace.payouts.journal import COMMISSION, GATEWAY_FEES
from marketplace.payouts.models import LedgerAccount, LedgerEntry, LedgerTransaction

__all__ = [
    "Reconciliation",
    "Statement",
    "StatementLine",
    "VendorSummary",
    "month_period",
    "reconcile",
    "statements_for",
    "vendor_statement",
]

KIND_LABELS = {
    "sale": "Sale",
    "commission": "Commission",
    "refund": "Refund",
    "commission_returned": "Commission returned",
    "release": "Released",
    "recovery": "Kept back",
    "payout_sent": "Payout sent",
    "payout": "Payout",
    "payout_failed": "Payout failed",
    "payout_returned": "Payout returned",
    "adjustment": "Adjustment",
}


@dataclass(frozen=True)
class StatementLine:
    """One movement: `amount_minor` is its effect on what the marketplace owes the vendor."""

    occurred_at: datetime
    kind: str
    description: str
    reference: str
    amount_minor: int
    order_number: str | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())


@dataclass
class Statement:
    vendor_id: int
    currency: str
    start: datetime
    end: datetime
    opening_minor: int = 0
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def movements_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)

    @property
    def closing_minor(self) -> int:
        return self.opening_minor + self.movements_minor

    def total(self, *kinds: str) -> int:
        return sum(line.amount_minor for line in self.lines if line.kind in kinds)


def month_period(year: int, month: int) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, UTC."""
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def as_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _vendor_sums(vendor_ids: list[int] | None, currency: str, *, where) -> dict:
    stmt = (
        select(LedgerAccount.vendor_id, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerAccount.vendor_id.is_not(None), LedgerAccount.currency == currency, where)
        .group_by(LedgerAccount.vendor_id)
    )
    if vendor_ids is not None:
        stmt = stmt.where(LedgerAccount.vendor_id.in_(vendor_ids))
    return {vendor_id: -int(total or 0) for vendor_id, total in db.session.execute(stmt)}


@dataclass
class _Txn:
    id: int
    kind: str
    reference: str
    description: str
    created_at: datetime
    order_id: int | None
    parts: dict[str, int] = field(default_factory=dict)  # account name → signed sum

    @property
    def effect(self) -> int:
        return -sum(self.parts.values())


def _period_transactions(
    vendor_ids: list[int] | None, currency: str, start: datetime, end: datetime
) -> dict[int, list[_Txn]]:
    stmt = (
        select(
            LedgerAccount.vendor_id,
            LedgerTransaction.id,
            LedgerTransaction.kind,
            LedgerTransaction.reference,
            LedgerTransaction.description,
            LedgerTransaction.created_at,
            LedgerTransaction.order_id,
            LedgerAccount.code,
            func.sum(LedgerEntry.amount_minor),
        )
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            LedgerAccount.vendor_id.is_not(None),
            LedgerAccount.currency == currency,
            LedgerTransaction.created_at >= start,
            LedgerTransaction.created_at < end,
        )
        .group_by(
            LedgerAccount.vendor_id,
            LedgerTransaction.id,
            LedgerTransaction.kind,
            LedgerTransaction.reference,
            LedgerTransaction.description,
            LedgerTransaction.created_at,
            LedgerTransaction.order_id,
            LedgerAccount.code,
        )
        .order_by(LedgerTransaction.created_at, LedgerTransaction.id)
    )
    if vendor_ids is not None:
        stmt = stmt.where(LedgerAccount.vendor_id.in_(vendor_ids))
    by_vendor: dict[int, dict[int, _Txn]] = defaultdict(dict)
    for (
        vendor_id,
        txn_id,
        kind,
        reference,
        description,
        at,
        order_id,
        code,
        total,
    ) in db.session.execute(stmt):
        txn = by_vendor[vendor_id].get(txn_id)
        if txn is None:
            txn = by_vendor[vendor_id][txn_id] = _Txn(
                txn_id, kind, reference, description, at, order_id
            )
        txn.parts[code.rsplit(":", 1)[1]] = int(total or 0)
    return {vendor_id: list(txns.values()) for vendor_id, txns in by_vendor.items()}


def _chunks(values: list[int], size: int = 900) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Context:
    """Vendor orders, order numbers and refunds the period's transactions name, loaded in bulk."""

    def __init__(self, txns: Iterable[_Txn]) -> None:
        txns = list(txns)
        order_ids = sorted({t.order_id for t in txns if t.order_id is not None})
        refund_ids = sorted({int(t.reference.split(":")[1]) for t in txns if t.kind == "refund"})
        self.vendor_orders: dict[tuple[int, int], VendorOrder] = {}
        self.numbers: dict[int, str] = {}
        self.refunds: dict[int, Refund] = {}
        for chunk in _chunks(order_ids):
            for vo in db.session.scalars(
                select(VendorOrder).where(VendorOrder.order_id.in_(chunk))
            ):
                self.vendor_orders[(vo.order_id, vo.vendor_id)] = vo
            self.numbers.update(
                db.session.execute(select(Order.id, Order.number).where(Order.id.in_(chunk))).all()
            )
        for chunk in _chunks(refund_ids):
            for refund in db.session.scalars(select(Refund).where(Refund.id.in_(chunk))):
                self.refunds[refund.id] = refund


def _lines(vendor_id: int, txn: _Txn, context: _Context, currency: str) -> list[StatementLine]:
    from marketplace.web import format_money

    number = context.numbers.get(txn.order_id) if txn.order_id else None

    def line(kind: str, description: str, amount: int, note: str = "") -> StatementLine:
        return StatementLine(txn.created_at, kind, description, txn.reference, amount, number, note)

    def money(amount: int) -> str:
        return format_money(amount, currency)

    def own(description: str) -> str:
        """ "Payout 3 to vendor 7 paid" as the vendor reads it: "Payout 3 paid"."""
        return description.replace(f" to vendor {vendor_id}", "")

    effect = txn.effect
    if txn.kind == "order_split":
        vo = context.vendor_orders.get((txn.order_id, vendor_id))
        if vo is not None and vo.subtotal_minor + vo.shipping_minor - vo.commission_minor == effect:
            lines = [
                line(
                    "sale",
                    f"Order {number}: items and shipping",
                    vo.subtotal_minor + vo.shipping_minor,
                )
            ]
            if vo.commission_minor:
                lines.append(
                    line("commission", f"Order {number}: commission", -vo.commission_minor)
                )
            return lines
        return [line("sale", f"Order {number}: your share", effect)]
    if txn.kind == "refund":
        refund = context.refunds.get(int(txn.reference.split(":")[1]))
        notes = []
        if txn.parts.get("balance", 0) > 0:
            notes.append(f"{money(txn.parts['balance'])} reversed from your account")
        if txn.parts.get("receivable", 0) > 0:
            notes.append(f"{money(txn.parts['receivable'])} owed to the marketplace")
        note = "; ".join(notes)
        if refund is not None:
            goods = refund.amount_minor - refund.tax_minor
            returned = refund.commission_returned_minor
            if returned - goods == effect:
                lines = [line("refund", f"Refund on order {number}", -goods, note)]
                if returned:
                    lines.append(
                        line(
                            "commission_returned", f"Order {number}: commission returned", returned
                        )
                    )
                return lines
        return [line("refund", f"Refund on order {number}", effect, note)]
    if txn.kind == "transfer":
        kept = -txn.parts.get("receivable", 0)
        note = f"{money(-txn.parts.get('balance', 0))} moved to your available balance"
        if kept:
            note += f"; {money(kept)} kept back against what you owed"
        return [line("release", f"Order {number}: released", effect, note)]
    if txn.kind == "recovery":
        kept = -txn.parts.get("receivable", 0)
        return [
            line(
                "recovery",
                f"Order {number}: kept back",
                effect,
                f"{money(kept)} against what you owed",
            )
        ]
    if txn.kind == "payout":
        amount = -txn.parts.get("in_payout", 0)
        return [
            line(
                "payout_sent",
                own(txn.description),
                effect,
                f"{money(amount)} on its way to your bank",
            )
        ]
    if txn.kind == "payout_paid":
        return [line("payout", own(txn.description), effect)]
    if txn.kind == "payout_failed":
        amount = -txn.parts.get("balance", 0)
        return [
            line(
                "payout_failed",
                own(txn.description),
                effect,
                f"{money(amount)} available again",
            )
        ]
    if txn.kind == "payout_returned":
        return [line("payout_returned", own(txn.description), effect)]
    return [line("adjustment", txn.description, effect)]


def statements_for(
    vendor_ids: Iterable[int] | None, start: datetime, end: datetime, currency: str
) -> dict[int, Statement]:
    """Statements of many vendors (None: every vendor with postings) for one period."""
    ids = None if vendor_ids is None else list(vendor_ids)
    opening = _vendor_sums(ids, currency, where=LedgerTransaction.created_at < start)
    txns = _period_transactions(ids, currency, start, end)
    context = _Context(t for vendor_txns in txns.values() for t in vendor_txns)
    everyone = set(opening) | set(txns) | set(ids or ())
    statements = {}
    for vendor_id in sorted(everyone):
        statement = Statement(vendor_id, currency, start, end, opening.get(vendor_id, 0))
        for txn in txns.get(vendor_id, []):
            statement.lines.extend(_lines(vendor_id, txn, context, currency))
        statements[vendor_id] = statement
    return statements


def vendor_statement(vendor_id: int, start: datetime, end: datetime, currency: str) -> Statement:
    """One vendor's statement for [start, end) in `currency`."""
    return statements_for([vendor_id], start, end, currency)[vendor_id]


# ---------------------------------------------------------------------------------------------
# The admin's view across vendors


@dataclass(frozen=True)
class VendorSummary:
    vendor_id: int
    name: str
    opening_minor: int
    sales_minor: int
    commission_minor: int  # net of commission returned (negative: taken from the vendor)
    refunds_minor: int
    payouts_minor: int
    other_minor: int
    closing_minor: int


@dataclass
class Reconciliation:
    """The period's vendor movements and the platform's commission and fees, checked together:
    the commission the vendors' statements show taken equals the platform's commission revenue.
    """

    start: datetime
    end: datetime
    currency: str
    vendors: list[VendorSummary]
    commission_booked_minor: int
    commission_returned_minor: int
    gateway_fees_minor: int

    @property
    def commission_revenue_minor(self) -> int:
        return self.commission_booked_minor - self.commission_returned_minor

    @property
    def commission_from_statements_minor(self) -> int:
        return -sum(v.commission_minor for v in self.vendors)

    @property
    def difference_minor(self) -> int:
        return self.commission_revenue_minor - self.commission_from_statements_minor

    @property
    def net_revenue_minor(self) -> int:
        return self.commission_revenue_minor - self.gateway_fees_minor

    def total(self, name: str) -> int:
        return sum(getattr(v, name) for v in self.vendors)


def _platform_sums(code: str, currency: str, start: datetime, end: datetime) -> dict[str, int]:
    rows = db.session.execute(
        select(LedgerTransaction.kind, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerAccount.code == code,
            LedgerAccount.currency == currency,
            LedgerTransaction.created_at >= start,
            LedgerTransaction.created_at < end,
        )
        .group_by(LedgerTransaction.kind)
    )
    return {kind: int(total or 0) for kind, total in rows}


def reconcile(start: datetime, end: datetime, currency: str) -> Reconciliation:
    """Every vendor's period in one table, and the platform's commission and fees beside it."""
    from marketplace.vendors.models import Vendor

    statements = statements_for(None, start, end, currency)
    names = dict(db.session.execute(select(Vendor.id, Vendor.display_name)).all())
    summaries = []
    for vendor_id, st in statements.items():
        if not st.lines and not st.opening_minor:
            continue
        sales = st.total("sale")
        commission = st.total("commission", "commission_returned")
        refunds = st.total("refund")
        payouts = st.total("payout", "payout_returned")
        summaries.append(
            VendorSummary(
                vendor_id=vendor_id,
                name=names.get(vendor_id, f"Vendor {vendor_id}"),
                opening_minor=st.opening_minor,
                sales_minor=sales,
                commission_minor=commission,
                refunds_minor=refunds,
                payouts_minor=payouts,
                other_minor=st.movements_minor - sales - commission - refunds - payouts,
                closing_minor=st.closing_minor,
            )
        )
    commission = _platform_sums(COMMISSION, currency, start, end)
    fees = _platform_sums(GATEWAY_FEES, currency, start, end)
    return Reconciliation(
        start=start,
        end=end,
        currency=currency,
        vendors=summaries,
        commission_booked_minor=-commission.get("order_split", 0),
        commission_returned_minor=commission.get("refund", 0),
        gateway_fees_minor=sum(fees.values()),
    )
