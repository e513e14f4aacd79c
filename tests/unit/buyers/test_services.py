"""Storefront service helpers: stock wording, paging arithmetic, spreading shops."""

from __future__ import annotations

from types import SimpleNamespace

from marketplace.buyers.services import parse_page, spread_across_vendors, stock_label
from marketplace.pagination import Page


def variant(on_hand: int, reserved: int = 0, backorder: bool = False):
    return SimpleNamespace(stock_available=on_hand - reserved, allow_backorder=backorder)


def test_stock_labels():
    assert stock_label(variant(40)) == "In stock"
    assert stock_label(variant(6)) == "In stock"
    assert stock_label(variant(5)) == "Only 5 left"
    assert stock_label(variant(4, reserved=1)) == "Only 3 left"
    assert stock_label(variant(2, reserved=2)) == "Out of stock"
    assert stock_label(variant(0, backorder=True)) == "Available on backorder"


def test_page_arithmetic():
    page = Page(items=list(range(24)), total=50, page=2, per_page=24)
    assert page.pages == 3
    assert (page.has_prev, page.has_next) == (True, True)
    assert (page.prev_num, page.next_num) == (1, 3)
    assert (page.first, page.last) == (25, 48)


def test_empty_page_has_one_page_and_no_neighbours():
    page = Page(items=[], total=0, page=1, per_page=24)
    assert page.pages == 1
    assert not page.has_prev and not page.has_next
    assert (page.first, page.last) == (0, 0)


def test_iter_pages_marks_gaps():
    page = Page(items=[0], total=20 * 24, page=10, per_page=24)
    assert list(page.iter_pages()) == [1, None, 8, 9, 10, 11, 12, None, 20]


def test_spread_across_vendors_caps_each_shop_but_fills_the_rest():
    products = [SimpleNamespace(id=i, vendor_id=1) for i in range(5)]
    products.append(SimpleNamespace(id=99, vendor_id=2))

    picked = spread_across_vendors(products, limit=4, per_vendor=2)

    assert [p.id for p in picked] == [0, 1, 99, 2]


def test_page_parser_forgives_junk():
    assert parse_page("3") == 3
    assert parse_page("0") == 1
    assert parse_page("nope") == 1
    assert parse_page("99999999") == 10_000
