"""The buyer search page and autocomplete, through the real search service and database backend.

Products reach the index the way they do in the app: committing them writes search outbox rows
that the (inline) drain job applies after the commit.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from marketplace.buyers.search_page import highlight_html, lead_to_first_mark
from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.search import service
from marketplace.search.types import SearchResults, SearchUnavailable
from tests import factories
from tests.helpers import IsolatedClient

CARD_TITLE = re.compile(r'class="product-card-title"><a href="[^"]+" title="([^"]*)"')


def titles(page: str) -> list[str]:
    """Product titles in the order the result grid shows them."""
    return [html.unescape(title) for title in CARD_TITLE.findall(page)]


def get(client, path: str = "/search", **params) -> str:
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def hrefs(page: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', page)]


def chip_labels(page: str) -> list[str]:
    chips = re.search(r'<ul class="filter-chips"[^>]*>(.*?)</ul>', page, re.S)
    if chips is None:
        return []
    found = re.findall(r'<li class="chip">\s*(.*?)\s*<a', chips.group(1), re.S)
    return [html.unescape(label) for label in found]


# --- results ---------------------------------------------------------------------------------


def test_text_finds_products_by_title_and_description(client, make_product):
    make_product(title="Blue Ceramic Mug")
    make_product(title="Teapot", description="Pairs with any ceramic cup.")
    make_product(title="Wool Scarf", description="Warm and soft.")
    db.session.commit()

    found = titles(get(client, q="ceramic"))

    assert sorted(found) == ["Blue Ceramic Mug", "Teapot"]


def test_matched_words_are_marked_in_titles(client, make_product):
    make_product(title="Blue Ceramic Mug")
    db.session.commit()

    page = get(client, q="mug")

    assert re.search(r'title="Blue Ceramic Mug">Blue Ceramic <mark>Mug</mark></a>', page)


def test_highlights_let_only_mark_tags_through():
    assert highlight_html("a <mark>mug</mark> &amp; cup", "plain") == "a <mark>mug</mark> &amp; cup"
    for hostile in ('<img src=x onerror="alert(1)">', "<mark>mug", "<b>mug</b>", "a > b"):
        assert highlight_html(hostile, "Mug & <Cup>") == "Mug &amp; &lt;Cup&gt;"
    assert highlight_html(None, "<b>") == "&lt;b&gt;"


def test_a_snippet_starts_shortly_before_its_first_match():
    long = "Tom &amp; Jerry " * 10 + "love this <mark>mug</mark> a lot"
    short = "A <mark>mug</mark> for tea"

    trimmed = lead_to_first_mark(long, lead=20)

    assert trimmed == "… Jerry love this <mark>mug</mark> a lot"  # cut at a space, not in "&amp;"
    assert lead_to_first_mark(short, lead=20) == short
    assert highlight_html(trimmed, "") == trimmed  # still only escaped text and <mark>


def test_the_query_is_escaped_on_output(client):
    page = get(client, q="<script>alert(1)</script>")

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_unsellable_products_are_never_shown(client, make_vendor, make_product):
    make_product(title="Live Lamp")
    make_product(title="Draft Lamp", status=ProductStatus.DRAFT)
    make_product(title="Suspended Lamp", vendor=make_vendor(status="suspended"))
    make_product(title="Unpayable Lamp", vendor=make_vendor(payable=False))
    make_product(title="Sold Out Lamp", stock=0)
    db.session.commit()

    assert titles(get(client, q="lamp")) == ["Live Lamp"]


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE products SET status = 'delisted' WHERE id = :id",
        "UPDATE variants SET stock_on_hand = 0 WHERE product_id = :id",
    ],
    ids=["delisted", "sold-out"],
)
def test_a_change_the_index_has_not_heard_of_yet_hides_the_product(client, make_product, change):
    kept = make_product(title="Kept Lamp")
    gone = make_product(title="Gone Lamp")
    db.session.commit()
    db.session.execute(text(change), {"id": gone.id})  # plain SQL: no ORM events, no outbox row
    db.session.commit()

    assert titles(get(client, q="lamp")) == [kept.title]


def test_the_result_count_and_a_card_per_hit(client, make_product):
    for n in range(3):
        make_product(title=f"Linen Napkin {n}")
    db.session.commit()

    page = get(client, q="napkin")

    assert len(titles(page)) == 3
    assert re.search(r'role="status">\s*3 results', page)


# --- facets, chips, clear all ----------------------------------------------------------------


def test_facet_values_link_to_the_url_with_that_filter_added(
    client, make_vendor, make_category, make_product
):
    kiln = make_vendor(slug="kiln", display_name="Kiln & Co")
    other = make_vendor(slug="other", display_name="Other Shop")
    kitchen = make_category(name="Kitchen", slug="kitchen")
    make_product(title="Kiln Mug", vendor=kiln, category=kitchen, price_minor=1500)
    make_product(title="Kiln Jug", vendor=kiln, category=kitchen, price_minor=3000)
    make_product(title="Other Mug", vendor=other, category=kitchen, price_minor=1200)
    db.session.commit()

    page = get(client, q="mug")

    assert re.search(
        r'href="/search\?q=mug&amp;vendor=kiln"[^>]*>.*?Kiln &amp; Co.*?>1<', page, re.S
    )
    assert re.search(r'href="/search\?q=mug&amp;vendor=other"[^>]*>.*?Other Shop.*?>1<', page, re.S)
    assert "/search?q=mug&category=kitchen" in hrefs(page)
    assert "/search?q=mug&price=0-2500" in hrefs(page)
    assert "/search?q=mug&in_stock=1" in hrefs(page)


def test_a_chosen_value_is_shown_selected_with_a_chip_that_removes_it(
    client, make_vendor, make_product
):
    kiln = make_vendor(slug="kiln", display_name="Kiln & Co")
    make_product(title="Kiln Mug", vendor=kiln)
    make_product(title="Other Mug")
    db.session.commit()

    page = get(client, q="mug", vendor="kiln", in_stock="1")

    assert titles(page) == ["Kiln Mug"]
    selected = re.findall(r'class="facet-option is-selected" href="([^"]+)"', page)
    assert sorted(html.unescape(href) for href in selected) == [
        "/search?q=mug&in_stock=1",  # Kiln & Co, chosen: choosing it again drops it
        "/search?q=mug&vendor=kiln",  # In stock, likewise
    ]
    assert chip_labels(page) == ["Kiln & Co", "In stock"]
    assert "/search?q=mug&in_stock=1" in hrefs(page)  # the shop chip's remove link
    assert "/search?q=mug&vendor=kiln" in hrefs(page)  # the stock chip's remove link
    assert re.search(r'class="clear-filters" href="/search\?q=mug"', page)


def test_attribute_facets_filter_on_what_vendors_entered(client, make_product):
    make_product(title="Red Mug", attributes={"colour": "Red"})
    make_product(title="Blue Mug", attributes={"colour": "Blue"})
    db.session.commit()

    page = get(client, q="mug")
    chosen = get(client, q="mug", **{"attr.colour": "Red"})

    assert "/search?q=mug&attr.colour=Red" in hrefs(page)
    assert titles(chosen) == ["Red Mug"]
    assert any(label.endswith(": Red") for label in chip_labels(chosen))


def test_price_and_rating_filters(client, make_product):
    cheap = make_product(title="Cheap Mug", price_minor=900)
    cheap.rating_count, cheap.rating_sum = 20, 96
    make_product(title="Dear Mug", price_minor=9000)
    db.session.commit()

    assert titles(get(client, q="mug", price_max="10")) == ["Cheap Mug"]
    assert titles(get(client, q="mug", price="5000-10000")) == ["Dear Mug"]
    assert titles(get(client, q="mug", rating="4")) == ["Cheap Mug"]
    assert chip_labels(get(client, q="mug", price_min="5", price_max="20")) == ["$5.00 to $20.00"]


# --- sort and pages --------------------------------------------------------------------------


def test_sort_by_price_both_ways(client, make_product):
    make_product(title="Mid Bowl", price_minor=2000)
    make_product(title="Cheap Bowl", price_minor=500)
    make_product(title="Dear Bowl", price_minor=9000)
    db.session.commit()

    ascending = get(client, q="bowl", sort="price_asc")

    assert titles(ascending) == ["Cheap Bowl", "Mid Bowl", "Dear Bowl"]
    assert titles(get(client, q="bowl", sort="price_desc")) == [
        "Dear Bowl",
        "Mid Bowl",
        "Cheap Bowl",
    ]
    assert '<option value="price_asc" selected>' in ascending
    assert '<input type="hidden" name="q" value="bowl">' in ascending


def test_newest_sort_and_unknown_sorts(client, make_product):
    now = utcnow()
    make_product(title="Old Vase", published_at=now - timedelta(days=3))
    make_product(title="New Vase", published_at=now)
    make_product(title="Middle Vase", published_at=now - timedelta(days=1))
    db.session.commit()

    assert titles(get(client, q="vase", sort="newest")) == ["New Vase", "Middle Vase", "Old Vase"]
    assert sorted(titles(get(client, q="vase", sort="bogus"))) == [
        "Middle Vase",
        "New Vase",
        "Old Vase",
    ]


def test_results_are_paginated(client, make_product):
    for n in range(30):
        make_product(title=f"Candle {n:02d}", price_minor=1000 + n)
    db.session.commit()

    first = get(client, q="candle", sort="price_asc")
    second = get(client, q="candle", sort="price_asc", page=2)

    assert titles(first) == [f"Candle {n:02d}" for n in range(24)]
    assert titles(second) == [f"Candle {n:02d}" for n in range(24, 30)]
    assert "Showing 1\u201324 of 30 results" in first
    assert "Showing 25\u201330 of 30 results" in second
    assert 'rel="next" href="/search?page=2&amp;q=candle&amp;sort=price_asc"' in first


def test_a_page_past_the_end_offers_the_first_page(client, make_product):
    make_product(title="Only Rug")
    db.session.commit()

    page = get(client, q="rug", page=9)

    assert titles(page) == []
    assert "Back to the first page" in page
    assert "/search?q=rug" in hrefs(page)


def test_the_page_runs_a_fixed_number_of_queries(client, make_vendor, make_product):
    def count_queries(**params) -> int:
        statements: list[str] = []

        def record(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            get(client, **params)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    make_product(title="Tote 0", vendor=make_vendor())
    db.session.commit()
    get(client, q="tote")  # the backend builds its caches (vocabulary, synonyms) once
    few = count_queries(q="tote")
    for n in range(1, 12):
        make_product(title=f"Tote {n}", vendor=make_vendor())
    db.session.commit()
    get(client, q="tote")
    many = count_queries(q="tote")

    assert many == few


# --- no results, did you mean, degraded ------------------------------------------------------


def test_no_results_offers_to_drop_each_filter(client, make_vendor, make_product):
    make_vendor(slug="kiln", display_name="Kiln & Co")
    make_product(title="Wool Scarf")
    db.session.commit()

    page = get(client, q="scarf", vendor="kiln")

    assert "No results" in page
    assert "couldn't find anything for “scarf”" in page
    assert "/search?q=scarf" in hrefs(page)  # "Kiln & Co" and "search without any filters"
    assert re.search(r'<a href="/search\?q=scarf" rel="nofollow">Kiln &amp; Co</a>', page)


def test_no_results_shows_did_you_mean_links(client, monkeypatch):
    monkeypatch.setattr(
        service,
        "search",
        lambda query: SearchResults(hits=(), total=0, suggestions=("ceramic mug", "cermet")),
    )

    page = get(client, q="ceramc mug", category="kitchen")

    assert "Did you mean" in page
    assert '<a href="/search?q=ceramic+mug">ceramic mug</a>' in page  # unknown category dropped
    assert '<a href="/search?q=cermet">cermet</a>' in page


def test_a_corrected_typo_is_offered_as_did_you_mean(client, make_product):
    make_product(title="Ceramic Teapot", description="Glazed stoneware.")
    db.session.commit()

    page = get(client, q="teapto")

    assert "Did you mean" in page
    assert '<a href="/search?q=teapot">teapot</a>' in page


def test_a_backend_that_is_down_still_gives_a_page_in_a_reduced_mode(app_factory):
    app = app_factory(
        SEARCH_BACKEND="elasticsearch",
        ELASTICSEARCH_URL="http://127.0.0.1:9",  # nothing listens on the discard port
        ELASTICSEARCH_TIMEOUT=0.5,
        ELASTICSEARCH_MAX_RETRIES=0,
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        product = factories.ProductFactory(title="Walnut Cutting Board")
        factories.VariantFactory(product=product)
        db.session.commit()
        client = app.test_client()

        page = get(client, q="cutting board")

    assert "simpler mode" in page
    assert titles(page) == ["Walnut Cutting Board"]


def test_no_backend_at_all_says_search_is_unavailable(client, monkeypatch):
    def down(query):
        raise SearchUnavailable("everything is down")

    monkeypatch.setattr(service, "search", down)

    page = get(client, q="mug")

    assert "Search isn't available right now" in page
    assert "couldn't find anything" not in page


# --- category pages --------------------------------------------------------------------------


def test_a_category_page_is_named_after_it_and_offers_its_children(
    client, make_category, make_product
):
    home = make_category(name="Home", slug="home")
    kitchen = make_category(name="Kitchen", slug="kitchen", parent=home)
    bath = make_category(name="Bath", slug="bath", parent=home)
    make_category(name="Garden", slug="garden", parent=home)  # empty: not offered
    make_product(title="Pan", category=kitchen)
    make_product(title="Pot", category=kitchen)
    make_product(title="Towel", category=bath)
    make_product(title="Desk")  # elsewhere
    db.session.commit()

    page = get(client, category="home")

    assert "<h1>Home</h1>" in page
    assert sorted(titles(page)) == ["Pan", "Pot", "Towel"]
    assert re.search(r'href="/search\?category=home/kitchen">Kitchen <span[^>]*>2</span>', page)
    assert re.search(r'href="/search\?category=home/bath">Bath <span[^>]*>1</span>', page)
    assert "category=home/garden" not in page
    assert chip_labels(page) == []  # the category is the page, not a filter on it


def test_a_subcategory_page_has_a_breadcrumb_and_a_way_up(client, make_category, make_product):
    home = make_category(name="Home", slug="home")
    kitchen = make_category(name="Kitchen", slug="kitchen", parent=home)
    make_product(title="Pan", category=kitchen)
    db.session.commit()

    page = get(client, category="home/kitchen")

    assert "<h1>Kitchen</h1>" in page
    assert re.search(r'<a href="/search\?category=home">Home</a>', page)
    assert re.search(r'class="facet-up" href="/search\?category=home"', page)


def test_searching_within_a_category_makes_it_a_chip(client, make_category, make_product):
    kitchen = make_category(name="Kitchen", slug="kitchen")
    make_product(title="Kitchen Scale", category=kitchen)
    make_product(title="Bathroom Scale")
    db.session.commit()

    page = get(client, q="scale", category="kitchen")

    assert titles(page) == ["Kitchen Scale"]
    assert chip_labels(page) == ["Kitchen"]
    assert '<input type="hidden" name="category" value="kitchen">' in page  # the query box


def test_an_unknown_category_searches_everything(client, make_product):
    make_product(title="Lamp")
    db.session.commit()

    page = get(client, category="no-such-place")

    assert "<h1>All products</h1>" in page
    assert titles(page) == ["Lamp"]


# --- bad URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query_string",
    [
        "page=abc&per_page=-1",
        "page=999999999999999999999",
        "sort=%27%3B+drop+table+products",
        "price_min=NaN&price_max=-Infinity",
        "price_min=1e308&price=9-1",
        "rating=99&in_stock=%00",
        "category=..%2F..%2Fetc&vendor=%E2%80%AE&vendor=",
        "attr.=x&attr.%00=%00&attr.colour=" + "x" * 5000,
        "q=" + "%F0%9F%A7%A6" * 300,
        "q=%ZZ&category=%C0%AF",
        "q=%22%27%3C%3E%26%5C&category=a%2F%2Fb",
    ],
)
def test_hand_edited_urls_never_error(client, make_product, query_string):
    make_product(title="Lamp")
    db.session.commit()

    response = client.get(f"/search?{query_string}")

    assert response.status_code == 200


# --- autocomplete ----------------------------------------------------------------------------


def test_suggest_answers_json_with_completions(client, make_product):
    make_product(title="Ceramic Teapot")
    make_product(title="Ceramic Vase")
    db.session.commit()

    response = client.get("/search/suggest", query_string={"q": "cera"})

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    suggestions = response.get_json()["suggestions"]
    assert suggestions and all(isinstance(s, str) for s in suggestions)
    assert any(s.lower().startswith("cera") for s in suggestions)
    assert "max-age=" in response.headers["Cache-Control"]


def test_suggest_ignores_a_too_short_prefix(client, monkeypatch):
    def fail(prefix, limit=8):
        raise AssertionError("no backend call for one letter")

    monkeypatch.setattr(service, "suggest", fail)

    assert client.get("/search/suggest?q=c").get_json() == {"suggestions": []}
    assert client.get("/search/suggest").get_json() == {"suggestions": []}


def test_suggest_answers_empty_when_no_backend_can(client, monkeypatch):
    def down(prefix, limit=8):
        raise SearchUnavailable("down")

    monkeypatch.setattr(service, "suggest", down)

    assert client.get("/search/suggest?q=cera").get_json() == {"suggestions": []}


def test_the_search_page_loads_the_autocomplete_script_and_box(client):
    page = get(client)

    assert re.search(r'<script src="/static/js/search\.js[^"]*" defer></script>', page)
    assert 'data-suggest-url="/search/suggest"' in page
    assert "<script>" not in page  # the content security policy forbids inline scripts


def test_suggest_is_rate_limited_per_visitor(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, SEARCH_SUGGEST_RATE_LIMIT="3 per minute")
    app.test_client_class = IsolatedClient
    client = app.test_client()

    codes = [client.get("/search/suggest?q=x").status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]


# --- PostgreSQL ------------------------------------------------------------------------------


def test_the_page_works_the_same_on_postgresql(pg_app):
    pg_app.test_client_class = IsolatedClient
    kiln = factories.VendorFactory(slug="kiln", display_name="Kiln & Co")
    for n, price in enumerate((1800, 900, 4500)):
        product = factories.ProductFactory(vendor=kiln, title=f"Stoneware Jug {n}")
        factories.VariantFactory(product=product, price_minor=price)
    factories.VariantFactory(product=factories.ProductFactory(title="Glass Jug"), price_minor=700)
    db.session.commit()
    client = pg_app.test_client()

    page = get(client, q="jug", vendor="kiln", sort="price_asc")

    assert titles(page) == ["Stoneware Jug 1", "Stoneware Jug 0", "Stoneware Jug 2"]
    assert chip_labels(page) == ["Kiln & Co"]
    assert "/search?q=jug&sort=price_asc" in hrefs(page)
    suggestions = client.get("/search/suggest?q=stonew").get_json()["suggestions"]
    assert any(s.lower().startswith("stoneware") for s in suggestions)
