"""Pages without text (the catalogue, a department, a category) on the database backend.

They are answered from the facet counts the writer keeps and from one index per sort order,
without reading the category's products; these tests hold them to the answer the general path
(every product of the category read, sorted and counted) gives, and the kept counts to the
documents, through writes, replacements, removals and the migration that fills them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from marketplace.extensions import db
from marketplace.search.analysis import analyse
from marketplace.search.database import DatabaseBackend
from marketplace.search.database import query as querying
from marketplace.search.database.dialects import dialect_for
from marketplace.search.database.fields import category_scopes
from marketplace.search.database.models import SearchDocumentRow, SearchFacetCount
from marketplace.search.database.vocabulary import current_snapshot
from marketplace.search.types import ProductDocument, SearchQuery, Sort
from tests.helpers import MIGRATIONS

START = datetime(2026, 1, 1, tzinfo=UTC)
CATEGORIES = {
    "home": ("Home",),
    "home/furniture/sofas": ("Home", "Furniture", "Sofas"),
    "home/furniture/tables": ("Home", "Furniture", "Tables"),
    "home/lighting/lamps": ("Home", "Lighting", "Lamps"),
    "outdoor/camping/tents": ("Outdoor", "Camping", "Tents"),
}
COLOURS = ("Green", "Blue", "Oak", "Black")
BEFORE_THIS_REVISION = "7c5d9f1b3a64"


def product(product_id: int, **fields) -> ProductDocument:
    """A varied product: prices, ratings and sales repeat, so sorts must break their ties."""
    category = fields.pop("category", list(CATEGORIES)[product_id % len(CATEGORIES)])
    vendor = "fern" if product_id % 3 else "kiln"
    values = {
        "slug": f"product-{product_id}",
        "title": f"Product {product_id}",
        "description": "",
        "vendor_id": 1 if vendor == "fern" else 2,
        "vendor_slug": vendor,
        "vendor_name": vendor.title(),
        "category_path": category,
        "category_names": CATEGORIES[category],
        "attributes": {"color": COLOURS[product_id % len(COLOURS)]},
        "price_minor": 1000 * (product_id % 7) + 500,
        "currency": "USD",
        "rating_avg": float(product_id % 5),
        "rating_count": product_id % 4,
        "rating_score": 3.0 + (product_id % 3) / 2,
        "sales_count": (product_id % 6) * 10,
        "in_stock": product_id % 5 != 0,
        "created_at": START + timedelta(days=product_id % 9),
        "version": f"v{product_id}",
        **fields,
    }
    return ProductDocument(product_id=product_id, **values)


@pytest.fixture(params=["app", pytest.param("pg_app", marks=pytest.mark.integration)])
def backend(request) -> DatabaseBackend:
    request.getfixturevalue(request.param)
    return DatabaseBackend()


@pytest.fixture
def shop(backend) -> list[ProductDocument]:
    documents = [product(n) for n in range(1, 61)]
    backend.index(documents)
    db.session.commit()
    return documents


def general_answer(query: SearchQuery) -> querying.Answer:
    """The answer of the path that reads every product of the category."""
    dialect = dialect_for(db.session)
    filters = querying.compile_filters(dialect, query)
    labels = current_snapshot().labels
    return querying.answer(dialect, analyse("", [], None), None, filters, query, labels)


def browsed_answer(query: SearchQuery) -> querying.Answer:
    return querying.browse_answer(dialect_for(db.session), query)


def assert_same_answer(query: SearchQuery) -> None:
    general, browsed = general_answer(query), browsed_answer(query)
    assert browsed.total == general.total
    assert browsed.hits == general.hits
    assert +browsed.counts == +general.counts


def recounted() -> dict[tuple[str, bool, str], int]:
    """The facet counts computed afresh from the stored documents."""
    counts: dict[tuple[str, bool, str], int] = {}
    rows = db.session.execute(
        select(
            SearchDocumentRow.category_path,
            SearchDocumentRow.in_stock,
            SearchDocumentRow.facet_tokens,
        )
    )
    for path, in_stock, tokens in rows:
        for scope in category_scopes(path):
            for token in tokens.split():
                key = (scope, bool(in_stock), token)
                counts[key] = counts.get(key, 0) + 1
    return counts


def kept() -> dict[tuple[str, bool, str], int]:
    rows = db.session.execute(select(SearchFacetCount))
    return {(r.category_path, r.in_stock, r.token): r.products for (r,) in rows}


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("category", [None, "home", "home/furniture", "outdoor/camping/tents"])
def test_a_page_without_text_is_the_answer_of_reading_the_whole_category(shop, sort, category):
    for in_stock in (False, True):
        for page in (1, 2, 4):
            assert_same_answer(
                SearchQuery(
                    category_path=category, sort=sort, in_stock=in_stock, page=page, per_page=7
                )
            )


def test_the_page_answers_the_buyer_page_with_facets(backend, shop):
    results = backend.search(SearchQuery(category_path="home", sort=Sort.PRICE_ASC, per_page=5))
    home = [d for d in shop if d.category_path.startswith("home")]
    assert results.total == len(home)
    prices = [
        next(d.price_minor for d in shop if d.product_id == h.product_id) for h in results.hits
    ]
    assert prices == sorted(d.price_minor for d in home)[:5]
    category = next(f for f in results.facets if f.name == "category")
    # Products filed under "home" itself count for it, not for a child.
    assert {v.value: v.count for v in category.values} == {
        "home/furniture": sum(d.category_path.startswith("home/furniture") for d in shop),
        "home/lighting": sum(d.category_path.startswith("home/lighting") for d in shop),
    }


def test_an_empty_category_and_an_unknown_one_find_nothing(backend, shop):
    for path in ("garden", "home/furn"):
        results = backend.search(SearchQuery(category_path=path))
        assert (results.total, results.hits) == (0, ())


def test_the_kept_counts_follow_writes_replacements_and_removals(backend, shop):
    assert kept() == recounted()
    moved = replace(shop[0], category_path="outdoor/camping/tents",
                    category_names=CATEGORIES["outdoor/camping/tents"], in_stock=False,
                    price_minor=99_900, version="moved")  # fmt: skip
    backend.index([moved, product(500, vendor_slug="new-shop")])
    backend.delete([shop[1].product_id, shop[2].product_id, 12345])
    db.session.commit()
    assert kept() == recounted()
    assert all(n > 0 for n in kept().values())  # nothing lingers at zero
    assert_same_answer(SearchQuery(category_path="outdoor", sort=Sort.PRICE_DESC))
    backend.delete([d.product_id for d in shop] + [500])
    db.session.commit()
    assert kept() == {}


def test_a_rebuild_recounts_the_facets(backend, shop):
    db.session.execute(update(SearchFacetCount).values(products=SearchFacetCount.products + 7))
    db.session.commit()
    backend.reindex([replace(d, price_minor=d.price_minor + 3000, version="b") for d in shop[:40]])
    db.session.commit()
    assert kept() == recounted()
    assert_same_answer(SearchQuery(sort=Sort.BEST_SELLING, in_stock=True))


def facets_of(found: querying.Answer, query: SearchQuery):
    """The facets a buyer is shown for this answer."""
    return querying.all_facets(found, query, current_snapshot().labels)


ONE_FILTER = {
    "vendor": {"vendor_slugs": ("kiln",)},
    "price": {"price_min_minor": 2500, "price_max_minor": 5000},
    "rating": {"min_rating": 3},
    "attr:color": {"attributes": {"color": ("Green", "Oak")}},
}


@pytest.mark.parametrize("facet", list(ONE_FILTER))
@pytest.mark.parametrize("category", [None, "home"])
def test_a_page_with_one_facet_filter_reads_only_what_passes_it(shop, facet, category):
    for sort in (Sort.RELEVANCE, Sort.NEWEST):
        for in_stock in (False, True):
            query = SearchQuery(category_path=category, sort=sort, in_stock=in_stock, per_page=5,
                                **ONE_FILTER[facet])  # fmt: skip
            dialect = dialect_for(db.session)
            filters = querying.compile_filters(dialect, query)
            general = general_answer(query)
            narrowed = querying.browse_filtered_answer(
                dialect, analyse("", [], None), filters, query, current_snapshot().labels
            )
            assert (narrowed.total, narrowed.hits) == (general.total, general.hits)
            assert facets_of(narrowed, query) == facets_of(general, query)


def test_a_facet_filter_takes_the_general_path_and_still_counts_right(backend, shop):
    results = backend.search(SearchQuery(category_path="home", vendor_slugs=("kiln",)))
    vendors = {v.value: v.count for f in results.facets if f.name == "vendor" for v in f.values}
    home = [d for d in shop if d.category_path.startswith("home")]
    assert vendors == {
        "fern": sum(d.vendor_slug == "fern" for d in home),
        "kiln": sum(d.vendor_slug == "kiln" for d in home),
    }
    assert results.total == vendors["kiln"]


def test_the_migration_counts_the_documents_already_indexed(app):
    DatabaseBackend().index([product(n) for n in range(1, 31)])
    db.session.commit()
    expected = kept()
    assert expected
    downgrade(directory=MIGRATIONS, revision=BEFORE_THIS_REVISION)
    upgrade(directory=MIGRATIONS)
    db.session.remove()
    assert kept() == expected
