"""`flask fulfilment enforce`: reminders once, overdue orders cancelled, refunded and struck."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.fulfilment import enforce
from marketplace.models_base import utcnow
from marketplace.orders.models import VendorOrder, VendorOrderStatus
from marketplace.payments.models import Refund
from marketplace.vendors.models import Vendor, VendorEvent
from tests.unit.fulfilment import support
from tests.unit.payments import payments_support


def _due_in(vendor_order: VendorOrder, delta: timedelta) -> None:
    vendor_order.ship_by = utcnow() + delta
    db.session.commit()


def test_a_shop_is_reminded_once_of_an_order_due_soon(order):
    first, second = support.part_of(order, 0), support.part_of(order, 1)
    _due_in(first, timedelta(hours=6))
    _due_in(second, timedelta(days=5))  # not due soon

    result = enforce.run_enforcement()
    again = enforce.run_enforcement()

    assert (result.reminded, again.reminded) == (1, 0)
    (mail,) = support.emails("fulfilment_ship_reminder")
    assert mail.to_address == first.vendor.contact_email
    assert support.part_of(order, 0).ship_reminder_sent_at is not None
    assert support.part_of(order, 1).ship_reminder_sent_at is None


def test_an_order_past_the_deadline_is_cancelled_refunded_and_the_shop_struck(order):
    late = support.part_of(order, 0)
    total = late.subtotal_minor + late.shipping_minor + late.tax_minor
    _due_in(late, -timedelta(days=3, minutes=1))
    _due_in(support.part_of(order, 1), -timedelta(days=2))  # late, but not yet cancelled

    result = enforce.run_enforcement()

    assert result.summary() == f"reminded=1 cancelled=1 refunded_minor={total}"
    cancelled = support.part_of(order, 0)
    assert cancelled.status == VendorOrderStatus.CANCELLED
    assert "did not ship it within 3 days" in cancelled.cancel_reason
    refund = db.session.scalars(select(Refund)).one()
    assert (refund.amount_minor, refund.created_by_id) == (total, None)
    vendor = support.fresh(Vendor, cancelled.vendor_id)
    assert vendor.strikes == 1
    strike = db.session.scalars(select(VendorEvent).where(VendorEvent.kind == "strike")).one()
    assert order.number in strike.reason
    assert support.part_of(order, 1).status == VendorOrderStatus.PAID
    payments_support.ledger_is_sound()

    assert enforce.run_enforcement().summary() == "reminded=0 cancelled=0 refunded_minor=0"


def test_a_partly_shipped_overdue_order_loses_only_what_is_left(order):
    vendor_order = support.part_of(order, 0)
    support.accept(vendor_order)
    support.ship(support.part_of(order, 0), {vendor_order.lines[0].id: 1})
    _due_in(support.part_of(order, 0), -timedelta(days=4))

    result = enforce.run_enforcement()

    assert result.cancelled == 1
    assert result.refunded_minor == 2 * 2700  # two units and their tax, no shipping
    assert support.part_of(order, 0).status == VendorOrderStatus.SHIPPED


def test_the_command_ends_with_the_summary_line(app, order):
    _due_in(support.part_of(order, 0), -timedelta(days=10))
    vendor_order = support.part_of(order, 0)
    total = vendor_order.subtotal_minor + vendor_order.shipping_minor + vendor_order.tax_minor

    result = app.test_cli_runner().invoke(args=["fulfilment", "enforce"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"reminded=0 cancelled=1 refunded_minor={total}"
