"""The bookings the payment services make: order paid, gateway fee, transfer, refund."""

from __future__ import annotations

import pytest

from marketplace.payouts import ledger
from marketplace.payouts.journal import CASH, COMMISSION, GATEWAY_FEES, TAX_PAYABLE
from marketplace.payouts.models import TransferStatus
from marketplace.payouts.refunds import plan_refund
from tests.unit.payouts.ledger_builders import (
    Line,
    Part,
    build_order,
    goodwill_refund,
    pay,
    refund_from_plan,
    transfer,
)


@pytest.fixture
def two_vendor_order(app, make_vendor):
    """Vendor A: 2 x 25.00 + 5.99 shipping, 10% + 0.30 commission; vendor B: 12.00, no fee."""
    a, b = make_vendor(), make_vendor()
    order = build_order(
        [
            Part(
                a.id, [Line(2500, 2, tax_minor=400)], 530, shipping_minor=599, shipping_tax_minor=48
            ),
            Part(b.id, [Line(1200, 1, tax_minor=96)], 120),
        ]
    )
    return order, a, b


def _entries(booked):
    return sorted((e.account.code, e.amount_minor) for e in booked.entries)


def test_order_paid_books_the_payment_into_clearing_and_splits_it(two_vendor_order):
    order, a, b = two_vendor_order
    payment = pay(order)
    captured, split = ledger.book_order_paid(order, payment)
    clearing = f"order:{order.id}:clearing"
    assert order.grand_total_minor == 5000 + 599 + 1200 + 544
    assert _entries(captured) == sorted([(CASH, 7343), (clearing, -7343)])
    assert _entries(split) == sorted(
        [
            (clearing, 7343),
            (f"vendor:{a.id}:payable", -(5000 + 599 - 530)),
            (f"vendor:{b.id}:payable", -(1200 - 120)),
            (COMMISSION, -650),
            (TAX_PAYABLE, -544),
        ]
    )
    assert ledger.account_balance(clearing, "USD") == 0
    assert captured.order_id == split.order_id == order.id


def test_order_paid_twice_books_once(two_vendor_order):
    order, a, _ = two_vendor_order
    payment = pay(order)
    first = ledger.book_order_paid(order, payment)
    again = ledger.book_order_paid(order, payment)
    assert [t.id for t in first] == [t.id for t in again]
    assert ledger.vendor_position(a.id, "USD").payable == 5069


def test_a_payment_that_does_not_match_the_order_stays_in_clearing(two_vendor_order):
    order, _, _ = two_vendor_order
    ledger.book_order_paid(order, pay(order, amount_minor=order.grand_total_minor + 100))
    assert ledger.account_balance(f"order:{order.id}:clearing", "USD") == -100


def test_a_payment_of_another_order_or_currency_is_refused(two_vendor_order, app):
    order, a, _ = two_vendor_order
    other = build_order([Part(a.id, [Line(100)])])
    with pytest.raises(ledger.LedgerError):
        ledger.book_order_paid(order, pay(other))
    payment = pay(order)
    payment.currency = "EUR"
    with pytest.raises(ledger.LedgerError):
        ledger.book_order_paid(order, payment)


def test_gateway_fee_comes_out_of_platform_cash(two_vendor_order):
    order, _, _ = two_vendor_order
    payment = pay(order)
    ledger.book_order_paid(order, payment)
    fee = ledger.book_gateway_fee(payment, 243)
    assert _entries(fee) == sorted([(GATEWAY_FEES, 243), (CASH, -243)])
    assert ledger.book_gateway_fee(payment, 243).id == fee.id
    assert ledger.book_gateway_fee(payment, 0) is None
    with pytest.raises(ledger.LedgerError):
        ledger.book_gateway_fee(payment, -1)
    assert ledger.account_balance(CASH, "USD") == order.grand_total_minor - 243


def test_transfer_moves_the_payable_to_the_vendors_balance(two_vendor_order):
    order, a, _ = two_vendor_order
    ledger.book_order_paid(order, pay(order))
    vendor_order = order.vendor_orders[0]
    assert ledger.vendor_order_payable(vendor_order) == 5069
    made = transfer(vendor_order, 5069)
    booked = ledger.book_transfer(made)
    assert _entries(booked) == sorted(
        [(f"vendor:{a.id}:payable", 5069), (f"vendor:{a.id}:balance", -5069)]
    )
    assert ledger.book_transfer(made).id == booked.id
    assert ledger.vendor_balance(a.id, "USD") == 5069
    assert ledger.vendor_order_payable(vendor_order) == 0


def test_a_transfer_larger_than_what_is_payable_or_not_made_is_refused(two_vendor_order):
    order, _, _ = two_vendor_order
    ledger.book_order_paid(order, pay(order))
    vendor_order = order.vendor_orders[0]
    with pytest.raises(ledger.LedgerError, match="exceeds"):
        ledger.book_transfer(transfer(vendor_order, 5070))
    pending = transfer(order.vendor_orders[1], 1080, status=TransferStatus.PENDING)
    with pytest.raises(ledger.LedgerError, match="gateway has made"):
        ledger.book_transfer(pending)


def test_refund_before_transfer_comes_out_of_payable(two_vendor_order):
    order, a, _ = two_vendor_order
    payment = pay(order)
    ledger.book_order_paid(order, payment)
    vendor_order = order.vendor_orders[0]
    plan = plan_refund(vendor_order, {vendor_order.lines[0].id: 1}, policy="return")
    # Half the items: half the commission (530 x 2500 / 5000 = 265), fee included.
    assert (plan.items_minor, plan.tax_minor, plan.commission_returned_minor) == (2500, 200, 265)
    booked = ledger.book_refund(refund_from_plan(payment, plan), 265, reversal_succeeded=True)
    assert _entries(booked) == sorted(
        [
            (CASH, -2700),
            (TAX_PAYABLE, 200),
            (COMMISSION, 265),
            (f"vendor:{a.id}:payable", 2235),
        ]
    )
    assert ledger.vendor_order_payable(vendor_order) == 5069 - 2235


def test_refund_after_transfer_reverses_it(two_vendor_order):
    order, a, _ = two_vendor_order
    payment = pay(order)
    ledger.book_order_paid(order, payment)
    vendor_order = order.vendor_orders[0]
    ledger.book_transfer(transfer(vendor_order, 5069))
    plan = plan_refund(vendor_order, policy="return")
    assert plan.amount_minor == 5000 + 599 + 448
    assert plan.reversal_minor == 5069
    refund = refund_from_plan(payment, plan)
    booked = ledger.book_refund(refund, plan.commission_returned_minor, reversal_succeeded=True)
    assert _entries(booked) == sorted(
        [(CASH, -6047), (TAX_PAYABLE, 448), (COMMISSION, 530), (f"vendor:{a.id}:balance", 5069)]
    )
    assert ledger.vendor_balance(a.id, "USD") == 0
    assert ledger.book_refund(refund, 530, reversal_succeeded=True).id == booked.id


def test_a_failed_reversal_becomes_a_vendor_receivable(two_vendor_order):
    order, a, _ = two_vendor_order
    payment = pay(order)
    ledger.book_order_paid(order, payment)
    vendor_order = order.vendor_orders[0]
    ledger.book_transfer(transfer(vendor_order, 5069))
    plan = plan_refund(vendor_order, policy="return")
    ledger.book_refund(refund_from_plan(payment, plan), 530, reversal_succeeded=False)
    position = ledger.vendor_position(a.id, "USD")
    assert (position.payable, position.balance, position.receivable) == (0, 5069, 5069)
    assert ledger.account_balance(CASH, "USD") == order.grand_total_minor - 6047


def test_kept_commission_is_borne_by_the_vendor(two_vendor_order):
    order, a, _ = two_vendor_order
    payment = pay(order)
    ledger.book_order_paid(order, payment)
    vendor_order = order.vendor_orders[0]
    ledger.book_transfer(transfer(vendor_order, 5069))
    plan = plan_refund(vendor_order, policy="keep")
    assert plan.commission_returned_minor == 0
    assert plan.vendor_share_minor == 5599
    booked = ledger.book_refund(refund_from_plan(payment, plan), 0, reversal_succeeded=True)
    # The transfer gives back all it can; the commission kept is owed by the vendor.
    assert _entries(booked) == sorted(
        [
            (CASH, -6047),
            (TAX_PAYABLE, 448),
            (f"vendor:{a.id}:balance", 5069),
            (f"vendor:{a.id}:receivable", 530),
        ]
    )
    assert ledger.account_balance(COMMISSION, "USD") == -650


def test_a_refund_must_match_its_record_and_what_is_left(two_vendor_order):
    order, _, _ = two_vendor_order
    payment = pay(order)
    ledger.book_order_paid(order, payment)
    vendor_order = order.vendor_orders[1]
    plan = plan_refund(vendor_order, policy="return")
    refund = refund_from_plan(payment, plan)
    with pytest.raises(ledger.RefundError, match="disagrees"):
        ledger.book_refund(refund, plan.commission_returned_minor + 1, reversal_succeeded=True)
    ledger.book_refund(refund, plan.commission_returned_minor, reversal_succeeded=True)
    with pytest.raises(ledger.RefundError, match="more than is left"):
        ledger.book_refund(goodwill_refund(payment, vendor_order, 1), 0, reversal_succeeded=True)
    unsplit = build_order([Part(vendor_order.vendor_id, [Line(100)])])
    with pytest.raises(ledger.RefundError, match="not been booked"):
        ledger.book_refund(goodwill_refund(pay(unsplit), unsplit.vendor_orders[0], 50), 0, True)


def test_a_goodwill_refund_comes_from_the_vendor_without_tax_or_commission(two_vendor_order):
    order, _, b = two_vendor_order
    payment = pay(order)
    ledger.book_order_paid(order, payment)
    booked = ledger.book_refund(goodwill_refund(payment, order.vendor_orders[1], 300), 0, True)
    assert _entries(booked) == sorted([(CASH, -300), (f"vendor:{b.id}:payable", 300)])
