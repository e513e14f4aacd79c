"""The Elasticsearch backend's index management, against a real Elasticsearch-API server:
versioned indices behind the alias, a rebuild that never interrupts searches, and bulk writes
that report each refused document instead of failing the batch."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from marketplace.search import service
from marketplace.search.elastic import ElasticsearchBackend
from marketplace.search.types import ProductDocument, SearchQuery

INT_MAX = 2**31 - 1


def document(product_id: int, title: str, **fields) -> ProductDocument:
    values = {
        "product_id": product_id,
        "slug": f"product-{product_id}",
        "title": title,
        "description": f"{title}, made to last.",
        "vendor_id": 1,
        "vendor_slug": "oak-shop",
        "vendor_name": "Oak & Iron",
        "category_path": "home/furniture",
        "category_names": ("Home", "Furniture"),
        "attributes": {"colour": "Green"},
        "price_minor": 10_000 + product_id,
        "currency": "USD",
        "rating_avg": 0.0,
        "rating_count": 0,
        "rating_score": 3.8,
        "sales_count": product_id,
        "in_stock": True,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=product_id),
        "version": f"v{product_id}",
    }
    values.update(fields)
    return ProductDocument(**values)


@pytest.fixture
def backend(es_app: Flask) -> ElasticsearchBackend:
    configured = service.get_backend()
    assert isinstance(configured, ElasticsearchBackend)
    return configured


def live_indices(backend: ElasticsearchBackend) -> set[str]:
    return set(backend.client.indices.get_alias(name=backend.alias).body)


def all_indices(backend: ElasticsearchBackend) -> set[str]:
    return set(backend.client.indices.get(index=f"{backend.alias}-*").body)


def test_reindex_builds_a_new_index_moves_the_alias_and_drops_the_old_one(backend):
    backend.index([document(1, "Oak Table"), document(2, "Oak Chair")])
    before = live_indices(backend)

    report = backend.reindex([document(2, "Oak Chair"), document(3, "Oak Bench")])

    after = live_indices(backend)
    assert report.indexed == 2 and not report.errors
    assert len(after) == 1 and after.isdisjoint(before)
    assert all_indices(backend) == after  # the old index is gone, no rebuild left behind
    assert set(backend.indexed_versions()) == {2, 3}


def slow(documents: list[ProductDocument], pause: float) -> Iterator[ProductDocument]:
    for item in documents:
        time.sleep(pause)
        yield item


def test_searches_keep_answering_while_the_index_is_rebuilt(es_app: Flask, backend):
    old = [document(i, f"Walnut Shelf {i}") for i in range(1, 21)]
    new = [document(i, f"Walnut Shelf {i}") for i in range(1, 31)]
    backend.index(old)
    totals: list[int] = []
    failures: list[Exception] = []
    rebuilding = threading.Event()

    def search_meanwhile() -> None:
        with es_app.app_context():
            while rebuilding.is_set():
                try:
                    totals.append(backend.search(SearchQuery(text="walnut shelf")).total)
                except Exception as error:  # any failure is what this test looks for
                    failures.append(error)

    rebuilding.set()
    searcher = threading.Thread(target=search_meanwhile)
    searcher.start()
    try:
        backend.reindex(slow(new, pause=0.05))
    finally:
        rebuilding.clear()
        searcher.join(timeout=30)

    assert failures == []
    assert len(totals) >= 3  # it really searched during the rebuild
    assert set(totals) <= {20, 30}  # the old index until the switch, then the new one
    assert backend.search(SearchQuery(text="walnut shelf")).total == 30


def test_changes_made_during_a_rebuild_are_kept_by_it(backend):
    backend.index([document(1, "Pine Desk")])

    def documents() -> Iterator[ProductDocument]:
        yield document(1, "Pine Desk")  # read from the database before the edit below
        backend.index([document(1, "Pine Writing Desk", version="edited")])
        yield document(2, "Pine Stool")

    backend.reindex(documents())

    assert backend.indexed_versions() == {1: "edited", 2: "v2"}


def test_a_failed_rebuild_leaves_the_live_index_alone(backend):
    backend.index([document(1, "Ash Cabinet")])
    before = live_indices(backend)

    def documents() -> Iterator[ProductDocument]:
        yield document(1, "Ash Cabinet")
        raise RuntimeError("the database went away mid-rebuild")

    with pytest.raises(RuntimeError):
        backend.reindex(documents())

    assert live_indices(backend) == before
    assert all_indices(backend) == before
    assert backend.search(SearchQuery(text="ash cabinet")).total == 1


def test_bulk_indexing_reports_each_refused_document_and_keeps_the_rest(backend):
    refused = document(2, "Birch Lamp", sales_count=INT_MAX + 1)  # beyond the integer field

    report = backend.index([document(1, "Birch Table"), refused, document(3, "Birch Chair")])

    assert report.indexed == 2
    assert set(report.errors) == {2}
    assert "sales_count" in report.errors[2]
    assert set(backend.indexed_versions()) == {1, 3}


def test_a_rebuild_reports_refused_documents_too(backend):
    refused = document(5, "Elm Rack", rating_count=INT_MAX + 1)

    report = backend.reindex([document(4, "Elm Bench"), refused])

    assert report.indexed == 1
    assert list(report.errors) == [5]
    assert set(backend.indexed_versions()) == {4}


def test_delete_counts_what_it_removed_and_ignores_what_was_never_there(backend):
    backend.index([document(1, "Teak Tray"), document(2, "Teak Bowl")])

    assert backend.delete([2, 99]) == 1
    assert set(backend.indexed_versions()) == {1}
