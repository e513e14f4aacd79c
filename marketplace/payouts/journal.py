"""The journal: accounts, balanced transactions and balances read from postings.

Amounts are signed integers in minor units: debits positive, credits negative, so every
transaction sums to zero per currency. Credit-normal accounts (liabilities, revenue) therefore
carry negative sums; the readers below turn them into the positive amounts people expect.

Account codes (one account per code and currency):

- `platform:cash` (asset): money held at the gateway for the marketplace: the platform's own
  balance plus vendor money transferred to connected accounts and not yet paid out (the platform
  can still reverse it). The platform's own gateway balance is `platform:cash` minus every
  `vendor:<id>:balance` and `vendor:<id>:in_payout`.
- `platform:gateway_fees` (expense), `platform:commission` (revenue),
  `platform:tax_payable` (liability: tax collected for remittance).
- `order:<id>:clearing` (liability): a buyer's payment on its way to its owners; zero once split.
- `vendor:<id>:payable` (liability): what the platform owes the vendor, not yet transferred.
- `vendor:<id>:balance` (liability): the vendor's money in its connected account, until paid out.
- `vendor:<id>:in_payout` (liability): a payout on its way to the vendor's bank; the gateway's
  `payout.paid` takes it out of `platform:cash`, `payout.failed` puts it back in the balance.
- `vendor:<id>:receivable` (asset): what the vendor owes the platform (a reversal that failed,
  or a kept commission larger than what could be taken back).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.payouts.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)

__all__ = [
    "CASH",
    "COMMISSION",
    "GATEWAY_FEES",
    "TAX_PAYABLE",
    "VENDOR_ACCOUNT_NAMES",
    "LedgerError",
    "Posting",
    "UnbalancedTransaction",
    "VendorPosition",
    "account",
    "account_balance",
    "clearing_code",
    "order_vendor_position",
    "post",
    "transaction",
    "vendor_balance",
    "vendor_code",
    "vendor_position",
]

CASH = "platform:cash"
GATEWAY_FEES = "platform:gateway_fees"
COMMISSION = "platform:commission"
TAX_PAYABLE = "platform:tax_payable"

_PLATFORM_ACCOUNTS = {
    CASH: (AccountKind.ASSET, "Platform cash at the gateway"),
    GATEWAY_FEES: (AccountKind.EXPENSE, "Gateway fees"),
    COMMISSION: (AccountKind.REVENUE, "Commission revenue"),
    TAX_PAYABLE: (AccountKind.LIABILITY, "Tax collected for remittance"),
}
_VENDOR_ACCOUNTS = {
    "payable": (AccountKind.LIABILITY, "payable (not yet transferred)"),
    "balance": (AccountKind.LIABILITY, "balance in its connected account"),
    "receivable": (AccountKind.ASSET, "receivable (owed to the platform)"),
    "in_payout": (AccountKind.LIABILITY, "payouts on their way to the bank"),
}
VENDOR_ACCOUNT_NAMES = tuple(_VENDOR_ACCOUNTS)
_VENDOR_CODE = re.compile(r"^vendor:(\d+):(payable|balance|receivable|in_payout)$")
_CLEARING_CODE = re.compile(r"^order:(\d+):clearing$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class LedgerError(DomainError):
    """A booking the ledger refuses; nothing was written."""

    message = "The ledger refused that booking."


class UnbalancedTransaction(LedgerError):
    """Postings that do not sum to zero in every currency."""


@dataclass(frozen=True)
class Posting:
    """One line of a transaction: a signed amount (debit positive) on an account."""

    account_code: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class VendorPosition:
    """A vendor's accounts in one currency, as positive amounts on their normal side."""

    payable: int
    balance: int
    receivable: int
    in_payout: int = 0


def vendor_code(vendor_id: int, name: str) -> str:
    """`vendor:<id>:payable`, `:balance`, `:receivable` or `:in_payout`."""
    if name not in _VENDOR_ACCOUNTS:
        raise LedgerError(f"Unknown vendor account {name!r}.")
    return f"vendor:{vendor_id}:{name}"


def clearing_code(order_id: int) -> str:
    return f"order:{order_id}:clearing"


def _describe(code: str) -> tuple[str, str, int | None]:
    """(kind, name, vendor id) of an account code; unknown codes are refused."""
    if code in _PLATFORM_ACCOUNTS:
        kind, name = _PLATFORM_ACCOUNTS[code]
        return kind, name, None
    if match := _VENDOR_CODE.match(code):
        kind, label = _VENDOR_ACCOUNTS[match.group(2)]
        vendor_id = int(match.group(1))
        return kind, f"Vendor {vendor_id} {label}", vendor_id
    if match := _CLEARING_CODE.match(code):
        return AccountKind.LIABILITY, f"Order {match.group(1)} clearing", None
    raise LedgerError(f"Unknown ledger account {code!r}.")


def _find_account(code: str, currency: str) -> LedgerAccount | None:
    return db.session.scalar(
        select(LedgerAccount).where(LedgerAccount.code == code, LedgerAccount.currency == currency)
    )


def account(code: str, currency: str) -> LedgerAccount:
    """The account for `code` in `currency`, created (kind, name, vendor) on first use.

    Created inside a savepoint so that two bookings racing to open the same account both end
    up using the one that won.
    """
    _check_currency(currency)
    found = _find_account(code, currency)
    if found is not None:
        return found
    kind, name, vendor_id = _describe(code)
    created = LedgerAccount(
        code=code, currency=currency, kind=kind, name=name[:120], vendor_id=vendor_id
    )
    try:
        with db.session.begin_nested():
            db.session.add(created)
    except IntegrityError:
        found = _find_account(code, currency)
        if found is None:
            raise
        return found
    return created


def _check_currency(currency: str) -> None:
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise LedgerError(f"{currency!r} is not an ISO currency code.")


def _check_postings(postings: Sequence[Posting]) -> None:
    """Refuse what a journal must never hold: zero or non-integer amounts, unbalanced sums."""
    if len(postings) < 2:
        raise UnbalancedTransaction("A transaction needs at least two postings.")
    totals: dict[str, int] = defaultdict(int)
    for posting in postings:
        amount = posting.amount_minor
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise LedgerError(f"Amounts are integers in minor units, not {amount!r}.")
        if amount == 0:
            raise LedgerError(f"A posting of zero on {posting.account_code} is not allowed.")
        _check_currency(posting.currency)
        totals[posting.currency] += amount
    unbalanced = {currency: total for currency, total in totals.items() if total != 0}
    if unbalanced:
        detail = ", ".join(
            f"{total:+d} {currency}" for currency, total in sorted(unbalanced.items())
        )
        raise UnbalancedTransaction(f"Postings do not sum to zero: {detail}.")


def transaction(reference: str) -> LedgerTransaction | None:
    """The transaction booked under `reference`, if any."""
    return db.session.scalar(
        select(LedgerTransaction).where(LedgerTransaction.reference == reference)
    )


def post(
    reference: str,
    kind: str,
    description: str,
    postings: Sequence[Posting],
    *,
    order_id: int | None = None,
) -> LedgerTransaction:
    """Book one balanced transaction under `reference`, once.

    Posting the same reference again returns the transaction already booked and changes
    nothing, so a retried webhook or job cannot book money twice. A transaction that does not
    sum to zero per currency, or holds a zero amount, is refused with nothing written.
    """
    existing = transaction(reference)
    if existing is not None:
        return existing
    _check_postings(postings)
    booked = LedgerTransaction(
        reference=reference, kind=kind, description=description[:200], order_id=order_id
    )
    for posting in postings:
        booked.entries.append(
            LedgerEntry(
                account=account(posting.account_code, posting.currency),
                amount_minor=posting.amount_minor,
                currency=posting.currency,
            )
        )
    try:
        with db.session.begin_nested():
            db.session.add(booked)
    except IntegrityError:
        # Someone else booked the same reference in the meantime: theirs stands.
        existing = transaction(reference)
        if existing is None:
            raise
        return existing
    return booked


def account_balance(code: str, currency: str) -> int:
    """The signed sum of an account's postings (debit positive); 0 for an unused account."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.code == code, LedgerAccount.currency == currency)
    )
    return int(total or 0)


def vendor_balance(vendor_id: int, currency: str) -> int:
    """The vendor's money in its connected account not yet paid out (positive: ours to pay)."""
    return -account_balance(vendor_code(vendor_id, "balance"), currency)


def vendor_position(vendor_id: int, currency: str) -> VendorPosition:
    """Payable, balance, receivable and in payout of a vendor in one currency, from the postings
    (one query)."""
    rows = db.session.execute(
        select(LedgerAccount.code, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.vendor_id == vendor_id, LedgerAccount.currency == currency)
        .group_by(LedgerAccount.code)
    )
    sums = {code: int(total or 0) for code, total in rows}
    return VendorPosition(
        payable=-sums.get(vendor_code(vendor_id, "payable"), 0),
        balance=-sums.get(vendor_code(vendor_id, "balance"), 0),
        receivable=sums.get(vendor_code(vendor_id, "receivable"), 0),
        in_payout=-sums.get(vendor_code(vendor_id, "in_payout"), 0),
    )


def _order_sums(order_id: int, codes: Iterable[str], currency: str) -> dict[str, int]:
    """Signed sums of `codes` over the transactions booked for one order."""
    rows = db.session.execute(
        select(LedgerAccount.code, func.sum(LedgerEntry.amount_minor))
        .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(
            LedgerTransaction.order_id == order_id,
            LedgerAccount.code.in_(list(codes)),
            LedgerAccount.currency == currency,
        )
        .group_by(LedgerAccount.code)
    )
    return {code: int(total) for code, total in rows}


def order_vendor_position(order_id: int, vendor_id: int, currency: str) -> VendorPosition:
    """What one order left on a vendor's accounts: still payable, transferred and not reversed,
    and owed back. An order holds one vendor order per vendor, so this is that vendor order's."""
    names = ("payable", "balance", "receivable")
    sums = _order_sums(order_id, [vendor_code(vendor_id, n) for n in names], currency)
    payable, balance, receivable = (sums.get(vendor_code(vendor_id, n), 0) for n in names)
    return VendorPosition(payable=-payable, balance=-balance, receivable=receivable)
