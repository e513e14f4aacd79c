"""A vendor's money as the vendor sees it, read from the ledger only (never a stored total).

- pending: paid by buyers, not released yet (`vendor:<id>:payable`);
- available: released to the vendor's connected account and free to pay out: its balance
  (`vendor:<id>:balance`) less what the vendor owes, which is recovered before anything is paid;
- in_payout: payouts sent to the bank, not yet confirmed (`vendor:<id>:in_payout`);
- paid_out: payouts the bank confirmed (the `payout_paid` postings on `in_payout`, less the
  `payout_returned` ones of payouts the bank sent back);
- receivable: what the vendor owes the platform (refunds after release that could not be
  reversed), as a negative amount: 0 or less (`vendor:<id>:receivable`). It is kept back from
  the vendor's next earnings when they are released, and a payout never touches the part of
  the balance that covers it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.payouts.models import LedgerAccount, LedgerEntry, LedgerTransaction

__all__ = ["VendorBalances", "balances_by_vendor", "vendor_balances"]

# Postings on `in_payout` that move money to (or, sent back, from) the vendor's bank.
PAID_OUT_KINDS = ("payout_paid", "payout_returned")


@dataclass(frozen=True)
class VendorBalances:
    """One vendor's money in one currency, in minor units (see the module docstring)."""

    vendor_id: int
    currency: str
    pending: int = 0
    balance: int = 0  # in the connected account, not yet paid out (available + covering owed)
    in_payout: int = 0
    paid_out: int = 0
    owed: int = 0  # what the vendor owes, as a positive amount

    @property
    def receivable(self) -> int:
        """What the vendor owes the platform, as a negative amount (0 when nothing)."""
        return -self.owed

    @property
    def available(self) -> int:
        """What a payout may pay now: the balance once what the vendor owes is covered."""
        return max(self.balance - self.owed, 0)

    @property
    def total(self) -> int:
        """Everything the marketplace still owes the vendor, net of what the vendor owes."""
        return self.pending + self.balance + self.in_payout - self.owed


def balances_by_vendor(
    vendor_ids: Iterable[int] | None = None, *, currency: str | None = None
) -> dict[tuple[int, str], VendorBalances]:
    """Balances of many vendors at once, keyed by (vendor id, currency): two grouped queries,
    whatever the number of vendors. Vendors with no postings are left out."""
    sums = (
        select(
            LedgerAccount.vendor_id,
            LedgerAccount.code,
            LedgerAccount.currency,
            func.sum(LedgerEntry.amount_minor),
        )
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.vendor_id.is_not(None))
        .group_by(LedgerAccount.vendor_id, LedgerAccount.code, LedgerAccount.currency)
    )
    paid = (
        select(LedgerAccount.vendor_id, LedgerAccount.currency, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            LedgerAccount.code.like("vendor:%:in_payout"),
            LedgerTransaction.kind.in_(PAID_OUT_KINDS),
        )
        .group_by(LedgerAccount.vendor_id, LedgerAccount.currency)
    )
    if vendor_ids is not None:
        ids = list(vendor_ids)
        sums = sums.where(LedgerAccount.vendor_id.in_(ids))
        paid = paid.where(LedgerAccount.vendor_id.in_(ids))
    if currency is not None:
        sums = sums.where(LedgerAccount.currency == currency)
        paid = paid.where(LedgerAccount.currency == currency)
    figures: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for vendor_id, code, cur, total in db.session.execute(sums):
        figures[(vendor_id, cur)][code.rsplit(":", 1)[1]] += int(total or 0)
    for vendor_id, cur, total in db.session.execute(paid):
        figures[(vendor_id, cur)]["paid_out"] += int(total or 0)
    return {
        key: VendorBalances(
            vendor_id=key[0],
            currency=key[1],
            pending=-sums_of.get("payable", 0),
            balance=-sums_of.get("balance", 0),
            in_payout=-sums_of.get("in_payout", 0),
            paid_out=sums_of.get("paid_out", 0),
            owed=sums_of.get("receivable", 0),
        )
        for key, sums_of in figures.items()
    }


def vendor_balances(vendor_id: int, currency: str) -> VendorBalances:
    """One vendor's balances in one currency (all zero for a vendor with no postings)."""
    found = balances_by_vendor([vendor_id], currency=currency)
    return found.get((vendor_id, currency), VendorBalances(vendor_id, currency))
