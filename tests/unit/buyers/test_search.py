"""The interim database search: text, category subtree, vendor, sort, pagination."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from marketplace.models_base import utcnow


def titles(page: str) -> list[str]:
    """Product titles in the order the result grid shows them."""
    return re.findall(r'<h3 class="product-card-title"><a href="[^"]+"[^>]*>([^<]+)</a>', page)


def search(client, **params) -> str:
    response = client.get("/search", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_text_matches_title_and_description_case_insensitively(client, make_product):
    make_product(title="Blue Ceramic Mug")
    make_product(title="Teapot", description="Pairs with any CERAMIC cup.")
    make_product(title="Wool Scarf")
    db.session.commit()

    assert sorted(titles(search(client, q="ceramic"))) == ["Blue Ceramic Mug", "Teapot"]


def test_every_word_must_match(client, make_product):
    make_product(title="Blue Ceramic Mug", description="Holds a pint.")
    make_product(title="Blue Wool Scarf", description="Warm and soft.")
    make_product(title="Green Mug", description="Holds a pint.")
    db.session.commit()

    assert titles(search(client, q="blue mug")) == ["Blue Ceramic Mug"]


def test_wildcards_in_the_query_are_literal(client, make_product):
    make_product(title="100% Cotton Tee")
    make_product(title="Cotton Tote")
    db.session.commit()

    assert titles(search(client, q="100%")) == ["100% Cotton Tee"]
    assert titles(search(client, q="_")) == []


def test_search_never_shows_unsellable_products(client, make_vendor, make_product):
    make_product(title="Live Mug")
    make_product(title="Draft Mug", status=ProductStatus.DRAFT)
    make_product(title="Suspended Mug", vendor=make_vendor(status="suspended"))
    make_product(title="Unpayable Mug", vendor=make_vendor(payable=False))
    db.session.commit()

    assert titles(search(client, q="mug")) == ["Live Mug"]


def test_category_filter_includes_the_whole_subtree(client, make_category, make_product):
    home = make_category(name="Home", slug="home")
    kitchen = make_category(name="Kitchen", slug="kitchen", parent=home)
    mugs = make_category(name="Mugs", slug="mugs", parent=kitchen)
    lookalike = make_category(name="Home Office", slug="home-office")
    make_product(title="Mug", category=mugs)
    make_product(title="Rug", category=home)
    make_product(title="Desk", category=lookalike)
    db.session.commit()

    assert sorted(titles(search(client, category="home"))) == ["Mug", "Rug"]
    assert titles(search(client, category="home/kitchen")) == ["Mug"]


def test_category_page_names_the_category_and_offers_subcategories(
    client, make_category, make_product
):
    home = make_category(name="Home", slug="home")
    kitchen = make_category(name="Kitchen", slug="kitchen", parent=home)
    bath = make_category(name="Bath", slug="bath", parent=home)
    make_category(name="Garden", slug="garden", parent=home)  # empty: not offered
    make_product(title="Pan", category=kitchen)
    make_product(title="Pot", category=kitchen)
    make_product(title="Towel", category=bath)
    db.session.commit()

    page = search(client, category="home")

    assert "<h1>Home</h1>" in page
    assert re.search(r'category=home/kitchen">\s*Kitchen <span class="facet-count">2</span>', page)
    assert re.search(r'category=home/bath">\s*Bath <span class="facet-count">1</span>', page)
    assert "category=home/garden" not in page


def test_vendor_filter(client, make_vendor, make_product):
    make_product(title="Kiln Mug", vendor=make_vendor(slug="kiln"))
    make_product(title="Other Mug", vendor=make_vendor(slug="other"))
    db.session.commit()

    assert titles(search(client, vendor="kiln")) == ["Kiln Mug"]


def test_sort_by_price_uses_the_cheapest_variant(client, make_product):
    make_product(title="Mid", price_minor=2000)
    make_product(title="Cheap", price_minor=500)
    make_product(title="Dear", price_minor=9000)
    db.session.commit()

    assert titles(search(client, sort="price_asc")) == ["Cheap", "Mid", "Dear"]
    assert titles(search(client, sort="price_desc")) == ["Dear", "Mid", "Cheap"]


def test_newest_first_by_default_and_for_unknown_sorts(client, make_product):
    now = utcnow()
    make_product(title="Old", published_at=now - timedelta(days=3))
    make_product(title="New", published_at=now)
    make_product(title="Middle", published_at=now - timedelta(days=1))
    db.session.commit()

    assert titles(search(client)) == ["New", "Middle", "Old"]
    assert titles(search(client, sort="bogus")) == ["New", "Middle", "Old"]


def test_results_are_paginated_24_per_page_with_a_count(client, make_product):
    now = utcnow()
    for n in range(30):
        make_product(title=f"Mug {n:02d}", published_at=now - timedelta(minutes=n))
    db.session.commit()

    first = search(client, q="mug")
    second = search(client, q="mug", page=2)

    assert len(titles(first)) == 24
    assert titles(second) == [f"Mug {n:02d}" for n in range(24, 30)]
    assert "Showing 1\u201324 of 30 products" in first
    assert "Showing 25\u201330 of 30 products" in second
    assert 'rel="next" href="/search?page=2&amp;q=mug"' in first


def test_page_beyond_the_end_offers_the_first_page(client, make_product):
    make_product(title="Only Mug")
    db.session.commit()

    page = search(client, page=9)

    assert titles(page) == []
    assert "Back to the first page" in page


def test_junk_page_numbers_mean_page_one(client, make_product):
    make_product(title="Only Mug")
    db.session.commit()
    assert titles(search(client, page="abc")) == ["Only Mug"]
    assert titles(search(client, page="-4")) == ["Only Mug"]


def test_no_results_explains_what_to_try(client, make_product):
    make_product(title="Mug")
    db.session.commit()

    page = search(client, q="unicorn saddle")

    assert "No products found" in page
    assert "Nothing matched" in page
    assert "Check the spelling" in page


def test_query_is_escaped_on_output(client):
    page = search(client, q="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_search_runs_a_fixed_number_of_queries(client, make_vendor, make_product):
    def count_queries(**params) -> int:
        statements = []

        def record(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            search(client, **params)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    make_product(title="Mug 0", vendor=make_vendor())
    db.session.commit()
    few = count_queries(q="mug")
    for n in range(1, 12):
        make_product(title=f"Mug {n}", vendor=make_vendor())
    db.session.commit()
    many = count_queries(q="mug")

    assert many == few
