"""Pipeline fixtures: two in-memory indexes standing in for the database and Elasticsearch ones.

The pipeline (outbox, drain, reindex, repair) is tested against indexes whose state a test can
read and whose failures it can switch on; the real backends pass the contract suite in
`tests/contract/`, where the pipeline also runs end to end against them.
"""

from __future__ import annotations

import pytest

from marketplace.search import indexing
from tests.unit.search_pipeline.pipeline_support import MemoryIndex


@pytest.fixture
def database_index() -> MemoryIndex:
    return MemoryIndex("database")


@pytest.fixture
def elastic_index() -> MemoryIndex:
    return MemoryIndex("elasticsearch")


@pytest.fixture
def indexes(monkeypatch, app, database_index, elastic_index) -> tuple[MemoryIndex, MemoryIndex]:
    """Elasticsearch configured, the database index as its fallback: the runs feed both."""
    monkeypatch.setattr(indexing, "index_targets", lambda: [database_index, elastic_index])
    return database_index, elastic_index


@pytest.fixture
def database_only(monkeypatch, app, database_index) -> MemoryIndex:
    """The embedded default: the database index is the configured one."""
    monkeypatch.setattr(indexing, "index_targets", lambda: [database_index])
    return database_index
