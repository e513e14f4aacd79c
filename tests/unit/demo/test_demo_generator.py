"""The demo catalogue generator: deterministic, valid against the category rules, and fast."""

from __future__ import annotations

import re
import time
from collections import Counter

from marketplace.demo.departments import DEPARTMENTS, LEAVES
from marketplace.demo.generator import generate_products
from marketplace.demo.people import VENDORS, generate_buyers
from marketplace.demo.taxonomy import (
    LEAF_BY_PATH,
    attribute_vocabulary,
    axis_values,
    category_tree,
    vocabularies,
)


def test_same_seed_gives_the_same_products_and_another_seed_does_not():
    first = list(generate_products(300, seed=11))
    again = list(generate_products(300, seed=11))
    other = list(generate_products(300, seed=12))

    assert first == again
    assert [p.title for p in first] != [p.title for p in other]


def test_category_tree_lists_parents_first_with_unique_slugs_and_paths():
    tree = category_tree()
    seen: set[str] = set()
    for node in tree:
        if node.parent_path is not None:
            assert node.parent_path in seen
            assert node.path == f"{node.parent_path}/{node.slug}"
        seen.add(node.path)

    assert len({n.slug for n in tree}) == len(tree)
    assert len({n.path for n in tree}) == len(tree)
    assert len([n for n in tree if n.parent_path is None]) >= 8
    assert 30 <= len([n for n in tree if n.is_leaf]) <= 40
    assert "electronics/audio/headphones" in seen


def test_every_required_attribute_has_a_vocabulary():
    for path, attributes in vocabularies().items():
        assert attributes, f"{path} has no required attributes"
        for attribute, values in attributes.items():
            assert values, f"{path} cannot fill {attribute!r}"


def test_products_fill_their_category_required_attributes_from_its_vocabulary():
    for product in generate_products(2000, seed=3):
        leaf = LEAF_BY_PATH[product.category_path]
        for attribute in leaf.required:
            value = product.attributes[attribute]
            assert value in attribute_vocabulary(leaf, attribute), (product.title, attribute)


def test_skus_are_unique_per_vendor_and_variant_options_come_from_the_axis():
    skus: Counter[tuple[int, str]] = Counter()
    for product in generate_products(3000, seed=5):
        leaf = LEAF_BY_PATH[product.category_path]
        assert 1 <= len(product.variants) <= 4
        for variant in product.variants:
            skus[(product.vendor_index, variant.sku)] += 1
            (value,) = variant.options.values()
            assert value == variant.name
            assert value in axis_values(leaf)

    assert skus.most_common(1)[0][1] == 1


def test_prices_and_stock_are_realistic():
    products = list(generate_products(3000, seed=9))
    variants = [v for p in products for v in p.variants]

    for product in products:
        leaf = LEAF_BY_PATH[product.category_path]
        low, high = leaf.price_range(product.noun)
        cheapest = min(v.price_minor for v in product.variants)
        assert cheapest >= low * 100 - 50, product.title
        if leaf.axis != "pack":  # a listing may start at "Pack of 2"
            assert cheapest <= high * 100, product.title
    assert all(0 <= v.stock <= 120 for v in variants)
    assert all(v.reorder_point >= 0 for v in variants)
    out_of_stock = sum(1 for v in variants if v.stock == 0)
    assert 0 < out_of_stock < len(variants) * 0.15
    assert all(isinstance(v.price_minor, int) and v.price_minor > 0 for v in variants)


def test_descriptions_are_real_sentences_not_placeholder_text():
    for product in generate_products(1000, seed=4):
        text = product.description.lower()
        assert "lorem" not in text and "ipsum" not in text
        assert "{" not in text and "}" not in text
        assert len(re.findall(r"[.!?](\s|$)", product.description)) >= 3, product.description


def test_products_go_to_vendors_that_sell_their_category():
    chosen = [0, 3]
    products = list(generate_products(500, seed=2, vendors=chosen))

    assert {p.vendor_index for p in products} == set(chosen)
    for product in products:
        leaves = {leaf.path for leaf in VENDORS[product.vendor_index].leaves()}
        assert product.category_path in leaves


def test_every_category_is_sold_by_an_approved_vendor():
    sold = {
        leaf.path for vendor in VENDORS if vendor.status == "approved" for leaf in vendor.leaves()
    }

    assert sold == {leaf.path for leaf in LEAVES}
    assert len(VENDORS) >= 12
    assert len({v.display_name for v in VENDORS}) == len(VENDORS)
    assert len(DEPARTMENTS) >= 8


def test_slugs_stay_unique_across_calls_with_separate_index_ranges():
    first = [p.slug for p in generate_products(200, seed=1)]
    second = [p.slug for p in generate_products(200, seed=2, start=200)]

    assert len(set(first + second)) == 400


def test_five_thousand_products_are_quick_and_titles_do_not_repeat():
    started = time.perf_counter()
    titles = [p.title for p in generate_products(5000, seed=7)]
    elapsed = time.perf_counter() - started

    assert elapsed < 10, f"5,000 products took {elapsed:.1f} s"
    assert len(set(titles)) == len(titles)


def test_buyers_have_unique_example_domain_emails():
    buyers = generate_buyers(60, seed=7)
    emails = [b.email for b in buyers]

    assert len(set(emails)) == 60
    assert all(re.fullmatch(r"[a-z.]+\d*@example\.(com|org|net)", e) for e in emails)
    assert buyers[0].email == "ava.morgan@example.com"
    assert generate_buyers(3, seed=8)[0].email == "ava.morgan@example.com"
