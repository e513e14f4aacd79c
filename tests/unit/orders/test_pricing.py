"""Pricing a checkout: shipping per vendor and country, tax by destination, stated rounding."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.orders import pricing
from marketplace.orders.addresses import Address
from marketplace.orders.exceptions import InvalidShippingChoice, ShippingUnavailable
from marketplace.orders.models import ShippingRate, TaxRate
from marketplace.payouts.commission import set_commission_rule


def _line(vendor_id: int, price: int, quantity: int = 1, **fields) -> pricing.LineInput:
    values = {
        "vendor_id": vendor_id,
        "vendor_name": f"Shop {vendor_id}",
        "variant_id": fields.pop("variant_id", price),
        "product_id": 1,
        "category_id": fields.pop("category_id", 1),
        "title": "Mug",
        "variant_name": "Default",
        "sku": "SKU-1",
        "unit_price_minor": price,
        "quantity": quantity,
    }
    values.update(fields)
    return pricing.LineInput(**values)


def _address(country: str = "US", region: str = "OR") -> Address:
    return Address(name="A B", line1="1 Main St", city="Town", region=region, country=country)


def _rate(vendor, country, name="Standard", rate=500, free_over=None, currency="USD"):
    row = ShippingRate(
        vendor_id=vendor.id,
        country=country,
        name=name,
        rate_minor=rate,
        free_over_minor=free_over,
        currency=currency,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (0, 10_000, 0),
        (4999, 10_000, 0),
        (5000, 10_000, 1),
        (15_000, 10_000, 2),
        (24_999, 10_000, 2),
    ],
)
def test_round_half_up_is_exact(numerator, denominator, expected):
    assert pricing.round_half_up(numerator, denominator) == expected


def test_tax_on_rounds_each_amount_half_up():
    assert pricing.tax_on(1000, 825) == 83  # 82.5 → 83
    assert pricing.tax_on(1001, 825) == 83  # 82.58 → 83
    assert pricing.tax_on(999, 825) == 82  # 82.41 → 82
    assert pricing.tax_on(0, 825) == 0


def test_a_vendor_without_rates_ships_at_the_marketplace_standard_rate(app, make_vendor):
    vendor = make_vendor()

    below = pricing.quote([_line(vendor.id, 2000)], "USD", _address())
    above = pricing.quote([_line(vendor.id, 8000)], "USD", _address())

    assert below.vendors[0].shipping.name == pricing.DEFAULT_SHIPPING_NAME
    assert below.vendors[0].shipping_minor == pricing.DEFAULT_SHIPPING_RATE_MINOR
    assert above.vendors[0].shipping_minor == 0


def test_the_countrys_own_rates_beat_the_any_other_country_rate(app, make_vendor):
    vendor = make_vendor()
    _rate(vendor, "*", rate=2500)
    _rate(vendor, "US", "Standard", rate=600)
    _rate(vendor, "US", "Express", rate=1800)

    us = pricing.quote([_line(vendor.id, 1000)], "USD", _address("US"))
    france = pricing.quote([_line(vendor.id, 1000)], "USD", _address("FR", ""))

    assert [o.name for o in us.vendors[0].options] == ["Standard", "Express"]
    assert us.vendors[0].shipping_minor == 600  # the cheapest unless chosen
    assert [o.amount_minor for o in france.vendors[0].options] == [2500]


def test_a_chosen_option_is_used_and_an_unknown_one_refused(app, make_vendor):
    vendor = make_vendor()
    _rate(vendor, "US", "Standard", rate=600)
    express = _rate(vendor, "US", "Express", rate=1800)

    quote = pricing.quote(
        [_line(vendor.id, 1000)], "USD", _address(), {vendor.id: f"rate:{express.id}"}
    )
    assert quote.vendors[0].shipping_minor == 1800

    with pytest.raises(InvalidShippingChoice):
        pricing.quote([_line(vendor.id, 1000)], "USD", _address(), {vendor.id: "rate:999999"})


def test_free_shipping_starts_at_the_threshold(app, make_vendor):
    vendor = make_vendor()
    _rate(vendor, "US", rate=700, free_over=5000)

    below = pricing.quote([_line(vendor.id, 4999)], "USD", _address())
    at = pricing.quote([_line(vendor.id, 2500, 2)], "USD", _address())

    assert below.vendors[0].shipping_minor == 700
    assert at.vendors[0].shipping_minor == 0
    assert at.vendors[0].shipping.is_free


def test_a_vendor_that_does_not_ship_there_is_named(app, make_vendor):
    vendor = make_vendor(display_name="Kiln & Co")
    _rate(vendor, "US", rate=700)

    with pytest.raises(ShippingUnavailable) as caught:
        pricing.quote([_line(vendor.id, 1000, vendor_name="Kiln & Co")], "USD", _address("CA"))

    assert "Kiln & Co doesn't ship to Canada" in caught.value.message


def test_rates_in_another_currency_do_not_apply(app, make_vendor):
    vendor = make_vendor()
    _rate(vendor, "US", rate=700, currency="EUR")

    with pytest.raises(ShippingUnavailable):
        pricing.quote([_line(vendor.id, 1000)], "USD", _address())


def test_a_regions_rate_beats_its_countrys(app, make_vendor):
    vendor = make_vendor()
    db.session.add_all(
        [
            TaxRate(country="US", region="", name="Sales tax", rate_bps=500),
            TaxRate(country="US", region="WA", name="Washington sales tax", rate_bps=1025),
        ]
    )
    db.session.flush()

    oregon = pricing.quote([_line(vendor.id, 1000)], "USD", _address("US", "OR"))
    washington = pricing.quote([_line(vendor.id, 1000)], "USD", _address("US", "wa"))
    nowhere = pricing.quote([_line(vendor.id, 1000)], "USD", _address("GB", ""))

    assert (oregon.tax_rate_bps, oregon.tax_name) == (500, "Sales tax")
    assert (washington.tax_rate_bps, washington.tax_name) == (1025, "Washington sales tax")
    assert (nowhere.tax_rate_bps, nowhere.tax_total_minor) == (0, 0)


def test_tax_is_charged_per_line_and_on_shipping_each_rounded_half_up(app, make_vendor):
    vendor = make_vendor()
    _rate(vendor, "US", rate=599)
    db.session.add(TaxRate(country="US", region="", name="Sales tax", rate_bps=825))
    db.session.flush()
    lines = [_line(vendor.id, 1000, variant_id=1), _line(vendor.id, 333, 3, variant_id=2)]

    part = pricing.quote(lines, "USD", _address()).vendors[0]

    assert [line.tax_minor for line in part.lines] == [83, 82]  # 82.5 → 83; 82.4175 → 82
    assert part.shipping_tax_minor == 49  # 49.4175 → 49
    assert part.tax_minor == 83 + 82 + 49
    assert part.total_minor == 1000 + 999 + 599 + 214


def test_commission_comes_from_the_payouts_rules_and_net_adds_up(app, make_vendor):
    vendor = make_vendor()
    set_commission_rule(1000, 30)  # the marketplace default: 10% + 30 cents
    _rate(vendor, "US", rate=500)

    part = pricing.quote([_line(vendor.id, 1234, 2)], "USD", _address()).vendors[0]

    assert part.commission_minor == 247 + 30  # 246.8 → 247, then the fixed fee
    assert part.vendor_net_minor == 2468 + 500 - 277


def test_a_three_vendor_quote_reconciles_exactly(app, make_vendor):
    set_commission_rule(1250, 35)
    vendors = [make_vendor() for _ in range(3)]
    for index, vendor in enumerate(vendors):
        _rate(vendor, "US", rate=399 + index, free_over=6000)
    db.session.add(TaxRate(country="US", region="", name="Sales tax", rate_bps=725))
    db.session.flush()
    lines = [
        _line(vendors[0].id, 1999, 3, variant_id=1),
        _line(vendors[1].id, 4567, 1, variant_id=2),
        _line(vendors[1].id, 5, 7, variant_id=3),
        _line(vendors[2].id, 12_345, 2, variant_id=4),
    ]

    quote = pricing.quote(lines, "USD", _address())

    assert quote.reconciles()
    assert quote.grand_total_minor == sum(v.total_minor for v in quote.vendors)
    assert quote.grand_total_minor == (
        sum(v.vendor_net_minor for v in quote.vendors)
        + quote.commission_total_minor
        + quote.tax_total_minor
    )
    assert [v.vendor_id for v in quote.vendors] == [v.id for v in vendors]
