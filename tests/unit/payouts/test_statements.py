"""Statements: opening + movements = closing, every kind of movement, periods, CSV, and the
admin's reconciliation with commission revenue and fees."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.payments import connect
from marketplace.payments.gateway import get_gateway
from marketplace.payouts.balances import vendor_balances
from marketplace.payouts.exports import statement_csv
from marketplace.payouts.runs import run_payouts
from marketplace.payouts.statements import month_period, reconcile, vendor_statement
from marketplace.web import major_units
from tests.unit.payouts import payouts_support as support

LONG_AGO = utcnow() - timedelta(days=400)
LATER = utcnow() + timedelta(days=1)


@pytest.fixture
def history(market):
    """An order paid, delivered, released and paid out; a second one refunded after payout."""
    first = support.paid_order(market)
    support.deliver(first, utcnow() - support.AFTER_RELEASE)
    run_payouts()
    payout = support.payouts()[0]
    event = get_gateway().issue_event(
        "payout.paid",
        {"id": payout.gateway_reference, "object": "payout"},
        account=payout.destination,
    )
    connect.handle_gateway_event(event)
    db.session.commit()
    second = support.paid_order(market, (2, 0))
    support.refund_all(support.vendor_order_of(first, market.vendors[0]))
    return first, second


def test_opening_plus_movements_is_closing_and_closing_is_what_is_owed(market, history):
    shop = market.vendors[0]
    statement = vendor_statement(shop.id, LONG_AGO, LATER, "USD")

    assert statement.opening_minor == 0
    assert statement.closing_minor == statement.opening_minor + sum(
        line.amount_minor for line in statement.lines
    )
    assert statement.closing_minor == vendor_balances(shop.id, "USD").total


def test_every_kind_of_movement_is_listed(market, history):
    first, second = history
    shop = market.vendors[0]
    statement = vendor_statement(shop.id, LONG_AGO, LATER, "USD")

    kinds = [line.kind for line in statement.lines]
    for kind in (
        "sale",
        "commission",
        "release",
        "payout_sent",
        "payout",
        "refund",
        "commission_returned",
    ):
        assert kind in kinds
    part = support.vendor_order_of(first, shop)
    assert statement.total("sale") == sum(
        vo.subtotal_minor + vo.shipping_minor
        for vo in (part, support.vendor_order_of(second, shop))
    )
    refund_line = next(line for line in statement.lines if line.kind == "refund")
    assert "owed to the marketplace" in refund_line.note  # paid out already: the reversal failed


def test_a_period_split_in_two_adds_up(market, history):
    shop = market.vendors[0]
    middle = utcnow() - timedelta(hours=0)
    whole = vendor_statement(shop.id, LONG_AGO, LATER, "USD")
    before = vendor_statement(shop.id, LONG_AGO, middle, "USD")
    after = vendor_statement(shop.id, middle, LATER, "USD")

    assert before.closing_minor == after.opening_minor
    assert after.closing_minor == whole.closing_minor


def test_a_statement_is_scoped_to_its_vendor(market, history):
    other = market.vendors[1]
    statement = vendor_statement(other.id, LONG_AGO, LATER, "USD")

    assert all(line.kind != "refund" for line in statement.lines)


def test_the_csv_has_the_opening_every_line_and_the_closing(market, history):
    statement = vendor_statement(market.vendors[0].id, LONG_AGO, LATER, "USD")

    rows = list(csv.reader(io.StringIO(statement_csv(statement))))

    assert rows[0][:6] == ["date", "kind", "description", "order", "reference", "amount"]
    assert rows[1][1] == "opening" and rows[-1][1] == "closing"
    assert len(rows) == len(statement.lines) + 3
    assert rows[-1][5] == major_units(statement.closing_minor, "USD")


def test_months_are_half_open_utc_periods():
    start, end = month_period(2030, 12)
    assert (start.isoformat(), end.isoformat()) == (
        "2030-12-01T00:00:00+00:00",
        "2031-01-01T00:00:00+00:00",
    )


def test_the_reconciliation_matches_commission_revenue_to_the_statements(market, history):
    report = reconcile(LONG_AGO, LATER, "USD")

    assert report.difference_minor == 0
    assert report.commission_revenue_minor == report.commission_from_statements_minor
    assert report.commission_booked_minor > report.commission_returned_minor > 0
    assert report.gateway_fees_minor > 0
    assert {v.vendor_id for v in report.vendors} == {v.id for v in market.vendors}
    for summary in report.vendors:
        assert summary.closing_minor == vendor_balances(summary.vendor_id, "USD").total
