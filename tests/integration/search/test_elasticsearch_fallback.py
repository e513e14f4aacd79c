"""When Elasticsearch is down, refuses connections or times out, the backend raises
SearchUnavailable (never a transport error) and the search service answers from the database,
saying so with `degraded=True`."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from marketplace.extensions import db
from marketplace.search import service
from marketplace.search.elastic import ElasticsearchBackend
from marketplace.search.types import SearchQuery, SearchUnavailable
from tests import factories
from tests.search_servers import SearchServerUnavailable, start_search_server


def closed_port_url() -> str:
    """A URL nothing listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def silent_server_url() -> Iterator[str]:
    """A server that accepts connections and never answers: every request times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for connection in accepted:
        connection.close()
    listener.close()


def es_settings(url: str, **overrides) -> dict:
    return {
        "SEARCH_BACKEND": "elasticsearch",
        "ELASTICSEARCH_URL": url,
        "ELASTICSEARCH_INDEX": "fallback-products",
        "ELASTICSEARCH_PLAIN_JSON": True,
        "ELASTICSEARCH_TIMEOUT": 0.5,
        "ELASTICSEARCH_MAX_RETRIES": 0,
        **overrides,
    }


def add_searchable_sofa() -> None:
    """A product buyers may find, committed: the outbox drain feeds the indexes it can reach."""
    vendor = factories.VendorFactory(charges_enabled=True, payouts_enabled=True)
    product = factories.ProductFactory(vendor=vendor, title="Velvet Chesterfield Sofa")
    factories.VariantFactory(product=product, price_minor=89_900, stock_on_hand=3)
    db.session.commit()


def test_an_unreachable_server_makes_search_answer_from_the_database(
    app_factory: Callable[..., Flask], caplog: pytest.LogCaptureFixture
):
    app = app_factory(**es_settings(closed_port_url()))
    with app.app_context():
        add_searchable_sofa()
        with caplog.at_level(logging.WARNING, logger="marketplace.search.service"):
            results = service.search(SearchQuery(text="chesterfield"))

        assert results.degraded is True
        assert results.backend == "database"
        assert results.total == 1
        assert "unavailable" in caplog.text


def test_the_backend_raises_search_unavailable_not_a_transport_error(
    app_factory: Callable[..., Flask],
):
    app = app_factory(**es_settings(closed_port_url()))
    with app.app_context():
        backend = service.get_backend()
        assert isinstance(backend, ElasticsearchBackend)
        for call in (
            lambda: backend.search(SearchQuery(text="sofa")),
            lambda: backend.suggest("sof"),
            lambda: backend.delete([1]),
            lambda: backend.reindex([]),
            backend.indexed_versions,
        ):
            with pytest.raises(SearchUnavailable):
                call()


def test_a_server_that_does_not_answer_in_time_is_unavailable(
    app_factory: Callable[..., Flask], silent_server_url: str
):
    app = app_factory(**es_settings(silent_server_url, ELASTICSEARCH_TIMEOUT=0.3))
    with app.app_context():
        backend = service.get_backend()
        started = time.monotonic()
        with pytest.raises(SearchUnavailable, match="search"):
            backend.search(SearchQuery(text="sofa"))
        assert time.monotonic() - started < 5

        results = service.search(SearchQuery(text="sofa"))
        assert results.degraded is True
        assert results.backend == "database"


def test_search_falls_back_when_the_server_stops_and_suggest_too(
    app_factory: Callable[..., Flask],
):
    try:
        server = start_search_server()
    except SearchServerUnavailable as error:
        pytest.skip(str(error))
    try:
        app = app_factory(**es_settings(server.url, ELASTICSEARCH_TIMEOUT=2.0))
        with app.app_context():
            add_searchable_sofa()
            answered = service.search(SearchQuery(text="chesterfield"))
            assert (answered.backend, answered.degraded, answered.total) == (
                "elasticsearch",
                False,
                1,
            )

            server.stop()

            fallback = service.search(SearchQuery(text="chesterfield"))
            assert (fallback.backend, fallback.degraded) == ("database", True)
            assert [hit.product_id for hit in fallback.hits] == [
                hit.product_id for hit in answered.hits
            ]
            assert any("chesterfield" in s.lower() for s in service.suggest("chest"))
    finally:
        server.stop()
