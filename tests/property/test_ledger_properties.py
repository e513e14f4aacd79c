"""Property tests: random carts, commission rules and refund sequences keep the books right.

For each generated case: the ledger balances per currency and `verify()` finds nothing; what
the buyer paid equals vendor nets + commission + tax still held + refunds, both as the ledger
says and as the order and refund records say; clearing accounts stay at zero; nothing that must
not be negative is. Each case runs in one database transaction rolled back afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.payments.models import Refund
from marketplace.payouts import ledger
from marketplace.payouts.commission import commission_for, set_commission_rule
from marketplace.payouts.models import LedgerAccount, LedgerEntry, LedgerTransaction, Transfer
from marketplace.payouts.refunds import (
    RefundError,
    allocate_vendor_share,
    plan_refund,
    refund_history,
)
from tests import factories
from tests.unit.payouts.ledger_builders import (
    Line,
    Part,
    build_order,
    goodwill_refund,
    pay,
    refund_from_plan,
    transfer,
)

FAST = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

rates = st.tuples(st.integers(0, 10_000), st.integers(0, 500))
lines = st.tuples(
    st.integers(0, 20_000),  # unit price
    st.integers(1, 5),  # quantity
    st.sampled_from([None, 0, 1, 2, 3]),  # category (index into the tree below)
    st.integers(0, 2_500),  # tax rate, basis points
)
vendor_parts = st.tuples(
    st.lists(lines, min_size=1, max_size=3),
    st.integers(0, 1_500),  # shipping
    st.integers(0, 2_500),  # shipping tax rate
    st.none() | rates,  # the vendor's own commission rule
)
carts = st.tuples(
    st.sampled_from(["USD", "EUR", "JPY"]),
    st.lists(vendor_parts, min_size=1, max_size=3),
    st.integers(0, 400),  # gateway fee
)
steps = st.tuples(
    st.sampled_from(["transfer", "lines", "shipping", "whole", "goodwill"]),
    st.integers(0, 9),  # which order
    st.integers(0, 9),  # which vendor order
    st.lists(st.tuples(st.integers(0, 9), st.integers(1, 5)), min_size=1, max_size=3),
    st.sampled_from(["return", "keep"]),
    st.booleans(),  # the reversal succeeds
    st.integers(1, 5_000),  # goodwill amount
)


@dataclass
class Case:
    order: object
    payment: object
    fee: int


def _tax(amount: int, rate_bps: int) -> int:
    return (amount * rate_bps + 5_000) // 10_000


def _categories() -> list[int]:
    """root ← child ← grandchild, and another root."""
    root = factories.CategoryFactory()
    child = factories.CategoryFactory(parent=root)
    grandchild = factories.CategoryFactory(parent=child)
    return [root.id, child.id, grandchild.id, factories.CategoryFactory().id]


def _place(cart, categories) -> Case:
    currency, parts, fee = cart
    built = []
    for part_lines, shipping, shipping_rate, own_rule in parts:
        vendor = factories.VendorFactory()
        if own_rule is not None:
            set_commission_rule(*own_rule, vendor_id=vendor.id)
        order_lines = [
            Line(price, qty, _tax(price * qty, rate), None if c is None else categories[c])
            for price, qty, c, rate in part_lines
        ]
        items = [(line.category_id, line.unit_price_minor * line.quantity) for line in order_lines]
        commission = commission_for(vendor.id, items, currency)
        assert 0 <= commission <= sum(total for _, total in items)
        built.append(
            Part(vendor.id, order_lines, commission, shipping, _tax(shipping, shipping_rate))
        )
    order = build_order(built, currency)
    assume(order.grand_total_minor > 0)  # nothing to pay, nothing to book
    payment = pay(order)
    ledger.book_order_paid(order, payment)
    fee = min(fee, payment.amount_minor)
    ledger.book_gateway_fee(payment, fee)
    return Case(order, payment, fee)


def _refund(case: Case, vendor_order, plan, reversal_ok: bool) -> None:
    refund = refund_from_plan(case.payment, plan)
    ledger.book_refund(refund, plan.commission_returned_minor, reversal_ok)
    event(f"refund ({plan.policy}, reversal {'needed' if plan.reversal_minor else 'none'})")
    if plan.reversal_minor and not reversal_ok:
        event("failed reversal → receivable")


def _run_step(case: Case, step) -> None:
    kind, _, vo_index, wanted, policy, reversal_ok, goodwill = step
    vendor_orders = case.order.vendor_orders
    vendor_order = vendor_orders[vo_index % len(vendor_orders)]
    if kind == "transfer":
        payable = ledger.vendor_order_payable(vendor_order)
        has_one = db.session.scalar(
            select(Transfer.id).where(Transfer.vendor_order_id == vendor_order.id)
        )
        if payable > 0 and has_one is None:
            ledger.book_transfer(transfer(vendor_order, payable))
            event("transfer")
        return
    if kind == "goodwill":
        history = refund_history(vendor_order)
        left = vendor_order.subtotal_minor + vendor_order.shipping_minor - history.goods_minor
        amount = min(goodwill, left)
        if amount > 0:
            refund = goodwill_refund(case.payment, vendor_order, amount)
            share = allocate_vendor_share(vendor_order, amount, reversal_succeeded=True)
            refund.reversal_minor = share.from_balance
            ledger.book_refund(refund, 0, reversal_ok)
            event("goodwill refund")
        return
    quantities = None
    if kind == "lines":
        history = refund_history(vendor_order)
        quantities = {}
        for line_index, quantity in wanted:
            line = vendor_order.lines[line_index % len(vendor_order.lines)]
            left = line.quantity - history.quantities[line.id] - quantities.get(line.id, 0)
            if min(quantity, left) > 0:
                quantities[line.id] = quantities.get(line.id, 0) + min(quantity, left)
        if not quantities:
            return
    try:
        plan = plan_refund(
            vendor_order, quantities, shipping=True if kind == "shipping" else None, policy=policy
        )
    except RefundError:
        return  # nothing left to refund there: refused before any money moved
    assert plan.amount_minor > 0
    assert min(plan.items_minor, plan.shipping_minor, plan.tax_minor) >= 0
    assert 0 <= plan.commission_returned_minor <= plan.items_minor
    _refund(case, vendor_order, plan, reversal_ok)


def _order_sums(order_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(LedgerAccount.code, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.order_id == order_id)
        .group_by(LedgerAccount.code)
    ).all()
    return defaultdict(int, {code: int(total) for code, total in rows})


def _check_books(case: Case) -> None:
    report = ledger.verify()
    assert report.ok, report.problems
    order, paid = case.order, case.payment.amount_minor
    sums = _order_sums(order.id)
    refunds = list(db.session.scalars(select(Refund).where(Refund.payment_id == case.payment.id)))
    refunded = sum(r.amount_minor for r in refunds)
    assert all(r.amount_minor > 0 for r in refunds)
    assert refunded <= paid
    assert sums[ledger.clearing_code(order.id)] == 0
    assert sums[ledger.CASH] == paid - case.fee - refunded
    assert sums[ledger.GATEWAY_FEES] == case.fee
    commission_held, tax_held = -sums[ledger.COMMISSION], -sums[ledger.TAX_PAYABLE]
    assert commission_held >= 0 and tax_held >= 0
    vendor_nets = 0
    for vendor_order in order.vendor_orders:
        position = ledger.order_vendor_position(
            order.id, vendor_order.vendor_id, vendor_order.currency
        )
        assert min(position.payable, position.balance, position.receivable) >= 0
        own = [r for r in refunds if r.vendor_order_id == vendor_order.id]
        given_back = sum(r.amount_minor - r.tax_minor - r.commission_returned_minor for r in own)
        net = position.payable + position.balance - position.receivable
        # The ledger agrees with the order and refund records.
        assert net == vendor_order.vendor_net_minor - given_back
        total = vendor_order.subtotal_minor + vendor_order.shipping_minor + vendor_order.tax_minor
        assert sum(r.amount_minor for r in own) <= total
        assert sum(r.tax_minor for r in own) <= vendor_order.tax_minor
        assert sum(r.commission_returned_minor for r in own) <= vendor_order.commission_minor
        vendor_nets += net
    assert commission_held == sum(v.commission_minor for v in order.vendor_orders) - sum(
        r.commission_returned_minor for r in refunds
    )
    assert tax_held == order.tax_total_minor - sum(r.tax_minor for r in refunds)
    # What the buyer paid, accounted for to the cent.
    assert paid == order.grand_total_minor
    assert paid == vendor_nets + commission_held + tax_held + refunded


@FAST
@given(
    orders=st.integers(1, 2),
    data=st.data(),
    default=st.none() | rates,
    category_rules=st.dictionaries(st.integers(0, 3), rates, max_size=3),
)
def test_random_carts_and_refunds_keep_the_books(app, orders, data, default, category_rules):
    try:
        categories = _categories()
        if default is not None:
            set_commission_rule(*default)
        for index, rule in category_rules.items():
            set_commission_rule(*rule, category_id=categories[index])
        cases = [_place(data.draw(carts, label="cart"), categories) for _ in range(orders)]
        for case in cases:
            _check_books(case)
        for step in data.draw(st.lists(steps, max_size=8), label="steps"):
            case = cases[step[1] % len(cases)]
            _run_step(case, step)
            _check_books(case)
        for case in cases:  # refund everything that is left: all of it goes back
            for vendor_order in case.order.vendor_orders:
                _run_step(
                    case,
                    (
                        "whole",
                        0,
                        case.order.vendor_orders.index(vendor_order),
                        [],
                        "return",
                        True,
                        0,
                    ),
                )
            _check_books(case)
            assert (
                sum(
                    r.amount_minor
                    for r in db.session.scalars(
                        select(Refund).where(Refund.payment_id == case.payment.id)
                    )
                )
                == case.payment.amount_minor
            )
            assert _order_sums(case.order.id)[ledger.TAX_PAYABLE] == 0
    finally:
        db.session.rollback()


@FAST
@given(
    default=st.none() | rates,
    category_rules=st.dictionaries(st.integers(0, 3), rates, max_size=4),
    vendor_rule=st.none() | rates,
    items=st.lists(
        st.tuples(st.sampled_from([None, 0, 1, 2, 3]), st.integers(0, 50_000)), max_size=6
    ),
    currency=st.sampled_from(["USD", "EUR"]),
)
def test_commission_is_the_stated_rule(app, default, category_rules, vendor_rule, items, currency):
    try:
        categories = _categories()
        parents = {0: [0], 1: [1, 0], 2: [2, 1, 0], 3: [3]}
        if default is not None:
            set_commission_rule(*default)
        for index, rule in category_rules.items():
            set_commission_rule(*rule, category_id=categories[index])
        vendor = factories.VendorFactory()
        if vendor_rule is not None:
            set_commission_rule(*vendor_rule, vendor_id=vendor.id)
        lines = [(None if c is None else categories[c], total) for c, total in items]
        applied = []
        for c, _ in items:
            nearest = next(
                (category_rules[i] for i in parents.get(c, []) if i in category_rules), None
            )
            applied.append(vendor_rule or nearest or default or (0, 0))
        # The oracle: exact fraction, Python's round() (half to even), fee once, capped.
        exact = sum(
            Fraction(total * rate, 10_000)
            for (_, total), (rate, _) in zip(items, applied, strict=True)
        )
        fee = max((f for _, f in applied), default=0) if currency == "USD" else 0
        expected = min(round(exact) + fee, sum(total for _, total in items))
        assert commission_for(vendor.id, lines, currency) == expected
    finally:
        db.session.rollback()
