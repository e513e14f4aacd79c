"""The search service: which backend answers, and the database fallback when it cannot."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import pytest

from marketplace.search import service
from marketplace.search.types import (
    IndexReport,
    ProductDocument,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
)


class DownBackend:
    """A configured backend that cannot answer (as Elasticsearch when its cluster is down)."""

    name = "elasticsearch"

    def __init__(self) -> None:
        self.calls = 0

    def search(self, query: SearchQuery) -> SearchResults:
        self.calls += 1
        raise SearchUnavailable("connection refused")

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        self.calls += 1
        raise SearchUnavailable("timed out")

    def index(self, documents: Sequence[ProductDocument]) -> IndexReport:
        raise SearchUnavailable("down")

    def delete(self, product_ids: Sequence[int]) -> int:
        raise SearchUnavailable("down")

    def reindex(self, documents: Iterable[ProductDocument]) -> IndexReport:
        raise SearchUnavailable("down")

    def indexed_versions(self) -> dict[int, str]:
        raise SearchUnavailable("down")


def lamp() -> ProductDocument:
    return ProductDocument(
        product_id=7,
        slug="brass-lamp",
        title="Brass Desk Lamp",
        description="",
        vendor_id=1,
        vendor_slug="kiln",
        vendor_name="Kiln House",
        category_path="home/lighting",
        category_names=("Home", "Lighting"),
        attributes={},
        price_minor=4500,
        currency="USD",
        rating_avg=0.0,
        rating_count=0,
        rating_score=3.8,
        sales_count=0,
        in_stock=True,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        version="v1",
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_database_backend_is_the_default(app):
    assert service.get_backend() is service.database_backend()
    assert service.get_backend().name == "database"


def test_an_elasticsearch_url_selects_elasticsearch(app_factory):
    app = app_factory(ELASTICSEARCH_URL="http://127.0.0.1:9200")
    with app.app_context():
        assert service.configured_backend_name() == "elasticsearch"
        assert service.get_backend().name == "elasticsearch"
        assert service.get_backend() is service.get_backend()  # built once per app


def test_search_backend_setting_forces_the_database(app_factory):
    app = app_factory(ELASTICSEARCH_URL="http://127.0.0.1:9200", SEARCH_BACKEND="database")
    with app.app_context():
        assert service.get_backend().name == "database"


def test_an_unknown_backend_name_is_refused(app_factory):
    app = app_factory(SEARCH_BACKEND="solr")
    with app.app_context(), pytest.raises(RuntimeError, match="SEARCH_BACKEND"):
        service.get_backend()


def test_the_database_answers_when_the_configured_backend_is_down(app, caplog):
    service.database_backend().index([lamp()])
    down = DownBackend()
    app.extensions["search_backend"] = down
    with caplog.at_level(logging.WARNING, logger="marketplace.search.service"):
        results = service.search(SearchQuery(text="brass lamp"))
    assert down.calls == 1
    assert [hit.product_id for hit in results.hits] == [7]
    assert results.degraded is True
    assert results.backend == "database"
    assert any(
        "elasticsearch unavailable" in r.getMessage() and r.levelno == logging.WARNING
        for r in caplog.records
    )


def test_suggestions_fall_back_too(app, caplog):
    service.database_backend().index([lamp()])
    app.extensions["search_backend"] = DownBackend()
    with caplog.at_level(logging.WARNING, logger="marketplace.search.service"):
        assert service.suggest("bra") == ["Brass Desk Lamp"]
    assert "unavailable" in caplog.text


def test_an_answer_from_the_configured_database_is_not_degraded(app):
    service.database_backend().index([lamp()])
    results = service.search(SearchQuery(text="lamp"))
    assert results.degraded is False
    assert [hit.product_id for hit in results.hits] == [7]


def test_an_unreachable_elasticsearch_falls_back_to_the_database(app_factory, caplog):
    app = app_factory(
        ELASTICSEARCH_URL=f"http://127.0.0.1:{closed_port()}",
        ELASTICSEARCH_TIMEOUT=0.5,
        ELASTICSEARCH_MAX_RETRIES=0,
    )
    with app.app_context(), caplog.at_level(logging.WARNING):
        service.database_backend().index([lamp()])
        results = service.search(SearchQuery(text="lamp"))
        assert results.degraded is True
        assert [hit.product_id for hit in results.hits] == [7]
