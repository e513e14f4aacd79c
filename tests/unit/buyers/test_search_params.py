"""Search state in the URL: forgiving parsing, canonical query strings, the links that change it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from marketplace.search.params import (
    SearchUrls,
    clean_text,
    parse_search_args,
    query_args,
)
from marketplace.search.types import MAX_PAGE, MAX_PER_PAGE, SearchQuery, Sort


def parse(*pairs: tuple[str, str], **kwargs) -> SearchQuery:
    return parse_search_args(MultiDict(list(pairs)), **kwargs)


def params_of(url: str) -> list[tuple[str, str]]:
    parts = urlsplit(url)
    assert parts.path == "/search"
    return parse_qsl(parts.query)


# --- parsing ---------------------------------------------------------------------------------


def test_the_old_url_still_reads_the_same():
    query = parse(
        ("q", "mug"), ("category", "home/kitchen"), ("vendor", "kiln"), ("sort", "price_asc")
    )

    assert query.text == "mug"
    assert query.category_path == "home/kitchen"
    assert query.vendor_slugs == ("kiln",)
    assert query.sort is Sort.PRICE_ASC
    assert query.page == 1


def test_text_is_trimmed_folded_and_cut_to_200_characters():
    assert parse(("q", "  red \t\n mug  ")).text == "red mug"
    assert parse(("q", "a\x00b\u200bc")).text == "a b c"
    assert len(parse(("q", "x" * 500)).text) == 200
    assert clean_text(None, 10) == ""


def test_every_filter_is_read():
    query = parse(
        ("category", "Home/Kitchen/"),
        ("vendor", "kiln"),
        ("vendor", "north-wind"),
        ("price_min", "10"),
        ("price_max", "49.99"),
        ("rating", "4"),
        ("in_stock", "1"),
        ("attr.colour", "Red"),
        ("attr.colour", "Blue"),
        ("attr.material", "Stoneware"),
        ("page", "3"),
        ("per_page", "48"),
    )

    assert query.category_path == "home/kitchen"
    assert query.vendor_slugs == ("kiln", "north-wind")
    assert (query.price_min_minor, query.price_max_minor) == (1000, 5000)
    assert query.min_rating == 4
    assert query.in_stock is True
    assert query.attributes == {"colour": ("Red", "Blue"), "material": ("Stoneware",)}
    assert (query.page, query.per_page) == (3, 48)


def test_price_in_major_units_becomes_minor_units_with_an_inclusive_maximum():
    query = parse(("price_min", "24.99"), ("price_max", "25"))
    assert (query.price_min_minor, query.price_max_minor) == (2499, 2501)
    assert parse(("price_min", "1,250.5")).price_min_minor == 125050
    assert parse(("price_max", "0.015")).price_max_minor == 3  # rounded half up, then +1


def test_price_uses_the_currency_minor_unit():
    assert parse(("price_min", "500"), currency="JPY").price_min_minor == 500
    assert parse(("price_min", "2.5"), currency="KWD").price_min_minor == 2500


def test_a_price_bucket_key_sets_both_bounds_and_wins_over_min_max():
    query = parse(("price", "2500-5000"), ("price_min", "1"), ("price_max", "2"))
    assert (query.price_min_minor, query.price_max_minor) == (2500, 5000)
    assert parse(("price", "20000-")).price_max_minor is None


def test_a_reversed_price_range_is_swapped():
    query = parse(("price_min", "50"), ("price_max", "10"))
    assert (query.price_min_minor, query.price_max_minor) == (1000, 5001)


@pytest.mark.parametrize(
    "pairs",
    [
        [("price_min", "-5")],
        [("price_min", "abc")],
        [("price_min", "1e9")],
        [("price_min", "NaN")],
        [("price_max", "Infinity")],
        [("price_max", "99999999999999999")],
        [("price", "1-2")],
        [("price", "<script>")],
        [("price_min", "0")],
    ],
)
def test_bad_prices_are_dropped(pairs):
    query = parse(*pairs)
    assert (query.price_min_minor, query.price_max_minor) == (None, None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("category", "../etc/passwd"),
        ("category", "home//kitchen"),
        ("category", "home/<b>"),
        ("category", "/".join(["a"] * 9)),
        ("category", "x" * 401),
        ("vendor", "Kiln & Co"),
        ("vendor", "-kiln"),
        ("rating", "5"),
        ("rating", "0"),
        ("rating", "4.5"),
        ("rating", "four"),
        ("in_stock", "maybe"),
        ("attr.", "Red"),
        ("attr.colour", "   "),
        ("attr.colour", "x" * 101),
        ("attr." + "n" * 61, "Red"),
    ],
)
def test_bad_filter_values_are_dropped(name, value):
    query = parse((name, value))
    assert query == SearchQuery()


def test_junk_sort_page_and_per_page_fall_back_to_defaults():
    query = parse(("sort", "'; drop table"), ("page", "abc"), ("per_page", "1000"))
    assert (query.sort, query.page, query.per_page) == (Sort.RELEVANCE, 1, 24)
    assert parse(("page", "-4")).page == 1
    assert parse(("page", "0")).page == 1
    assert parse(("page", "99999999999999999999")).page == MAX_PAGE
    assert parse(("per_page", str(MAX_PER_PAGE))).per_page == MAX_PER_PAGE
    assert parse(per_page=12).per_page == 12
    assert parse(("sort", "PRICE_DESC")).sort is Sort.PRICE_DESC


def test_repeated_values_are_kept_once_and_bounded():
    pairs = [("vendor", "kiln")] * 3 + [("vendor", f"shop-{n}") for n in range(40)]
    query = parse(*pairs)
    assert query.vendor_slugs[0] == "kiln"
    assert len(query.vendor_slugs) == 20
    attributes = parse(*[(f"attr.a{n}", "x") for n in range(15)]).attributes
    assert len(attributes) == 10


def test_a_plain_mapping_is_read_too():
    query = parse_search_args({"q": "mug", "vendor": "kiln", "attr.colour": "Red"})
    assert (query.text, query.vendor_slugs, query.attributes) == (
        "mug",
        ("kiln",),
        {"colour": ("Red",)},
    )


# --- writing ---------------------------------------------------------------------------------


def test_the_canonical_query_string_leaves_defaults_out_and_round_trips():
    assert query_args(SearchQuery()) == []
    query = parse(
        ("q", "red mug"),
        ("category", "home/kitchen"),
        ("vendor", "b-shop"),
        ("vendor", "a-shop"),
        ("price_min", "10"),
        ("price_max", "49.99"),
        ("rating", "3"),
        ("in_stock", "yes"),
        ("attr.colour", "Red"),
        ("sort", "newest"),
        ("page", "2"),
    )
    pairs = query_args(query)

    assert pairs == [
        ("q", "red mug"),
        ("category", "home/kitchen"),
        ("vendor", "a-shop"),
        ("vendor", "b-shop"),
        ("price_min", "10"),
        ("price_max", "49.99"),
        ("rating", "3"),
        ("in_stock", "1"),
        ("attr.colour", "Red"),
        ("sort", "newest"),
        ("page", "2"),
    ]
    again = parse(*pairs)
    assert query_args(again) == pairs


def test_a_typed_range_that_is_a_bucket_is_written_as_the_bucket():
    assert query_args(parse(("price_max", "24.99"))) == [("price", "0-2500")]


def test_urls_keep_category_slashes_readable_and_escape_the_rest():
    urls = SearchUrls(parse(("q", "tea & cake"), ("category", "home/kitchen")), "/search")
    assert urls.url() == "/search?q=tea+%26+cake&category=home/kitchen"
    assert SearchUrls(SearchQuery(), "/search").url() == "/search"


def test_toggling_a_facet_value_adds_or_removes_it_and_goes_back_to_page_one():
    urls = SearchUrls(parse(("q", "mug"), ("vendor", "kiln"), ("page", "4")), "/search")

    assert params_of(urls.toggle("vendor", "north")) == [
        ("q", "mug"),
        ("vendor", "kiln"),
        ("vendor", "north"),
    ]
    assert params_of(urls.toggle("vendor", "kiln")) == [("q", "mug")]
    assert urls.is_selected("vendor", "kiln")
    assert not urls.is_selected("vendor", "north")


def test_single_choice_facets_replace_the_choice():
    urls = SearchUrls(parse(("price", "0-2500"), ("rating", "3")), "/search")

    assert params_of(urls.toggle("price", "2500-5000")) == [("price", "2500-5000"), ("rating", "3")]
    assert params_of(urls.toggle("price", "0-2500")) == [("rating", "3")]
    assert params_of(urls.toggle("rating", "4")) == [("price", "0-2500"), ("rating", "4")]
    assert params_of(urls.toggle("in_stock", "1")) == [
        ("price", "0-2500"),
        ("rating", "3"),
        ("in_stock", "1"),
    ]


def test_attribute_values_toggle_per_attribute():
    urls = SearchUrls(parse(("attr.colour", "Red"), ("attr.size", "L")), "/search")

    assert params_of(urls.toggle("attr:colour", "Blue")) == [
        ("attr.colour", "Red"),
        ("attr.colour", "Blue"),
        ("attr.size", "L"),
    ]
    assert params_of(urls.toggle("attr:colour", "Red")) == [("attr.size", "L")]
    assert urls.is_selected("attr:size", "L")


def test_choosing_a_category_replaces_it():
    urls = SearchUrls(parse(("q", "mug"), ("category", "home")), "/search")
    assert params_of(urls.choose("category", "home/kitchen")) == [
        ("q", "mug"),
        ("category", "home/kitchen"),
    ]
    assert params_of(urls.remove("category")) == [("q", "mug")]


def test_chips_name_each_active_filter_and_link_to_the_url_without_it():
    query = parse(
        ("q", "mug"),
        ("category", "home/kitchen"),
        ("vendor", "kiln"),
        ("vendor", "unknown-shop"),
        ("price_min", "10"),
        ("rating", "4"),
        ("in_stock", "1"),
        ("attr.colour", "Red"),
        ("sort", "price_asc"),
    )
    labels = {
        "category": {"home/kitchen": "Kitchen"},
        "vendor": {"kiln": "Kiln & Co"},
        "attributes": {"colour": "Colour"},
    }

    chips = SearchUrls(query, "/search").chips(labels)

    assert [chip.label for chip in chips] == [
        "Kitchen",
        "Kiln & Co",
        "unknown-shop",
        "$10.00 and up",
        "4 stars & up",
        "In stock",
        "Colour: Red",
    ]
    kiln = params_of(chips[1].remove_url)
    assert ("vendor", "kiln") not in kiln
    assert ("vendor", "unknown-shop") in kiln
    assert ("sort", "price_asc") in kiln and ("q", "mug") in kiln


def test_price_chip_labels():
    def label(*pairs):
        return SearchUrls(parse(*pairs), "/search").chips()[0].label

    assert label(("price", "2500-5000")) == "$25 to $50"
    assert label(("price_min", "10"), ("price_max", "30")) == "$10.00 to $30.00"
    assert label(("price_max", "30")) == "Up to $30.00"


def test_clear_all_keeps_the_words_and_the_sort():
    urls = SearchUrls(
        parse(("q", "mug"), ("vendor", "kiln"), ("rating", "4"), ("sort", "newest"), ("page", "3")),
        "/search",
    )
    assert params_of(urls.clear_all()) == [("q", "mug"), ("sort", "newest")]
    assert urls.has_filters
    assert not SearchUrls(parse(("q", "mug")), "/search").has_filters


def test_did_you_mean_keeps_the_filters_with_new_words():
    urls = SearchUrls(parse(("q", "mgu"), ("category", "home"), ("page", "2")), "/search")
    assert params_of(urls.with_text("mug")) == [("q", "mug"), ("category", "home")]


def test_form_hidden_fields_carry_everything_but_what_the_form_sets():
    urls = SearchUrls(
        parse(("q", "mug"), ("price_min", "5"), ("sort", "newest"), ("page", "2")), "/search"
    )
    assert urls.hidden_fields("sort") == [("q", "mug"), ("price_min", "5")]
    assert urls.hidden_fields("price") == [("q", "mug"), ("sort", "newest")]


def test_page_links_are_bounded():
    urls = SearchUrls(parse(("q", "mug")), "/search")
    assert params_of(urls.page(3)) == [("q", "mug"), ("page", "3")]
    assert params_of(urls.page(1)) == [("q", "mug")]
    assert params_of(urls.page(MAX_PAGE + 10)) == [("q", "mug"), ("page", str(MAX_PAGE))]
    assert urls.url_kwargs() == {"q": ["mug"]}
