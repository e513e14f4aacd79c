"""Shared fixtures: an app per test on a database built by the migrations, and factories.

Unit tests get a SQLite file copied from a template that the migrations built once per run.
Integration tests (`tests/integration/`) use the real services named by `DATABASE_URL` and
`REDIS_URL`; without them they skip, unless `MARKETPLACE_REQUIRE_SERVICES=1` makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from marketplace import create_app
from marketplace.extensions import db
from tests import factories
from tests.helpers import (
    IsolatedClient,
    app_settings,
    build_schema,
    require_service,
    services_required,
)
from tests.search_servers import SearchServerUnavailable, drop_test_indices, start_search_server


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    app = create_app(app_settings(folder, f"sqlite:///{path}"))
    build_schema(app)
    with app.app_context():
        db.engine.dispose()
    return path


@pytest.fixture
def app_factory(sqlite_template: Path, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on a fresh copy of the migrated SQLite database, with overrides."""
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        path = tmp_path / f"db-{len(apps)}.sqlite"
        shutil.copyfile(sqlite_template, path)
        app = create_app(app_settings(tmp_path, f"sqlite:///{path}", **overrides))
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Iterator[Flask]:
    app = app_factory()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client whose requests each run in their own app context and database session."""
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def db_session(app: Flask):
    return db.session


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    def make(**fields: Any):
        return factories.UserFactory(**fields)

    return make


@pytest.fixture
def make_vendor(app: Flask) -> Callable[..., Any]:
    def make(**fields: Any):
        payable = fields.pop("payable", True)
        fields.setdefault("charges_enabled", payable)
        fields.setdefault("payouts_enabled", payable)
        return factories.VendorFactory(**fields)

    return make


@pytest.fixture
def make_category(app: Flask) -> Callable[..., Any]:
    def make(**fields: Any):
        return factories.CategoryFactory(**fields)

    return make


@pytest.fixture
def make_product(app: Flask) -> Callable[..., Any]:
    """A product with one variant; `price_minor` and `stock` configure that variant."""

    def make(price_minor: int = 2500, stock: int = 10, **fields: Any):
        product = factories.ProductFactory(**fields)
        factories.VariantFactory(product=product, price_minor=price_minor, stock_on_hand=stock)
        return product

    return make


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of our own on the PostgreSQL server, built by the migrations, dropped after."""
    base = make_url(
        require_service("DATABASE_URL").replace("postgresql://", "postgresql+psycopg://", 1)
    )
    name = f"marketplace_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    uri = base.set(database=name).render_as_string(hide_password=False)
    try:
        build_schema(create_app(app_settings(tmp_path_factory.mktemp("pg"), uri)))
        yield uri
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_app(postgres_uri: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on PostgreSQL; every table is emptied after the test."""
    app = create_app(app_settings(tmp_path, postgres_uri))
    with app.app_context():
        yield app
        db.session.remove()
        tables = ", ".join(
            f'"{t.name}"' for t in db.metadata.sorted_tables if t.name != "alembic_version"
        )
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


# --- Elasticsearch (an Elasticsearch-API server, osmem-server) --------------------------------


@pytest.fixture(scope="session")
def elasticsearch_url() -> Iterator[str]:
    """An Elasticsearch-API server for the run: ELASTICSEARCH_URL, or one started here.

    Without either, tests that need it skip, unless MARKETPLACE_REQUIRE_SERVICES=1 makes that a
    failure.
    """
    url = os.environ.get("ELASTICSEARCH_URL")
    if url:
        yield url
        return
    try:
        server = start_search_server()
    except SearchServerUnavailable as error:
        if services_required():
            pytest.fail(f"no Elasticsearch-API server: {error}")
        pytest.skip(f"no Elasticsearch-API server: {error}")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def elasticsearch_settings(elasticsearch_url: str) -> Iterator[dict[str, Any]]:
    """App settings for the Elasticsearch backend on an index alias of this test's own, so
    tests sharing one server never see each other's documents; its indices are dropped after."""
    alias = f"test-products-{uuid.uuid4().hex[:12]}"
    yield {
        "SEARCH_BACKEND": "elasticsearch",
        "ELASTICSEARCH_URL": elasticsearch_url,
        "ELASTICSEARCH_INDEX": alias,
        "ELASTICSEARCH_PLAIN_JSON": True,
        "ELASTICSEARCH_TIMEOUT": 10.0,
    }
    drop_test_indices(elasticsearch_url, alias)


@pytest.fixture
def es_app(
    app_factory: Callable[..., Flask], elasticsearch_settings: dict[str, Any]
) -> Iterator[Flask]:
    """An app (SQLite, app context pushed) whose search backend is Elasticsearch."""
    app = app_factory(**elasticsearch_settings)
    with app.app_context():
        yield app
        db.session.remove()
