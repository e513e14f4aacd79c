"""The `money` filter: integer minor units shown the way buyers read prices."""

from __future__ import annotations

import pytest
from flask import render_template_string

from marketplace.web import format_money, major_units, minor_unit_exponent


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [
        (1250, "USD", "$12.50"),
        (0, "USD", "$0.00"),
        (5, "USD", "$0.05"),
        (-500, "USD", "-$5.00"),
        (123456789, "EUR", "€1,234,567.89"),
        (999, "GBP", "£9.99"),
        (1500, "JPY", "¥1,500"),
        (-1500, "JPY", "-¥1,500"),
        (1234, "KWD", "KWD 1.234"),
        (1250, "CHF", "CHF 12.50"),
        (1250, "usd", "$12.50"),
    ],
)
def test_format_money(minor, currency, expected):
    assert format_money(minor, currency) == expected


def test_missing_amount_renders_as_nothing():
    assert format_money(None) == ""


def test_minor_unit_exponents():
    assert [minor_unit_exponent(c) for c in ("USD", "JPY", "KRW", "BHD")] == [2, 0, 0, 3]


def test_money_filter_is_available_to_templates(app):
    with app.test_request_context():
        rendered = render_template_string("{{ 1250 | money }} {{ 300 | money('JPY') }}")
    assert rendered == "$12.50 ¥300"


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [(1250, "USD", "12.50"), (-5, "USD", "-0.05"), (500, "JPY", "500"), (1234, "KWD", "1.234")],
)
def test_major_units_is_a_plain_exact_number(minor, currency, expected):
    assert major_units(minor, currency) == expected


def test_major_units_of_no_amount_is_empty():
    assert major_units(None, "USD") == ""
