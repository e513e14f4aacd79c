"""The one door to search for the rest of the marketplace: pick the backend, and fall back.

`search()` and `suggest()` ask the configured backend (Elasticsearch when `ELASTICSEARCH_URL`
is set, else the database; `SEARCH_BACKEND` forces one). When that backend raises
`SearchUnavailable` (down, timed out, refused), the database backend answers instead, a warning
is logged, and the results say `degraded=True`, so the page still answers. Both backends read
the query the same way (`analysis.analyse`, with the active synonym list), so the answers agree.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import current_app

from marketplace.search.database import DatabaseBackend
from marketplace.search.types import SearchBackend, SearchQuery, SearchResults, SearchUnavailable

log = logging.getLogger(__name__)

DATABASE = "database"
ELASTICSEARCH = "elasticsearch"
_CONFIGURED = "search_backend"
_DATABASE = "search_database_backend"


def configured_backend_name() -> str:
    """The configured backend's name, "database" or "elasticsearch", from the settings."""
    config = current_app.config
    choice = (config.get("SEARCH_BACKEND") or "").strip().lower()
    if not choice:
        choice = ELASTICSEARCH if config.get("ELASTICSEARCH_URL") else DATABASE
    if choice not in (DATABASE, ELASTICSEARCH):
        raise RuntimeError(f"SEARCH_BACKEND must be {DATABASE!r} or {ELASTICSEARCH!r}.")
    return choice


def database_backend() -> SearchBackend:
    """The database backend (cached per app): the fallback that is always there."""
    backend = current_app.extensions.get(_DATABASE)
    if backend is None:
        backend = current_app.extensions[_DATABASE] = DatabaseBackend()
    return backend


def get_backend() -> SearchBackend:
    """The configured backend, built once per app (it connects lazily)."""
    backend = current_app.extensions.get(_CONFIGURED)
    if backend is not None:
        return backend
    if configured_backend_name() == ELASTICSEARCH:
        from marketplace.search.elastic import ElasticsearchBackend

        backend = ElasticsearchBackend.from_config(current_app.config)
    else:
        backend = database_backend()
    current_app.extensions[_CONFIGURED] = backend
    return backend


def _fallback_reason(backend_name: str, error: Exception) -> None:
    log.warning(
        "search backend %s unavailable (%s); answering from the database backend",
        backend_name,
        error or type(error).__name__,
    )


def search(query: SearchQuery) -> SearchResults:
    """Results from the configured backend, or from the database one when it is unavailable."""
    try:
        backend = get_backend()
    except SearchUnavailable as error:
        _fallback_reason(configured_backend_name(), error)
        return replace(database_backend().search(query), degraded=True)
    fallback = database_backend()
    if backend is fallback:
        return backend.search(query)
    try:
        return backend.search(query)
    except SearchUnavailable as error:
        _fallback_reason(backend.name, error)
        return replace(fallback.search(query), degraded=True)


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Autocomplete from the configured backend, or from the database one when unavailable."""
    try:
        backend = get_backend()
        if backend is not database_backend():
            return backend.suggest(prefix, limit)
    except SearchUnavailable as error:
        _fallback_reason(configured_backend_name(), error)
    return database_backend().suggest(prefix, limit)
