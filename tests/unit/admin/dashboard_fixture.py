"""A small marketplace history whose dashboard figures were worked out by hand.

The range under test is 1 to 3 March 2025 (UTC). Rows just outside it (28 Feb 23:59:59, 4 Mar
00:00), unpaid orders, failed refunds and another currency are there to be left out.

Per day, USD minor units, by hand (avg = GMV / orders, rounded half to even):

| day        | GMV   | orders | avg             | commission      | refunds  | buyers | vendors |
|------------|-------|--------|-----------------|-----------------|----------|--------|---------|
| 2025-03-01 | 15001 | 2      | 7500.5 -> 7500  | 800 + 500       | 0        | 0      | 1       |
| 2025-03-02 | 0     | 0      | none            | -100 (returned) | 2000 (1) | 2      | 0       |
| 2025-03-03 | 2500  | 1      | 2500            | 250             | 300 (1)  | 0      | 1       |
| total      | 17501 | 3      | 5833.67 -> 5834 | 1450            | 2300 (2) | 2      | 2       |
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments.models import Refund, RefundStatus
from marketplace.payouts import journal
from marketplace.payouts.journal import COMMISSION, Posting
from tests import factories
from tests.unit.payouts.ledger_builders import Line, Part, build_order, pay

START, END = date(2025, 3, 1), date(2025, 3, 3)
CASH = "platform:cash"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _paid_order(vendor_id: int, amount: int, paid_at: str, currency: str = "USD") -> Order:
    order = build_order([Part(vendor_id, [Line(amount)])], currency=currency)
    order.status = OrderStatus.PAID
    order.paid_at = at(paid_at)
    return order


def _commission(reference: str, amount: int, booked_at: str) -> None:
    """Commission earned (amount > 0) or given back (amount < 0), booked at `booked_at`."""
    booked = journal.post(
        reference,
        "test_commission",
        "commission",
        [Posting(COMMISSION, -amount, "USD"), Posting(CASH, amount, "USD")],
    )
    booked.created_at = at(booked_at)


def _refund(order: Order, amount: int, made_at: str, status=RefundStatus.SUCCEEDED) -> None:
    payment = pay(order)
    db.session.add(
        Refund(
            payment_id=payment.id,
            vendor_order_id=order.vendor_orders[0].id,
            amount_minor=amount,
            currency=order.currency,
            reason="test",
            lines=[],
            status=status,
            idempotency_key=f"refund:dash:{order.id}:{amount}:{made_at}",
            created_at=at(made_at),
        )
    )


def build_history() -> None:
    """Write the history described in the module docstring (the caller commits)."""
    seller = factories.VendorFactory()
    o1 = _paid_order(seller.id, 10_000, "2025-03-01 10:00:00")
    _paid_order(seller.id, 5_001, "2025-03-01 23:59:59")
    o3 = _paid_order(seller.id, 2_500, "2025-03-03 00:00:00")
    _paid_order(seller.id, 99_999, "2025-02-28 23:59:59")  # the day before
    _paid_order(seller.id, 3_000, "2025-03-04 00:00:00")  # the day after
    _paid_order(seller.id, 7_000, "2025-03-02 12:00:00", currency="EUR")  # another currency
    unpaid = build_order([Part(seller.id, [Line(4_000)])])
    unpaid.created_at = at("2025-03-02 09:00:00")

    _commission("dash:c1", 800, "2025-03-01 10:00:01")
    _commission("dash:c2", 500, "2025-03-01 23:59:59")
    _commission("dash:c3", -100, "2025-03-02 08:00:00")
    _commission("dash:c4", 250, "2025-03-03 00:00:00")
    _commission("dash:c0", 9_999, "2025-02-28 12:00:00")

    _refund(o1, 2_000, "2025-03-02 15:00:00")
    _refund(o3, 300, "2025-03-03 10:00:00")
    _refund(o3, 700, "2025-03-03 11:00:00", status=RefundStatus.FAILED)
    _refund(o1, 5_000, "2025-03-04 10:00:00")

    factories.VendorFactory(approved_at=at("2025-03-01 08:00:00"))
    factories.VendorFactory(approved_at=at("2025-03-03 23:00:00"))
    factories.VendorFactory(approved_at=at("2025-02-28 08:00:00"))
    factories.VendorFactory(status="applied", approved_at=None)

    factories.UserFactory(created_at=at("2025-03-02 01:00:00"))
    factories.UserFactory(created_at=at("2025-03-02 22:00:00"))
    factories.UserFactory(created_at=at("2025-03-02 05:00:00"), is_admin=True)
    factories.VendorFactory(owner=factories.UserFactory(created_at=at("2025-03-02 06:00:00")))
    db.session.flush()


EXPECTED_DAYS = {
    "2025-03-01": {"gmv_minor": 15_001, "orders": 2, "average_order_minor": 7_500,
                   "commission_minor": 1_300, "refunds_minor": 0, "refund_count": 0,
                   "new_buyers": 0, "new_vendors": 1},
    "2025-03-02": {"gmv_minor": 0, "orders": 0, "average_order_minor": None,
                   "commission_minor": -100, "refunds_minor": 2_000, "refund_count": 1,
                   "new_buyers": 2, "new_vendors": 0},
    "2025-03-03": {"gmv_minor": 2_500, "orders": 1, "average_order_minor": 2_500,
                   "commission_minor": 250, "refunds_minor": 300, "refund_count": 1,
                   "new_buyers": 0, "new_vendors": 1},
}  # fmt: skip
EXPECTED_TOTAL = {
    "gmv_minor": 17_501, "orders": 3, "average_order_minor": 5_834, "commission_minor": 1_450,
    "refunds_minor": 2_300, "refund_count": 2, "new_buyers": 2, "new_vendors": 2,
}  # fmt: skip


def as_dict(figures) -> dict:
    names = [*EXPECTED_TOTAL]
    return {name: getattr(figures, name) for name in names}
