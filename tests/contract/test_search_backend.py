"""The search backend contract (DESIGN.md §5): every backend answers these the same way.

Each test runs on the database backend (SQLite and PostgreSQL) and on Elasticsearch; see
`conftest.py` for the catalogue. Expectations are written from the catalogue's facts (prices,
ratings, sales, dates), never from one backend's output.
"""

from __future__ import annotations

import dataclasses
import html
import re

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from marketplace.search.documents import bayesian_rating, iter_all_documents, load_documents
from marketplace.search.models import SearchSynonym
from marketplace.search.types import PRICE_BUCKETS, SearchQuery, SearchResults, Sort
from marketplace.vendors.models import VendorStatus
from tests.contract.conftest import add_product

EVERYTHING = 50  # per page: the whole catalogue on one page


def search(env, **fields) -> SearchResults:
    fields.setdefault("per_page", EVERYTHING)
    return env.backend.search(SearchQuery(**fields))


def found(env, catalogue, **fields) -> list[str]:
    """Names of the products a search finds, in the order it ranks them."""
    return catalogue.names(hit.product_id for hit in search(env, **fields).hits)


def facet(results: SearchResults, name: str) -> dict[str, int]:
    for candidate in results.facets:
        if candidate.name == name:
            return {value.value: value.count for value in candidate.values if value.count}
    return {}


# --- index, delete, reindex, versions -----------------------------------------------------------


def test_the_pipeline_indexes_exactly_the_searchable_products(search_env, catalogue):
    expected = {
        doc.product_id: doc.version
        for doc in load_documents(list(catalogue.ids(*catalogue.products))).values()
    }

    assert search_env.backend.indexed_versions() == expected
    assert set(expected) == catalogue.ids(*catalogue.searchable)


def test_delete_removes_and_index_restores(search_env, catalogue):
    backend = search_env.backend
    sofa = catalogue.id("chesterfield")

    assert backend.delete([sofa, 987654]) == 1
    assert sofa not in backend.indexed_versions()
    assert "chesterfield" not in found(search_env, catalogue, text="chesterfield")
    assert backend.delete([sofa]) == 0

    report = backend.index(list(load_documents([sofa]).values()))
    assert (report.indexed, report.errors) == (1, {})
    assert found(search_env, catalogue, text="chesterfield") == ["chesterfield"]


def test_index_replaces_a_document_and_its_version(search_env, catalogue):
    backend = search_env.backend
    original = load_documents([catalogue.id("table")])[catalogue.id("table")]
    renamed = dataclasses.replace(original, title="Walnut Side Table", version="v-renamed")

    backend.index([renamed])

    assert backend.indexed_versions()[original.product_id] == "v-renamed"
    assert found(search_env, catalogue, text="side table") == ["table"]


def test_reindex_replaces_everything_with_the_documents_given(search_env, catalogue):
    backend = search_env.backend
    stray = dataclasses.replace(
        load_documents([catalogue.id("slim")])[catalogue.id("slim")], product_id=10**6
    )
    backend.index([stray])
    assert 10**6 in backend.indexed_versions()

    report = backend.reindex(iter_all_documents())
    db.session.commit()

    assert report.indexed == len(catalogue.searchable)
    assert set(backend.indexed_versions()) == catalogue.ids(*catalogue.searchable)


# --- text ---------------------------------------------------------------------------------------


def test_text_is_searched_in_title_description_vendor_category_and_attributes(
    search_env, catalogue
):
    assert found(search_env, catalogue, text="chesterfield") == ["chesterfield"]  # title
    assert found(search_env, catalogue, text="buttoned") == ["chesterfield"]  # description
    assert set(found(search_env, catalogue, text="clay studio")) >= {
        "stoneware",
        "teacup",
        "camping",
    }  # vendor
    assert set(found(search_env, catalogue, text="furniture")) >= {
        "chesterfield",
        "two_seater",
        "table",
    }  # category, and the categories above
    assert found(search_env, catalogue, text="walnut") == ["table"]  # attribute value


def test_products_nobody_may_find_are_never_found(search_env, catalogue):
    names = set(found(search_env, catalogue))
    for text in ("chesterfield sofa bed", "espresso", "travel mug", "bootcut"):
        names |= set(found(search_env, catalogue, text=text))

    assert names <= catalogue.searchable
    assert set(found(search_env, catalogue)) == catalogue.searchable


def test_typos_are_forgiven(search_env, catalogue):
    assert found(search_env, catalogue, text="chesterfeild")[:1] == ["chesterfield"]
    assert found(search_env, catalogue, text="porcelian")[:1] == ["teacup"]


def test_did_you_mean_offers_the_corrected_query(search_env, catalogue):
    misspelt = search(search_env, text="chesterfeild")
    correct = search(search_env, text="chesterfield")

    assert any("chesterfield" in s.lower() for s in misspelt.suggestions)
    assert correct.suggestions == ()


def test_a_synonym_rule_applies_at_once_without_reindexing(search_env, catalogue):
    assert not {"chesterfield", "two_seater"} & set(found(search_env, catalogue, text="couch"))
    assert found(search_env, catalogue, text="dungarees") == []

    db.session.add_all(
        [SearchSynonym(rule="couch, sofa"), SearchSynonym(rule="dungarees => jeans")]
    )
    db.session.commit()

    assert {"chesterfield", "two_seater"} <= set(found(search_env, catalogue, text="couch"))
    assert set(found(search_env, catalogue, text="dungarees")) == {"slim", "relaxed"}


def test_an_inactive_synonym_rule_does_nothing(search_env, catalogue):
    db.session.add(SearchSynonym(rule="couch, sofa", is_active=False))
    db.session.commit()

    assert not {"chesterfield", "two_seater"} & set(found(search_env, catalogue, text="couch"))


# --- filters ------------------------------------------------------------------------------------


def test_category_filter_takes_the_whole_subtree(search_env, catalogue):
    assert set(found(search_env, catalogue, category_path="home/kitchen")) == {
        "stoneware",
        "teacup",
        "camping",
    }
    assert set(found(search_env, catalogue, category_path="home/furniture")) == {
        "chesterfield",
        "two_seater",
        "table",
    }
    assert found(search_env, catalogue, category_path="home/kitch") == []


def test_vendor_filter_takes_any_of_the_vendors(search_env, catalogue):
    assert set(found(search_env, catalogue, vendor_slugs=("denim-shop",))) == {"slim", "relaxed"}
    assert set(found(search_env, catalogue, vendor_slugs=("denim-shop", "oak-shop"))) == {
        "slim",
        "relaxed",
        "chesterfield",
        "two_seater",
        "table",
    }


def test_price_range_is_inclusive_below_and_exclusive_above(search_env, catalogue):
    names = found(search_env, catalogue, price_min_minor=2200, price_max_minor=6900)
    assert set(names) == {"teacup", "relaxed"}
    assert set(found(search_env, catalogue, price_min_minor=54900)) == {
        "chesterfield",
        "two_seater",
    }


def test_minimum_rating_counts_only_reviewed_products(search_env, catalogue):
    assert set(found(search_env, catalogue, min_rating=4)) == {
        "chesterfield",
        "two_seater",
        "stoneware",
        "teacup",
        "slim",
    }
    assert "camping" in found(search_env, catalogue, min_rating=3)
    assert "table" not in found(search_env, catalogue, min_rating=1)


def test_in_stock_leaves_out_backorder_only_products(search_env, catalogue):
    assert "camping" in found(search_env, catalogue)
    assert set(found(search_env, catalogue, in_stock=True)) == catalogue.searchable - {"camping"}


def test_attribute_filters_take_any_value_and_every_name(search_env, catalogue):
    assert set(found(search_env, catalogue, attributes={"colour": ("Blue",)})) == {
        "stoneware",
        "slim",
    }
    assert set(found(search_env, catalogue, attributes={"colour": ("Blue", "Red")})) == {
        "stoneware",
        "slim",
        "camping",
    }
    assert found(
        search_env, catalogue, attributes={"colour": ("Blue",), "material": ("Denim",)}
    ) == ["slim"]


def test_filters_combine_with_text(search_env, catalogue):
    names = found(search_env, catalogue, text="mug", category_path="home", price_max_minor=1500)
    assert names == ["camping"]


# --- facets -------------------------------------------------------------------------------------


def test_each_facet_is_counted_with_the_other_filters_applied(search_env, catalogue):
    results = search(search_env, category_path="home", vendor_slugs=("clay-shop",))

    assert results.total == 3
    # the vendor facet ignores the vendor filter, not the category one
    assert facet(results, "vendor") == {"oak-shop": 3, "clay-shop": 3}
    # the category facet: the children of the chosen category, with the vendor filter applied
    assert facet(results, "category") == {"home/kitchen": 3}
    assert facet(results, "price") == {"0-2500": 3}
    assert facet(results, "rating") == {"4": 2, "3": 3, "2": 3, "1": 3}
    assert facet(results, "attr:colour") == {"Blue": 1, "White": 1, "Red": 1}


def test_facet_values_carry_labels_and_selection(search_env, catalogue):
    results = search(search_env, vendor_slugs=("clay-shop",))

    vendors = next(f for f in results.facets if f.name == "vendor")
    by_value = {value.value: value for value in vendors.values}
    assert by_value["clay-shop"].label == "Clay Studio"
    assert by_value["clay-shop"].selected
    assert not by_value["oak-shop"].selected
    categories = next(f for f in results.facets if f.name == "category")
    assert {(v.value, v.label) for v in categories.values if v.count} == {("home", "Home")}


def test_price_and_rating_facets_use_the_shared_buckets(search_env, catalogue):
    results = search(search_env)

    prices = facet(results, "price")
    assert set(prices) <= {bucket.key for bucket in PRICE_BUCKETS}
    assert prices == {"0-2500": 3, "5000-10000": 2, "10000-20000": 1, "20000-": 2}
    assert facet(results, "rating") == {"4": 5, "3": 7, "2": 7, "1": 7}


def test_a_filtered_attribute_facet_still_counts_its_other_values(search_env, catalogue):
    results = search(search_env, attributes={"colour": ("Blue",)})

    assert results.total == 2
    assert facet(results, "attr:colour")["Red"] == 1
    assert facet(results, "attr:material") == {"Stoneware": 1, "Denim": 1}


# --- sorts and pages ----------------------------------------------------------------------------


def test_every_sort_orders_by_its_own_measure(search_env, catalogue):
    def order(sort: Sort) -> list[str]:
        return found(search_env, catalogue, sort=sort)

    by_price = ["camping", "stoneware", "teacup", "relaxed", "slim", "table", "two_seater"]
    assert order(Sort.PRICE_ASC) == [*by_price, "chesterfield"]
    assert order(Sort.PRICE_DESC) == ["chesterfield", *reversed(by_price)]
    assert order(Sort.NEWEST) == [
        "camping",
        "two_seater",
        "slim",
        "stoneware",
        "teacup",
        "chesterfield",
        "relaxed",
        "table",
    ]
    assert order(Sort.BEST_SELLING) == [
        "stoneware",
        "chesterfield",
        "slim",
        "teacup",
        "table",
        "two_seater",
        "camping",
        "relaxed",
    ]
    scores = {
        name: bayesian_rating(p.rating_sum, p.rating_count)
        for name, p in catalogue.products.items()
        if name in catalogue.searchable
    }
    assert order(Sort.RATING) == sorted(scores, key=lambda name: -scores[name])


def test_pages_cover_the_results_once_each(search_env, catalogue):
    everything = found(search_env, catalogue, sort=Sort.PRICE_ASC)
    pages = [search(search_env, sort=Sort.PRICE_ASC, per_page=3, page=n) for n in (1, 2, 3)]

    assert [results.total for results in pages] == [8, 8, 8]
    assert [len(results.hits) for results in pages] == [3, 3, 2]
    assert catalogue.names(h.product_id for r in pages for h in r.hits) == everything
    assert search(search_env, sort=Sort.PRICE_ASC, per_page=3, page=4).hits == ()


# --- ranking ------------------------------------------------------------------------------------


def test_one_five_star_review_does_not_beat_many_good_ones(search_env, catalogue):
    for name, ratings in (("lucky", (1, 5)), ("proven", (200, 960))):  # 5.0 once; 4.8 often
        add_product(
            catalogue,
            name,
            vendor="clay",
            category="home/kitchen",
            price_minor=3000,
            ratings=ratings,
            sales=10,
            title="Speckled Ceramic Planter",
            description="A speckled ceramic planter with a drainage hole.",
        )
    db.session.commit()

    assert found(search_env, catalogue, text="ceramic planter")[:2] == ["proven", "lucky"]
    assert found(search_env, catalogue, sort=Sort.RATING)[0] == "proven"


def test_a_title_match_outranks_a_description_match(search_env, catalogue):
    names = found(search_env, catalogue, text="linen")

    assert names[0] == "two_seater"  # "Linen Two-Seater Sofa"
    assert "teacup" in names  # "… packed in linen."


# --- highlights and suggestions -----------------------------------------------------------------


def test_highlights_mark_matches_and_escape_everything_else(search_env, catalogue):
    results = search(search_env, text="slim")
    hit = next(h for h in results.hits if h.product_id == catalogue.id("slim"))

    assert "<mark>Slim</mark>" in hit.highlights["title"]
    description = hit.highlights["description"]
    assert "<mark>slim</mark>" in description.replace("<mark>Slim</mark>", "<mark>slim</mark>")
    assert "&lt;through&gt;" in description
    assert "&amp;" in description
    for snippet in hit.highlights.values():
        unmarked = re.sub(r"</?mark>", "", snippet)
        assert "<" not in unmarked and ">" not in unmarked
        assert html.unescape(unmarked).strip(" .…") in html.unescape(
            catalogue.products["slim"].title + " " + catalogue.products["slim"].description
        )


def test_no_highlights_when_not_asked(search_env, catalogue):
    results = search(search_env, text="slim", with_highlights=False)

    assert all(not hit.highlights for hit in results.hits)


def test_suggest_completes_what_the_buyer_types(search_env, catalogue):
    suggestions = search_env.backend.suggest("chest")
    assert any("chesterfield" in s.lower() for s in suggestions)
    assert not any("bed" in s.lower() for s in suggestions)  # the delisted sofa bed

    assert any("stoneware" in s.lower() for s in search_env.backend.suggest("stonew"))
    assert len(search_env.backend.suggest("s", limit=2)) <= 2


# --- the pipeline end to end --------------------------------------------------------------------


def test_after_the_pipeline_runs_only_searchable_products_are_found(search_env, catalogue):
    products = catalogue.products
    products["chesterfield"].status = ProductStatus.DELISTED
    catalogue.vendors["denim"].status = VendorStatus.SUSPENDED
    products["stoneware"].variants[0].stock_on_hand = 0
    products["teacup"].variants[0].stock_on_hand = 0
    products["teacup"].variants[0].allow_backorder = True
    products["table"].title = "Oak Side Table"
    db.session.commit()

    assert set(found(search_env, catalogue)) == {"two_seater", "table", "teacup", "camping"}
    assert found(search_env, catalogue, text="side table") == ["table"]
    assert found(search_env, catalogue, text="chesterfield") == []
    assert found(search_env, catalogue, text="jeans") == []


def test_a_product_coming_back_is_found_again(search_env, catalogue):
    vendor = catalogue.vendors["closed"]
    vendor.status = VendorStatus.APPROVED
    db.session.commit()

    assert found(search_env, catalogue, text="espresso") == ["suspended"]
