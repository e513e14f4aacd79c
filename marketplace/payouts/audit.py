"""`verify()`: the ledger checked against itself and against the orders it records.

- unbalanced: transactions whose postings do not sum to zero in some currency (or that have
  fewer than two postings).
- mismatched_balances: vendor accounts whose balance read by an SQL sum differs from the sum of
  their postings read one by one (or that hold a posting in another currency, belong to another
  vendor than their code says, or sit on the wrong side: a negative payable or balance, a
  negative receivable); and booked orders whose split disagrees with the order: a vendor
  order's net not what was credited to its payable, commission or tax not what was booked.
- open_clearing: orders whose money has fully moved (paid, and nothing left payable to any of
  their vendors: all transferred or refunded) with a clearing account that is not zero.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import VendorOrder
from marketplace.payouts.journal import COMMISSION, TAX_PAYABLE
from marketplace.payouts.models import LedgerAccount, LedgerEntry, LedgerTransaction

__all__ = ["LedgerReport", "verify"]

_VENDOR = re.compile(r"^vendor:(\d+):(payable|balance|receivable|in_payout)$")
_CLEARING = re.compile(r"^order:(\d+):clearing$")


@dataclass
class LedgerReport:
    """Counts of each kind of problem, and a sentence per problem for whoever investigates."""

    entries: int = 0
    unbalanced: int = 0
    mismatched_balances: int = 0
    open_clearing: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.unbalanced or self.mismatched_balances or self.open_clearing)

    def summary(self) -> str:
        return (
            f"entries={self.entries} unbalanced={self.unbalanced} "
            f"mismatched_balances={self.mismatched_balances} open_clearing={self.open_clearing}"
        )


def verify() -> LedgerReport:
    """Check the whole ledger; read-only."""
    report = LedgerReport(entries=db.session.scalar(select(func.count(LedgerTransaction.id))) or 0)
    for problem in _unbalanced():
        report.unbalanced += 1
        report.problems.append(problem)
    for problem in [*_vendor_account_problems(), *_split_problems()]:
        report.mismatched_balances += 1
        report.problems.append(problem)
    for problem in _open_clearing():
        report.open_clearing += 1
        report.problems.append(problem)
    return report


def _unbalanced() -> list[str]:
    sums = db.session.execute(
        select(LedgerEntry.transaction_id, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
        .group_by(LedgerEntry.transaction_id, LedgerEntry.currency)
        .having(func.sum(LedgerEntry.amount_minor) != 0)
    ).all()
    thin = db.session.execute(
        select(LedgerTransaction.id, func.count(LedgerEntry.id))
        .outerjoin(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .group_by(LedgerTransaction.id)
        .having(func.count(LedgerEntry.id) < 2)
    ).all()
    problems: dict[int, str] = {}
    for transaction_id, currency, total in sums:
        problems.setdefault(
            transaction_id, f"transaction {transaction_id} is off by {total} {currency}"
        )
    for transaction_id, count in thin:
        problems.setdefault(transaction_id, f"transaction {transaction_id} has {count} postings")
    references = dict(
        db.session.execute(
            select(LedgerTransaction.id, LedgerTransaction.reference).where(
                LedgerTransaction.id.in_(problems)
            )
        ).all()
    )
    return [f"{text} ({references.get(i)})" for i, text in sorted(problems.items())]


def _vendor_account_problems() -> list[str]:
    """Each vendor account's balance read two ways, its postings' currency, owner and side."""
    accounts = {
        a.id: a
        for a in db.session.scalars(
            select(LedgerAccount).where(LedgerAccount.code.like("vendor:%"))
        )
    }
    if not accounts:
        return []
    by_sql = dict(
        db.session.execute(
            select(LedgerEntry.account_id, func.sum(LedgerEntry.amount_minor))
            .where(LedgerEntry.account_id.in_(accounts))
            .group_by(LedgerEntry.account_id)
        ).all()
    )
    by_entry: dict[int, int] = defaultdict(int)
    foreign: dict[int, int] = defaultdict(int)
    rows = db.session.execute(
        select(LedgerEntry.account_id, LedgerEntry.amount_minor, LedgerEntry.currency).where(
            LedgerEntry.account_id.in_(accounts)
        )
    )
    for account_id, amount, currency in rows:
        by_entry[account_id] += amount
        if currency != accounts[account_id].currency:
            foreign[account_id] += 1
    problems = []
    for account_id, acct in sorted(accounts.items()):
        label = f"{acct.code} {acct.currency}"
        balance = int(by_sql.get(account_id) or 0)
        match = _VENDOR.match(acct.code)
        if balance != by_entry.get(account_id, 0):
            problems.append(f"{label}: sum {balance} but postings add up to {by_entry[account_id]}")
        elif foreign.get(account_id):
            problems.append(f"{label}: {foreign[account_id]} postings in another currency")
        elif match is None or int(match.group(1)) != acct.vendor_id:
            problems.append(f"{label}: belongs to vendor {acct.vendor_id}")
        elif (balance < 0) if match.group(2) == "receivable" else (balance > 0):
            problems.append(f"{label}: on the wrong side ({balance})")
    return problems


def _split_problems() -> list[str]:
    """Each booked order split against its vendor orders' net, commission and tax."""
    rows = db.session.execute(
        select(LedgerTransaction.order_id, LedgerAccount.code, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerTransaction.kind == "order_split", LedgerTransaction.order_id.is_not(None))
        .group_by(LedgerTransaction.order_id, LedgerAccount.code)
    ).all()
    booked: dict[int, dict[str, int]] = defaultdict(dict)
    for order_id, code, total in rows:
        booked[order_id][code] = -int(total)
    if not booked:
        return []
    expected: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for vo in db.session.scalars(select(VendorOrder).where(VendorOrder.order_id.in_(booked))):
        figures = expected[vo.order_id]
        figures[f"vendor:{vo.vendor_id}:payable"] += vo.vendor_net_minor
        figures[COMMISSION] += vo.commission_minor
        figures[TAX_PAYABLE] += vo.tax_minor
    problems = []
    for order_id, credits in sorted(booked.items()):
        for code, amount in sorted(expected[order_id].items()):
            if credits.get(code, 0) != amount:
                problems.append(
                    f"order {order_id}: {code} credited {credits.get(code, 0)}, order says {amount}"
                )
    return problems


def _open_clearing() -> list[str]:
    """Clearing accounts left non-zero on orders whose money has fully moved."""
    rows = db.session.execute(
        select(LedgerAccount.code, LedgerAccount.currency, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.code.like("order:%:clearing"))
        .group_by(LedgerAccount.code, LedgerAccount.currency)
        .having(func.sum(LedgerEntry.amount_minor) != 0)
    ).all()
    open_by_order = {
        int(m.group(1)): (currency, int(total))
        for code, currency, total in rows
        if (m := _CLEARING.match(code))
    }
    if not open_by_order:
        return []
    paid = set(
        db.session.scalars(
            select(LedgerTransaction.order_id).where(
                LedgerTransaction.kind == "payment",
                LedgerTransaction.order_id.in_(open_by_order),
            )
        )
    )
    payable = db.session.execute(
        select(LedgerTransaction.order_id, LedgerAccount.code, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
        .where(
            LedgerTransaction.order_id.in_(open_by_order),
            LedgerAccount.code.like("vendor:%:payable"),
        )
        .group_by(LedgerTransaction.order_id, LedgerAccount.code)
        .having(func.sum(LedgerEntry.amount_minor) != 0)
    ).all()
    still_owed = {order_id for order_id, _, _ in payable}
    return [
        f"order {order_id}: clearing holds {-total} {currency} after its money moved"
        for order_id, (currency, total) in sorted(open_by_order.items())
        if order_id in paid and order_id not in still_owed
    ]
