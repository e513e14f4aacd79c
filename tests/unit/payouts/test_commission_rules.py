"""Commission: most specific rule wins, half-even once per vendor order, fee, cap, words."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.payouts.commission import (
    RULE_IN_WORDS,
    CommissionError,
    commission_for,
    describe_terms,
    quote_commission,
    remove_commission_rule,
    round_half_even,
    set_commission_rule,
    vendor_commission_terms,
)
from marketplace.payouts.models import CommissionRule


@pytest.mark.parametrize(
    ("numerator", "denominator", "rounded"),
    [
        (5, 10, 0),  # 0.5 → 0 (even)
        (15, 10, 2),  # 1.5 → 2
        (25, 10, 2),  # 2.5 → 2
        (35, 10, 4),  # 3.5 → 4
        (251, 100, 3),  # 2.51 → 3
        (249, 100, 2),  # 2.49 → 2
        (-25, 10, -2),  # -2.5 → -2
        (-35, 10, -4),  # -3.5 → -4
        (7, 1, 7),
        (0, 3, 0),
    ],
)
def test_round_half_even(numerator, denominator, rounded):
    assert round_half_even(numerator, denominator) == rounded


def test_round_half_even_needs_a_positive_denominator():
    with pytest.raises(ValueError):
        round_half_even(1, 0)


def test_no_rule_means_no_commission(app, make_vendor):
    vendor = make_vendor()
    assert commission_for(vendor.id, [(None, 10_000)], "USD") == 0


def test_default_rate_plus_fixed_fee(app, make_vendor):
    set_commission_rule(1000, 30)
    vendor = make_vendor()
    assert commission_for(vendor.id, [(None, 10_000)], "USD") == 1030


@pytest.mark.parametrize(
    ("subtotal", "expected"),
    [
        (125, 12),  # 12.5 → 12 (even)
        (135, 14),  # 13.5 → 14 (even)
        (145, 14),  # 14.5 → 14
        (155, 16),  # 15.5 → 16
        (126, 13),  # 12.6 → 13
    ],
)
def test_percentage_rounds_half_to_even(app, make_vendor, subtotal, expected):
    set_commission_rule(1000)
    assert commission_for(make_vendor().id, [(None, subtotal)], "USD") == expected


def test_rounding_is_once_per_vendor_order_not_per_line(app, make_vendor):
    set_commission_rule(1000)
    vendor = make_vendor()
    # Each 0.5 would round to 0 on its own; together 1.5 rounds to 2.
    assert commission_for(vendor.id, [(None, 5), (None, 5), (None, 5)], "USD") == 2


def test_category_rule_beats_the_default_and_the_nearest_ancestor_wins(
    app, make_vendor, make_category
):
    root = make_category()
    child = make_category(parent=root)
    grandchild = make_category(parent=child)
    other = make_category()
    set_commission_rule(1000)
    set_commission_rule(1500, category_id=root.id)
    set_commission_rule(2000, category_id=child.id)
    vendor = make_vendor()
    assert commission_for(vendor.id, [(grandchild.id, 10_000)], "USD") == 2000
    assert commission_for(vendor.id, [(child.id, 10_000)], "USD") == 2000
    assert commission_for(vendor.id, [(root.id, 10_000)], "USD") == 1500
    assert commission_for(vendor.id, [(other.id, 10_000)], "USD") == 1000
    assert commission_for(vendor.id, [(None, 10_000)], "USD") == 1000


def test_vendor_rule_beats_category_rules(app, make_vendor, make_category):
    category = make_category()
    set_commission_rule(1000)
    set_commission_rule(2000, category_id=category.id)
    vendor, other = make_vendor(), make_vendor()
    set_commission_rule(500, 10, vendor_id=vendor.id)
    assert commission_for(vendor.id, [(category.id, 10_000)], "USD") == 510
    assert commission_for(other.id, [(category.id, 10_000)], "USD") == 2000


def test_mixed_categories_use_each_lines_rate_and_the_highest_fixed_fee_once(
    app, make_vendor, make_category
):
    books, toys = make_category(), make_category()
    set_commission_rule(1000, 30)
    set_commission_rule(500, 50, category_id=books.id)
    quote = quote_commission(make_vendor().id, [(books.id, 1000), (toys.id, 1000)], "USD")
    assert quote.percentage_minor == 50 + 100
    assert quote.fixed_minor == 50
    assert quote.amount_minor == 200
    assert {t.scope for t in quote.terms} == {"category", "default"}


def test_commission_never_exceeds_the_items_total(app, make_vendor):
    set_commission_rule(2000, 300)
    quote = quote_commission(make_vendor().id, [(None, 250)], "USD")
    assert quote.amount_minor == 250
    assert quote.capped
    assert commission_for(make_vendor().id, [], "USD") == 0
    assert commission_for(make_vendor().id, [(None, 0)], "USD") == 0


def test_fixed_fee_only_in_the_marketplace_currency(app, make_vendor):
    set_commission_rule(1000, 30)
    vendor = make_vendor()
    assert commission_for(vendor.id, [(None, 10_000)], "EUR") == 1000
    assert commission_for(vendor.id, [(None, 10_000)], "USD") == 1030


def test_negative_or_fractional_line_totals_are_refused(app, make_vendor):
    vendor = make_vendor()
    with pytest.raises(CommissionError):
        commission_for(vendor.id, [(None, -1)], "USD")
    with pytest.raises(CommissionError):
        commission_for(vendor.id, [(None, 1.5)], "USD")


def test_setting_a_rule_again_changes_it_and_removing_falls_back(app, make_vendor):
    vendor = make_vendor()
    set_commission_rule(1000)
    set_commission_rule(700, vendor_id=vendor.id)
    set_commission_rule(800, vendor_id=vendor.id)
    assert db.session.query(CommissionRule).count() == 2
    assert commission_for(vendor.id, [(None, 1000)], "USD") == 80
    assert remove_commission_rule(vendor_id=vendor.id)
    assert not remove_commission_rule(vendor_id=vendor.id)
    assert commission_for(vendor.id, [(None, 1000)], "USD") == 100


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((10_001,), {}),
        ((-1,), {}),
        ((100, -5), {}),
        ((10.5,), {}),
        ((100,), {"category_id": 1, "vendor_id": 1}),
    ],
)
def test_invalid_rules_are_refused(app, args, kwargs):
    with pytest.raises(CommissionError):
        set_commission_rule(*args, **kwargs)


def test_the_table_holds_one_rule_per_scope(app, make_vendor):
    db.session.add(CommissionRule(rate_bps=1000))
    db.session.flush()
    db.session.add(CommissionRule(rate_bps=900))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    vendor = make_vendor()
    db.session.add(CommissionRule(rate_bps=100, vendor_id=vendor.id, scope="default"))
    with pytest.raises(IntegrityError, match="scope_matches"):
        db.session.flush()
    db.session.rollback()


def test_rules_in_words_for_vendors(app, make_vendor, make_category):
    set_commission_rule(1000, 30)
    jewelry = make_category(name="Jewelry")
    set_commission_rule(1250, category_id=jewelry.id)
    vendor, special = make_vendor(), make_vendor()
    set_commission_rule(875, 0, vendor_id=special.id)
    assert vendor_commission_terms(vendor.id) == [
        "Jewelry (and its subcategories without a rule of their own): 12.5% of the items.",
        "Everything else: 10% of the items plus $0.30 per order.",
        RULE_IN_WORDS,
    ]
    assert vendor_commission_terms(special.id)[0] == "Your shop's rate: 8.75% of the items."
    quote = quote_commission(vendor.id, [(None, 100)], "USD")
    assert describe_terms(quote.terms[0]) == "10% of the items plus $0.30 per order"
    assert (
        "halves going to the even cent" in RULE_IN_WORDS
        and "never more than the items" in RULE_IN_WORDS
    )
