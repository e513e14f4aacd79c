"""The database search backend on SQLite (FTS5) and on PostgreSQL (tsvector), feature by feature.

Documents are handed to the backend directly, as the indexing pipeline does; the shared
contract suite (tests/contract/) covers the same backend fed from real products.
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from marketplace.extensions import db
from marketplace.search.analysis import analyse
from marketplace.search.database import DatabaseBackend
from marketplace.search.database import query as querying
from marketplace.search.database.dialects import dialect_for
from marketplace.search.database.fields import count_codes, pack_codes
from marketplace.search.database.models import SearchDocumentRow, SearchFacetCode, SearchTerm
from marketplace.search.database.vocabulary import current_snapshot
from marketplace.search.documents import iter_all_documents
from marketplace.search.models import SearchSynonym
from marketplace.search.types import (
    PRICE_BUCKETS,
    ProductDocument,
    SearchBackend,
    SearchQuery,
    Sort,
)
from tests.factories import CategoryFactory, ProductFactory, VariantFactory, VendorFactory
from tests.helpers import MIGRATIONS

START = datetime(2026, 1, 1, tzinfo=UTC)
BEFORE_HOT_COLUMNS = "8d6e0a2c4b75"  # the revision before search_documents' new column order
CATEGORIES = {
    "home/furniture/sofas": ("Home", "Furniture", "Sofas"),
    "home/furniture/coffee-tables": ("Home", "Furniture", "Coffee Tables"),
    "home/lighting/floor-lamps": ("Home", "Lighting", "Floor Lamps"),
    "outdoor/camping/sleeping-bags": ("Outdoor", "Camping", "Sleeping Bags"),
}
VENDORS = {"fern": "Fern & Co", "kiln": "Kiln House"}


def document(product_id: int, title: str, **fields) -> ProductDocument:
    category = fields.pop("category", "home/furniture/sofas")
    vendor = fields.pop("vendor", "fern")
    values = {
        "slug": f"product-{product_id}",
        "description": "",
        "vendor_id": list(VENDORS).index(vendor) + 1,
        "vendor_slug": vendor,
        "vendor_name": VENDORS[vendor],
        "category_path": category,
        "category_names": CATEGORIES[category],
        "attributes": {},
        "price_minor": 5000,
        "currency": "USD",
        "rating_avg": 0.0,
        "rating_count": 0,
        "rating_score": 3.8,
        "sales_count": 0,
        "in_stock": True,
        "created_at": START + timedelta(days=product_id),
        "version": f"v{product_id}",
        **fields,
    }
    return ProductDocument(product_id=product_id, title=title, **values)


@pytest.fixture(params=["app", pytest.param("pg_app", marks=pytest.mark.integration)])
def backend(request) -> DatabaseBackend:
    request.getfixturevalue(request.param)
    return DatabaseBackend()


@pytest.fixture
def catalogue(backend) -> dict[str, ProductDocument]:
    docs = {
        "velvet sofa": document(
            1,
            "Velvet Sofa",
            description="A deep three-seat sofa.",
            attributes={"color": "Green", "material": "Velvet"},
            price_minor=89900,
            rating_avg=4.6,
            rating_count=120,
            rating_score=4.5,
            sales_count=300,
        ),
        "linen sofa": document(
            2,
            "Linen Sofa with Chaise",
            vendor="kiln",
            attributes={"color": "Blue", "material": "Linen"},
            price_minor=64900,
            rating_avg=4.0,
            rating_count=10,
            rating_score=3.9,
            sales_count=40,
            in_stock=False,
        ),
        "oak table": document(
            3,
            "Oak Coffee Table, Lift-Top",
            category="home/furniture/coffee-tables",
            description="Pairs well with our sofa collection.",
            attributes={"color": "Natural", "material": "Oak"},
            price_minor=24900,
        ),
        "floor lamp": document(
            4,
            "Arc Floor Lamp",
            category="home/lighting/floor-lamps",
            vendor="kiln",
            attributes={"color": "Black", "material": "Metal", "finish": "Matte"},
            price_minor=2500,
            rating_avg=3.0,
            rating_count=2,
            rating_score=3.7,
        ),
        "sleeping bag": document(
            5,
            "Mummy Sleeping Bag",
            category="outdoor/camping/sleeping-bags",
            description="Rated to -5 °C; packs small.",
            attributes={"color": "Green", "material": "Down"},
            price_minor=12000,
        ),
    }
    report = backend.index(list(docs.values()))
    db.session.commit()
    assert report.indexed == len(docs) and not report.errors
    return docs


def ids(results) -> list[int]:
    return [hit.product_id for hit in results.hits]


def facet(results, name):
    return {v.value: v.count for f in results.facets if f.name == name for v in f.values}


# --- the index -----------------------------------------------------------------------------------


def test_the_backend_follows_the_protocol(backend):
    assert isinstance(backend, SearchBackend)
    assert backend.name == "database"


def test_index_delete_and_versions(backend, catalogue):
    assert backend.indexed_versions() == {d.product_id: d.version for d in catalogue.values()}
    assert backend.delete([1, 999]) == 1
    assert backend.delete([1]) == 0
    assert 1 not in backend.indexed_versions()
    assert ids(backend.search(SearchQuery(text="velvet"))) == []


def test_replacing_a_document_replaces_what_is_found(backend, catalogue):
    changed = replace(catalogue["oak table"], title="Walnut Coffee Table", version="v3b")
    assert backend.index([changed]).indexed == 1
    assert ids(backend.search(SearchQuery(text="walnut"))) == [3]
    assert ids(backend.search(SearchQuery(text="lift top"))) == []
    assert backend.indexed_versions()[3] == "v3b"


def test_reindex_keeps_only_the_documents_given(backend, catalogue):
    kept = [catalogue["velvet sofa"], catalogue["floor lamp"]]
    report = backend.reindex(iter(kept))
    assert (report.indexed, report.deleted) == (2, 3)
    assert set(backend.indexed_versions()) == {1, 4}


def test_the_vocabulary_forgets_the_words_of_removed_documents(backend, catalogue):
    assert db.session.scalar(select(SearchTerm.doc_count).where(SearchTerm.term == "mummy")) == 1
    backend.delete([5])
    assert db.session.scalar(select(func.count()).where(SearchTerm.term == "mummy")) == 0
    assert db.session.scalar(select(SearchTerm.doc_count).where(SearchTerm.term == "sofa")) == 3


# --- text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chaise", {2}),  # title
        ("packs small", {5}),  # description
        ("kiln house", {2, 4}),  # vendor
        ("lighting", {4}),  # category
        ("matte", {4}),  # attribute
        ("SOFAS", {1, 2, 3}),  # plural and case; the table's description mentions sofas
    ],
)
def test_text_is_found_in_every_field(backend, catalogue, text, expected):
    assert set(ids(backend.search(SearchQuery(text=text)))) == expected


def test_the_category_named_outranks_a_mention_in_a_description(backend, catalogue):
    found = ids(backend.search(SearchQuery(text="sofa")))
    assert found[-1] == 3
    assert set(found[:2]) == {1, 2}


def test_typos_are_forgiven_and_offered_as_did_you_mean(backend, catalogue):
    results = backend.search(SearchQuery(text="velvit sofa"))
    assert ids(results)[0] == 1
    assert results.suggestions == ("velvet sofa",)
    assert backend.search(SearchQuery(text="velvet sofa")).suggestions == ()


def test_synonyms_apply_at_once(backend, catalogue):
    assert ids(backend.search(SearchQuery(text="couch"))) == []
    db.session.add(SearchSynonym(rule="couch, sofa"))
    db.session.commit()
    assert ids(backend.search(SearchQuery(text="green couch")))[0] == 1
    assert set(ids(backend.search(SearchQuery(text="couch")))) == {1, 2, 3}


def test_a_modifier_nothing_has_still_finds_the_kind_of_product(backend, catalogue):
    """Too few strict matches: the sofas come first, then what only mentions sofas."""
    results = backend.search(SearchQuery(text="purple sofa"))
    assert set(ids(results)[:2]) == {1, 2}
    assert ids(results)[2:] == [3]


def test_accents_are_folded_both_ways(backend, catalogue):
    assert ids(backend.search(SearchQuery(text="véLvet"))) == [1]
    assert ids(backend.search(SearchQuery(text="-5 c"))) == [5]


# --- filters, facets, sorts, pages ------------------------------------------------------------


def test_filters(backend, catalogue):
    search = backend.search
    assert set(ids(search(SearchQuery(category_path="home/furniture")))) == {1, 2, 3}
    assert set(ids(search(SearchQuery(category_path="home/furn")))) == set()
    assert set(ids(search(SearchQuery(vendor_slugs=("kiln", "nobody"))))) == {2, 4}
    in_range = SearchQuery(price_min_minor=2500, price_max_minor=24900)
    assert set(ids(search(in_range))) == {4, 5}
    assert set(ids(search(SearchQuery(min_rating=4)))) == {1, 2}
    assert set(ids(search(SearchQuery(min_rating=1)))) == {1, 2, 4}  # reviewed ones only
    assert 2 not in ids(search(SearchQuery(in_stock=True)))
    by_colour = SearchQuery(attributes={"color": ("Green", "Black")})
    assert set(ids(search(by_colour))) == {1, 4, 5}
    both = SearchQuery(attributes={"color": ("Green",), "material": ("Down",)})
    assert ids(search(both)) == [5]
    assert set(ids(search(SearchQuery(text="green", category_path="outdoor")))) == {5}


def test_an_attribute_filter_takes_the_value_whole(backend, catalogue):
    # Values are numbered (Black is the first, Velvet the tenth here): a filter on one value
    # must never take a value whose number merely starts with the same digits.
    assert ids(backend.search(SearchQuery(attributes={"color": ("Black",)}))) == [4]
    assert ids(backend.search(SearchQuery(attributes={"material": ("Velvet",)}))) == [1]


def test_an_attribute_value_nobody_has_finds_nothing_and_facets_still_count(backend, catalogue):
    results = backend.search(SearchQuery(attributes={"color": ("Plaid",)}))
    assert (ids(results), results.total) == ([], 0)
    colours = facet(results, "attr:color")
    assert colours == {"Green": 2, "Blue": 1, "Natural": 1, "Black": 1}
    assert facet(results, "vendor") == {}


def test_a_facet_filter_keeps_the_ranking_and_scores_of_what_it_keeps(backend, catalogue):
    unfiltered = backend.search(SearchQuery(text="sofa"))
    filtered = backend.search(SearchQuery(text="sofa", attributes={"color": ("Green", "Blue")}))
    kept = [(hit.product_id, hit.score) for hit in filtered.hits]
    assert kept == [
        (hit.product_id, hit.score) for hit in unfiltered.hits if hit.product_id in {1, 2}
    ]
    assert [i for i, _ in kept] == [1, 2]


def test_each_facet_counts_with_the_other_filters_applied(backend, catalogue):
    query = SearchQuery(vendor_slugs=("kiln",), attributes={"color": ("Blue",)})
    results = backend.search(query)
    assert ids(results) == [2]
    assert facet(results, "vendor") == {"kiln": 1, "fern": 0} or facet(results, "vendor") == {
        "kiln": 1
    }
    colours = facet(results, "attr:color")
    assert colours == {"Blue": 1, "Black": 1}  # kiln's colours, the colour filter left out
    selected = {v.value for f in results.facets for v in f.values if v.selected}
    assert selected == {"kiln", "Blue"}
    assert facet(results, "category") == {"home": 1}


def test_category_facet_offers_children_of_the_filter(backend, catalogue):
    results = backend.search(SearchQuery(category_path="home"))
    (category,) = [f for f in results.facets if f.name == "category"]
    assert {v.value: (v.label, v.count) for v in category.values} == {
        "home/furniture": ("Furniture", 3),
        "home/lighting": ("Lighting", 1),
    }


def test_price_and_rating_facets(backend, catalogue):
    results = backend.search(SearchQuery())
    prices = facet(results, "price")
    assert list(prices) == [bucket.key for bucket in PRICE_BUCKETS]
    assert prices == {"0-2500": 0, "2500-5000": 1, "5000-10000": 0, "10000-20000": 1, "20000-": 3}
    assert facet(results, "rating") == {"4": 2, "3": 3, "2": 3, "1": 3}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (Sort.PRICE_ASC, [4, 5, 3, 2, 1]),
        (Sort.PRICE_DESC, [1, 2, 3, 5, 4]),
        (Sort.NEWEST, [5, 4, 3, 2, 1]),
        (Sort.RATING, [1, 2, 3, 5, 4]),  # Bayesian score; ties by relevance, then id
        (Sort.BEST_SELLING, [1, 2]),
    ],
)
def test_sorts(backend, catalogue, sort, expected):
    found = ids(backend.search(SearchQuery(sort=sort)))
    assert found[: len(expected)] == expected


def test_pages_cover_every_result_once(backend, catalogue):
    pages = [backend.search(SearchQuery(per_page=2, page=n)) for n in (1, 2, 3, 4)]
    assert [len(p.hits) for p in pages] == [2, 2, 1, 0]
    assert sorted(i for p in pages for i in ids(p)) == [1, 2, 3, 4, 5]
    assert {p.total for p in pages} == {5}


def test_relevance_blends_rating_and_sales_with_a_bayesian_average(backend):
    one_review = document(10, "Walnut Bookcase", rating_avg=5.0, rating_count=1, rating_score=3.9)
    many_reviews = document(
        11, "Walnut Bookcase", rating_avg=4.7, rating_count=200, rating_score=4.68, sales_count=900
    )
    backend.index([one_review, many_reviews])
    assert ids(backend.search(SearchQuery(text="walnut bookcase"))) == [11, 10]


# --- highlights and suggestions -------------------------------------------------------------


def test_highlights_mark_matches_and_escape_the_rest(backend):
    backend.index([document(20, "<Oak> & Ash Stool", description='Solid oak, "hand-oiled".')])
    (hit,) = backend.search(SearchQuery(text="oak")).hits
    assert hit.highlights["title"] == "&lt;<mark>Oak</mark>&gt; &amp; Ash Stool"
    assert hit.highlights["description"] == "Solid <mark>oak</mark>, &quot;hand-oiled&quot;."
    (plain,) = backend.search(SearchQuery(text="oak", with_highlights=False)).hits
    assert plain.highlights == {}


def test_suggest_completes_names_then_titles(backend, catalogue):
    assert backend.suggest("sle")[:1] == ["Sleeping Bags"]
    assert "Mummy Sleeping Bag" in backend.suggest("mummy sle")
    assert backend.suggest("green so", limit=3)[0] == "green sofas"
    assert backend.suggest("") == []
    assert len(backend.suggest("s", limit=2)) == 2


def test_settling_after_a_committed_rebuild_leaves_searches_answering(backend, catalogue):
    # On PostgreSQL this vacuums the index tables on a connection of its own: it must not
    # wait on the session (which has committed) nor leave anything behind in it.
    backend.reindex(list(catalogue.values()))
    db.session.commit()
    backend.settle()
    assert set(ids(backend.search(SearchQuery(text="sofa")))) == {1, 2, 3}


def test_each_document_keeps_its_facet_tokens_as_packed_codes(backend, catalogue):
    rows = db.session.execute(select(SearchDocumentRow.facet_tokens, SearchDocumentRow.facet_codes))
    tokens_of = dict(db.session.execute(select(SearchFacetCode.code, SearchFacetCode.token)).all())
    for tokens, packed in rows:
        codes = array("I", packed)
        if sys.byteorder == "big":
            codes.byteswap()
        assert [tokens_of[c] for c in codes] == tokens.split()
    # A code is given once per token, whoever writes it.
    backend.index([replace(catalogue["velvet sofa"], version="v1b", price_minor=89800)])
    assert db.session.scalar(select(func.count()).select_from(SearchFacetCode)) == len(
        set(tokens_of.values())
    )


def test_counting_packed_codes_counts_every_document_once_per_code():
    packed = [pack_codes([3, 7]), pack_codes([7]), b"", pack_codes([70_000, 3])]
    assert count_codes(packed) == {3: 2, 7: 2, 70_000: 1}
    assert count_codes([]) == {}
    assert count_codes([b""]) == {}


def test_a_word_the_index_lacks_still_matches_but_is_not_scored(backend, catalogue):
    snapshot = current_snapshot()
    analysed = querying.matchable(
        analyse("velvt sofa", [], snapshot.vocabulary), snapshot.vocabulary.terms
    )
    weights = {alt.phrase: alt.weight for g in analysed.groups for alt in g.alternatives}
    assert weights["velvt"] == 0.0  # the buyer's own word: matched, never looked for
    assert weights["velvet"] > 0  # its fix
    params: dict = {}
    querying.score_sql(dialect_for(db.session), analysed, params, descriptions=False)
    assert " velvt " not in params.values()
    assert " velvet " in params.values()
    assert ids(backend.search(SearchQuery(text="velvt sofa")))[0] == 1


def test_a_rebuild_reads_the_catalogue_category_by_category(app):
    # Written in this order, a category's documents share pages on PostgreSQL.
    home, outdoor = CategoryFactory(slug="home"), CategoryFactory(slug="outdoor")
    leaves = [
        CategoryFactory(slug="tents", parent=outdoor),
        CategoryFactory(slug="sofas", parent=home),
        CategoryFactory(slug="lamps", parent=home),
    ]
    vendor = VendorFactory()
    for category in [*leaves, home, *leaves]:
        VariantFactory(product=ProductFactory(vendor=vendor, category=category))
    db.session.commit()
    order = [(d.category_path, d.product_id) for d in iter_all_documents(batch_size=2)]
    assert order == sorted(order)
    assert len(order) == 7


def test_the_migration_to_hot_columns_first_keeps_every_answer(backend, catalogue):
    queries = [
        SearchQuery(text="sofa"),
        SearchQuery(text="sofa", vendor_slugs=("kiln",), sort=Sort.PRICE_ASC),
        SearchQuery(category_path="home", attributes={"color": ("Green",)}),
        SearchQuery(text="lamp", in_stock=True),
    ]
    db.session.commit()
    before = [backend.search(q) for q in queries]
    db.session.remove()  # the migration rebuilds the tables this session has read
    downgrade(directory=MIGRATIONS, revision=BEFORE_HOT_COLUMNS)
    upgrade(directory=MIGRATIONS)
    db.session.remove()
    assert [backend.search(q) for q in queries] == before
    columns = [c["name"] for c in inspect(db.engine).get_columns("search_documents")]
    assert columns[:11] == [
        "product_id", "price_minor", "rating_count", "sales_count", "vendor_id", "rating_avg",
        "rating_score", "created_epoch", "quality", "in_stock", "facet_codes",
    ]  # fmt: skip
    backend.index([replace(catalogue["velvet sofa"], version="v1c", title="Velvet Sofa Bed")])
    assert ids(backend.search(SearchQuery(text="sofa bed")))[0] == 1
