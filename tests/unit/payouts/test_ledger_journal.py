"""The journal: balanced, idempotent transactions on accounts opened on first use."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.payouts.journal import (
    CASH,
    COMMISSION,
    LedgerError,
    Posting,
    UnbalancedTransaction,
    account,
    account_balance,
    post,
    vendor_balance,
    vendor_code,
    vendor_position,
)
from marketplace.payouts.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_balanced_transaction_is_booked_with_its_entries(app):
    booked = post(
        "test:1",
        "test",
        "Cash for commission",
        [Posting(CASH, 500, "USD"), Posting(COMMISSION, -500, "USD")],
    )
    assert [(e.account.code, e.amount_minor) for e in booked.entries] == [
        (CASH, 500),
        (COMMISSION, -500),
    ]
    assert account_balance(CASH, "USD") == 500
    assert account_balance(COMMISSION, "USD") == -500


def test_posting_the_same_reference_again_returns_it_and_changes_nothing(app):
    postings = [Posting(CASH, 500, "USD"), Posting(COMMISSION, -500, "USD")]
    first = post("test:same", "test", "once", postings)
    again = post(
        "test:same", "test", "twice", [Posting(CASH, 900, "USD"), Posting(COMMISSION, -900, "USD")]
    )
    assert again.id == first.id
    assert _count(LedgerTransaction) == 1
    assert _count(LedgerEntry) == 2
    assert account_balance(CASH, "USD") == 500


def test_an_unbalanced_transaction_is_refused_and_nothing_is_written(app):
    with pytest.raises(UnbalancedTransaction, match=r"\+1 USD"):
        post(
            "test:bad",
            "test",
            "off by one",
            [Posting(CASH, 501, "USD"), Posting(COMMISSION, -500, "USD")],
        )
    assert _count(LedgerTransaction) == 0
    assert _count(LedgerAccount) == 0


def test_balance_is_checked_per_currency(app):
    with pytest.raises(UnbalancedTransaction):
        post(
            "test:fx",
            "test",
            "mixed",
            [Posting(CASH, 500, "USD"), Posting(COMMISSION, -500, "EUR")],
        )
    booked = post(
        "test:two",
        "test",
        "two currencies, each balanced",
        [
            Posting(CASH, 500, "USD"),
            Posting(COMMISSION, -500, "USD"),
            Posting(CASH, 700, "EUR"),
            Posting(COMMISSION, -700, "EUR"),
        ],
    )
    assert len(booked.entries) == 4
    assert account_balance(CASH, "EUR") == 700
    assert account_balance(CASH, "USD") == 500


@pytest.mark.parametrize(
    ("postings", "message"),
    [
        ([Posting(CASH, 0, "USD"), Posting(COMMISSION, 0, "USD")], "zero"),
        ([Posting(CASH, 1.5, "USD"), Posting(COMMISSION, -1.5, "USD")], "integers"),
        ([Posting(CASH, True, "USD"), Posting(COMMISSION, -1, "USD")], "integers"),
        ([Posting(CASH, 5, "usd"), Posting(COMMISSION, -5, "usd")], "ISO"),
        ([Posting(CASH, 5, "USD")], "two postings"),
        ([Posting("platform:misc", 5, "USD"), Posting(CASH, -5, "USD")], "Unknown ledger account"),
    ],
)
def test_bad_postings_are_refused(app, postings, message):
    with pytest.raises(LedgerError, match=message):
        post("test:refused", "test", "refused", postings)
    assert _count(LedgerTransaction) == 0


def test_accounts_are_opened_once_per_code_and_currency_with_kind_and_vendor(app, make_vendor):
    vendor = make_vendor()
    payable = account(vendor_code(vendor.id, "payable"), "USD")
    assert (payable.kind, payable.vendor_id) == (AccountKind.LIABILITY, vendor.id)
    assert account(vendor_code(vendor.id, "payable"), "USD").id == payable.id
    assert account(vendor_code(vendor.id, "payable"), "EUR").id != payable.id
    assert account(vendor_code(vendor.id, "receivable"), "USD").kind == AccountKind.ASSET
    assert account("order:7:clearing", "USD").kind == AccountKind.LIABILITY
    assert account(CASH, "USD").vendor_id is None


def test_vendor_balance_and_position_are_read_from_postings(app, make_vendor):
    vendor = make_vendor()
    payable, balance = vendor_code(vendor.id, "payable"), vendor_code(vendor.id, "balance")
    post("t:1", "test", "owed", [Posting(CASH, 1000, "USD"), Posting(payable, -1000, "USD")])
    post("t:2", "test", "moved", [Posting(payable, 600, "USD"), Posting(balance, -600, "USD")])
    assert vendor_balance(vendor.id, "USD") == 600
    assert vendor_balance(vendor.id, "EUR") == 0
    position = vendor_position(vendor.id, "USD")
    assert (position.payable, position.balance, position.receivable) == (400, 600, 0)
