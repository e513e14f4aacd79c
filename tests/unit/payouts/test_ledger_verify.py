"""`verify()` and `flask ledger verify`: a clean ledger passes, each kind of damage is reported."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from marketplace.extensions import db
from marketplace.orders.models import VendorOrder
from marketplace.payouts import ledger
from marketplace.payouts.journal import CASH, Posting, vendor_code
from marketplace.payouts.models import LedgerAccount, LedgerEntry
from marketplace.payouts.refunds import plan_refund
from tests.unit.payouts.ledger_builders import (
    Line,
    Part,
    build_order,
    pay,
    refund_from_plan,
    transfer,
)


@pytest.fixture
def books(app, make_vendor):
    """A paid, transferred, partly refunded order and a paid order not yet transferred."""
    a, b = make_vendor(), make_vendor()
    first = build_order(
        [Part(a.id, [Line(2000, 2, tax_minor=320)], 430, shipping_minor=500, shipping_tax_minor=40)]
    )
    payment = pay(first)
    ledger.book_order_paid(first, payment)
    ledger.book_gateway_fee(payment, 150)
    vendor_order = first.vendor_orders[0]
    ledger.book_transfer(transfer(vendor_order, vendor_order.vendor_net_minor))
    plan = plan_refund(vendor_order, {vendor_order.lines[0].id: 1}, policy="return")
    ledger.book_refund(refund_from_plan(payment, plan), plan.commission_returned_minor, True)
    second = build_order([Part(b.id, [Line(1500)], 150), Part(a.id, [Line(700)], 70)])
    ledger.book_order_paid(second, pay(second))
    db.session.commit()
    return {"first": first, "second": second, "a": a, "b": b}


def _entry(code: str) -> LedgerEntry:
    query = select(LedgerEntry).join(LedgerAccount).where(LedgerAccount.code == code)
    return db.session.scalars(query.order_by(LedgerEntry.id)).first()


def test_a_clean_ledger_verifies(books):
    report = ledger.verify()
    assert report.ok, report.problems
    assert report.summary() == "entries=7 unbalanced=0 mismatched_balances=0 open_clearing=0"


def test_an_empty_ledger_verifies(app):
    assert (
        ledger.verify().summary() == "entries=0 unbalanced=0 mismatched_balances=0 open_clearing=0"
    )


def test_a_tampered_amount_is_reported_unbalanced(books):
    entry = _entry(CASH)
    db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.id == entry.id)
        .values(amount_minor=entry.amount_minor + 1)
    )
    report = ledger.verify()
    assert report.unbalanced == 1
    assert "payment:" in report.problems[0] and "off by 1 USD" in report.problems[0]
    assert not report.ok


def test_a_tampered_vendor_posting_is_reported_unbalanced_and_mismatched(books):
    entry = _entry(vendor_code(books["b"].id, "payable"))
    db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.id == entry.id)
        .values(amount_minor=entry.amount_minor - 5)
    )
    report = ledger.verify()
    assert (report.unbalanced, report.mismatched_balances) == (1, 1)
    assert any("order says 1350" in p for p in report.problems)


def test_a_vendor_order_changed_after_booking_is_reported(books):
    vendor_order = books["second"].vendor_orders[0]
    db.session.execute(
        update(VendorOrder)
        .where(VendorOrder.id == vendor_order.id)
        .values(commission_minor=100, vendor_net_minor=1400)
    )
    report = ledger.verify()
    assert report.unbalanced == 0
    # Its payable and the order's commission both disagree with the booked split.
    assert report.mismatched_balances == 2


def test_a_posting_in_another_currency_on_a_vendor_account_is_reported(books):
    entry = _entry(vendor_code(books["a"].id, "balance"))
    db.session.execute(update(LedgerEntry).where(LedgerEntry.id == entry.id).values(currency="EUR"))
    report = ledger.verify()
    assert report.mismatched_balances == 1
    assert report.unbalanced == 1
    assert any("another currency" in p for p in report.problems)


def test_a_vendor_account_on_the_wrong_side_is_reported(books):
    vendor_id = books["b"].id
    ledger.post(
        "test:overdrawn",
        "test",
        "more taken from the balance than it holds",
        [Posting(vendor_code(vendor_id, "balance"), 10, "USD"), Posting(CASH, -10, "USD")],
    )
    report = ledger.verify()
    assert report.mismatched_balances == 1
    assert "wrong side" in report.problems[0]


def test_money_left_in_clearing_after_it_moved_is_reported(books):
    order = books["first"]
    ledger.book_order_paid(order, pay(order, amount_minor=50))  # a second payment, never returned
    report = ledger.verify()
    assert report.open_clearing == 1
    assert f"order {order.id}: clearing holds 50 USD" in report.problems[0]


def test_clearing_is_not_judged_before_the_money_has_moved(books):
    order = books["second"]
    ledger.book_order_paid(order, pay(order, amount_minor=10))
    assert ledger.verify().open_clearing == 0
    for vendor_order in order.vendor_orders:
        ledger.book_transfer(transfer(vendor_order, vendor_order.vendor_net_minor))
    assert ledger.verify().open_clearing == 1


def test_cli_prints_the_summary_and_exits_zero_when_clean(books, app):
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "entries=7 unbalanced=0 mismatched_balances=0 open_clearing=0\n"


def test_cli_exits_non_zero_and_explains_on_a_problem(books, app):
    entry = _entry(CASH)
    db.session.execute(update(LedgerEntry).where(LedgerEntry.id == entry.id).values(amount_minor=1))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert result.stdout.startswith("entries=7 unbalanced=1 mismatched_balances=0 open_clearing=0")
    assert "off by" in result.stderr
