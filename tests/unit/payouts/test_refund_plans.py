"""Planning refunds: tax and commission in pieces add up exactly; never more than is left."""

from __future__ import annotations

import pytest

from marketplace.payouts import ledger
from marketplace.payouts.refunds import RefundError, plan_refund, refund_commission_policy
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
def paid_vendor_order(app, make_vendor):
    """3 x 3.33 with 1.00 tax on the line (thirds!), 4.99 shipping taxed 0.41, commission 1.30."""
    vendor = make_vendor()
    order = build_order(
        [
            Part(
                vendor.id,
                [Line(333, 3, tax_minor=100)],
                130,
                shipping_minor=499,
                shipping_tax_minor=41,
            )
        ]
    )
    payment = pay(order)
    ledger.book_order_paid(order, payment)
    return order.vendor_orders[0], payment


def _book(payment, plan, reversal_succeeded=True):
    refund = refund_from_plan(payment, plan)
    ledger.book_refund(refund, plan.commission_returned_minor, reversal_succeeded)
    return refund


def test_refunding_a_line_unit_by_unit_returns_exactly_its_tax_and_commission(paid_vendor_order):
    vendor_order, payment = paid_vendor_order
    line = vendor_order.lines[0]
    plans = []
    for _ in range(3):
        plan = plan_refund(vendor_order, {line.id: 1}, policy="return")
        _book(payment, plan)
        plans.append(plan)
    # 100/3 = 33.33…: cumulative half-even shares 33, 67, 100 → 33, 34, 33.
    assert [p.tax_minor for p in plans] == [33, 34, 33]
    # 130 x 333/999 = 43.33…, x 666/999 = 86.67 → 43, 87, 130 → 43, 44, 43.
    assert [p.commission_returned_minor for p in plans] == [43, 44, 43]
    assert sum(p.items_minor for p in plans) == 999
    shipping = plan_refund(vendor_order, shipping=True, policy="return")
    assert (shipping.shipping_minor, shipping.tax_minor, shipping.commission_returned_minor) == (
        499,
        41,
        0,
    )
    _book(payment, shipping)
    with pytest.raises(RefundError, match="nothing left"):
        plan_refund(vendor_order, policy="return")
    assert ledger.account_balance(ledger.TAX_PAYABLE, "USD") == 0
    assert ledger.account_balance(ledger.COMMISSION, "USD") == 0
    assert ledger.vendor_order_payable(vendor_order) == 0


def test_a_whole_refund_returns_what_the_buyer_paid(paid_vendor_order):
    vendor_order, payment = paid_vendor_order
    plan = plan_refund(vendor_order, policy="return")
    assert plan.amount_minor == payment.amount_minor == 999 + 499 + 141
    assert plan.commission_returned_minor == 130
    assert plan.vendor_share_minor == vendor_order.vendor_net_minor
    assert [entry["quantity"] for entry in plan.lines] == [3]


def test_after_part_of_the_order_the_rest_is_what_is_left(paid_vendor_order):
    vendor_order, payment = paid_vendor_order
    line = vendor_order.lines[0]
    first = plan_refund(vendor_order, {line.id: 2}, policy="return")
    _book(payment, first)
    rest = plan_refund(vendor_order, policy="return")
    assert first.amount_minor + rest.amount_minor == payment.amount_minor
    assert rest.lines == (
        {"line_id": line.id, "quantity": 1, "amount_minor": 333, "tax_minor": 33},
    )


def test_keep_policy_returns_no_commission(paid_vendor_order):
    vendor_order, _ = paid_vendor_order
    plan = plan_refund(vendor_order, policy="keep")
    assert plan.commission_returned_minor == 0
    assert plan.vendor_share_minor == 999 + 499


def test_the_policy_comes_from_the_configuration(app_factory, app):
    assert refund_commission_policy() == "return"
    with app_factory(REFUND_COMMISSION_POLICY="keep").app_context():
        assert refund_commission_policy() == "keep"
    with (
        app_factory(REFUND_COMMISSION_POLICY="sometimes").app_context(),
        pytest.raises(RefundError, match="REFUND_COMMISSION_POLICY"),
    ):
        refund_commission_policy()


def test_goodwill_refunds_count_against_what_is_left(paid_vendor_order):
    vendor_order, payment = paid_vendor_order
    ledger.book_refund(goodwill_refund(payment, vendor_order, 1000), 0, True)
    plan = plan_refund(vendor_order, policy="return")
    assert plan.items_minor + plan.shipping_minor == 999 + 499 - 1000
    assert plan.tax_minor == 141
    _book(payment, plan)
    assert ledger.vendor_order_payable(vendor_order) == 0


@pytest.mark.parametrize(
    ("quantities", "message"),
    [(None, "not part"), (0, "at least one"), (4, "Only 3")],
)
def test_impossible_line_refunds_are_refused(paid_vendor_order, quantities, message):
    vendor_order, _ = paid_vendor_order
    line_id = vendor_order.lines[0].id
    wanted = {999_999: 1} if quantities is None else {line_id: quantities}
    with pytest.raises(RefundError, match=message):
        plan_refund(vendor_order, wanted, policy="return")


def test_shipping_cannot_be_refunded_twice(paid_vendor_order):
    vendor_order, payment = paid_vendor_order
    _book(payment, plan_refund(vendor_order, shipping=True, policy="return"))
    with pytest.raises(RefundError, match="already refunded"):
        plan_refund(vendor_order, shipping=True, policy="return")


def test_plan_says_how_much_to_reverse(paid_vendor_order):
    vendor_order, _ = paid_vendor_order
    ledger.book_transfer(transfer(vendor_order, vendor_order.vendor_net_minor))
    plan = plan_refund(vendor_order, {vendor_order.lines[0].id: 1}, policy="return")
    assert plan.reversal_minor == plan.vendor_share_minor == 333 - 43
    assert plan.share.from_payable == 0
