"""A buyer's search in a real browser: autocomplete, a facet, its chip, sorting and paging.

The products reach the index through the real pipeline: committing them writes search outbox
rows that the inline drain job applies after the commit.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from tests import factories
from tests.e2e.browser import screenshot

pytestmark = pytest.mark.e2e


def seed_mugs(app) -> None:
    """30 ceramic mugs from two shops at distinct prices, and a few things that aren't mugs."""
    with app.app_context():
        mugs = factories.CategoryFactory(name="Mugs", slug="mugs")
        kiln = factories.VendorFactory(display_name="Kiln & Co", slug="kiln-co")
        river = factories.VendorFactory(display_name="Riverside Pottery", slug="riverside")
        for n in range(30):
            vendor = kiln if n % 3 else river
            product = factories.ProductFactory(
                vendor=vendor,
                category=mugs,
                title=f"Ceramic Mug {vendor.display_name.split()[0]} No. {n:02d}",
                description="A wheel-thrown stoneware mug, glazed by hand.",
            )
            factories.VariantFactory(product=product, price_minor=1500 + 37 * ((n * 7) % 30))
        for title in ("Wool Scarf", "Linen Apron", "Walnut Cutting Board"):
            product = factories.ProductFactory(title=title, description="Made by hand.")
            factories.VariantFactory(product=product, price_minor=4200)
        db.session.commit()


def card_titles(page) -> list[str]:
    return page.locator(".result-grid .product-card-title a").evaluate_all(
        "links => links.map(link => link.title)"
    )


def card_prices(page) -> list[float]:
    texts = page.locator(".result-grid .product-card-price").all_inner_texts()
    return [float(re.sub(r"[^0-9.]", "", text)) for text in texts]


def test_buyer_finds_narrows_sorts_and_pages(live_server, page):
    app, base = live_server
    seed_mugs(app)

    page.goto(base + "/search")
    box = page.get_by_role("combobox", name="Search all products")
    box.fill("ceramc mug")  # a typo: search still finds the mugs, and says what it read
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “ceramc mug”")
    expect(page.locator("#results-summary")).to_have_text("Showing 1\u201324 of 30 results")
    expect(page.get_by_role("link", name="ceramic mug", exact=True)).to_be_visible()

    box = page.get_by_role("combobox", name="Search all products")
    box.fill("")
    box.press_sequentially("mu", delay=60)
    suggestions = page.get_by_role("listbox", name="Suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("option").first).to_have_text("Mugs")
    expect(box).to_have_attribute("aria-expanded", "true")
    screenshot(page, "search-autocomplete")
    box.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("ArrowDown")  # opens the list again on its first suggestion
    expect(suggestions).to_be_visible()
    expect(box).to_have_attribute("aria-activedescendant", re.compile(".+"))
    expect(suggestions.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search\?q=Mugs$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “Mugs”")
    expect(page.locator("#results-summary")).to_have_text("Showing 1\u201324 of 30 results")
    assert "Wool Scarf" not in card_titles(page)

    filters = page.get_by_role("complementary", name="Filters")
    filters.get_by_role("link", name=re.compile(r"^Kiln & Co")).click()
    expect(page).to_have_url(re.compile(r"vendor=kiln-co"))
    chips = page.get_by_role("list", name="Active filters")
    expect(chips.get_by_role("listitem")).to_have_text([re.compile(r"^\s*Kiln & Co")])
    expect(page.locator("#results-summary")).to_have_text("20 results")
    assert all("Kiln" in title for title in card_titles(page))
    screenshot(page, "search-filtered")

    chips.get_by_role("link", name="Remove filter: Kiln & Co").click()
    expect(page.get_by_role("list", name="Active filters")).to_have_count(0)
    expect(page.locator("#results-summary")).to_have_text("Showing 1\u201324 of 30 results")

    page.get_by_label("Sort by").select_option("price_asc")
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    first_page_prices = card_prices(page)
    assert first_page_prices == sorted(first_page_prices)

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("#results-summary")).to_have_text("Showing 25\u201330 of 30 results")
    second_page_prices = card_prices(page)
    assert len(second_page_prices) == 6
    assert min(second_page_prices) >= max(first_page_prices)
    screenshot(page, "search-page-2")


def test_filters_fold_away_on_a_phone_and_work_without_javascript(live_server, browser):
    app, base = live_server
    seed_mugs(app)
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        phone = context.new_page()
        phone.goto(base + "/search?q=mug")
        filters = phone.get_by_role("complementary", name="Filters")
        filters.get_by_role("link", name=re.compile(r"^Riverside Pottery")).click()
        expect(phone).to_have_url(re.compile(r"vendor=riverside"))
        expect(phone.locator("#results-summary")).to_have_text("10 results")
        phone.get_by_label("Sort by").select_option("price_desc")
        phone.get_by_role("button", name="Sort").click()
        expect(phone).to_have_url(re.compile(r"sort=price_desc"))
        prices = card_prices(phone)
        assert prices == sorted(prices, reverse=True)
    finally:
        context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        phone.goto(base + "/search?q=mug")
        filters = phone.locator("details[data-search-filters]")
        expect(filters).not_to_have_attribute("open", "")
        screenshot(phone, "search-phone")
        filters.locator("summary").click()
        shops = phone.get_by_role("complementary", name="Filters")
        expect(shops.get_by_role("link", name=re.compile(r"^Riverside Pottery"))).to_be_visible()
    finally:
        context.close()
