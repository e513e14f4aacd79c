"""What a search reads besides the matches, cached per process until the index changes: the
vocabulary (for typo fixes and phrases) and the labels facets show (category names, vendor
names, attribute values by number).

Reading the vocabulary of a large catalogue takes a moment, and a busy marketplace changes its
index every few seconds, so a process re-reads it at most once every
`SEARCH_VOCABULARY_MAX_AGE` seconds (setting; default 5): a word first indexed a moment ago
may wait that long before typo fixes know it. Matching itself never waits: it reads the index.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select, text

from marketplace.extensions import db
from marketplace.search.analysis import Vocabulary, key
from marketplace.search.database.dialects import run
from marketplace.search.database.fields import CATEGORY_SEPARATOR
from marketplace.search.database.models import SearchIndexState, SearchPhrase, SearchTerm
from marketplace.search.database.writer import STATE_ID

_CACHE = "search_database_snapshot"
DEFAULT_MAX_AGE = 5.0


def _stamp() -> tuple[int, object]:
    row = db.session.execute(
        select(SearchIndexState.generation, SearchIndexState.changed_at).where(
            SearchIndexState.id == STATE_ID
        )
    ).first()
    return (int(row[0]), row[1]) if row else (0, None)


def load_vocabulary() -> Vocabulary:
    """Terms (counted in the documents whose names hold them), and the catalogue's multi-word
    names, stemmed."""
    terms = {
        t: int(n) for t, n in db.session.execute(select(SearchTerm.term, SearchTerm.name_count))
    }
    phrases: set[str] = set()
    categories: set[str] = set()
    for kind, phrase in db.session.execute(select(SearchPhrase.kind, SearchPhrase.key)):
        stemmed = key(phrase)
        if " " in stemmed:
            phrases.add(stemmed)
        if kind == "category" and stemmed:
            categories.add(stemmed)
    return Vocabulary(terms=terms, phrases=frozenset(phrases), categories=frozenset(categories))


@dataclass
class Labels:
    """Names to show for what facets count, looked up once each."""

    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    vendors: dict[str, str] = field(default_factory=dict)
    values: dict[int, tuple[str, str]] = field(default_factory=dict)
    tokens: dict[int, tuple[str]] = field(default_factory=dict)

    def category_names(self, paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Path → names from the top ("home/sofas" → ("Home", "Sofas"))."""
        for path in set(paths) - set(self.categories):
            names = db.session.execute(
                text(
                    "SELECT category_names FROM search_documents "
                    "WHERE category_path = :path LIMIT 1"
                ),
                {"path": path},
            ).scalar()
            self.categories[path] = tuple(names.split(CATEGORY_SEPARATOR)) if names else ()
        return self.categories

    def vendor_names(self, slugs: Iterable[str]) -> dict[str, str]:
        for slug in set(slugs) - set(self.vendors):
            name = db.session.execute(
                text("SELECT vendor_name FROM search_documents WHERE vendor_slug = :s LIMIT 1"),
                {"s": slug},
            ).scalar()
            self.vendors[slug] = name or slug
        return self.vendors

    def attribute_values(self, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """Number → (attribute name, value), for these numbers."""
        return _by_number(self.values, "search_attribute_values", "id", "name, value", ids)

    def facet_tokens(self, codes: Iterable[int]) -> dict[int, str]:
        """Facet code → facet token (see `SearchFacetCode`), for these codes."""
        found = _by_number(self.tokens, "search_facet_codes", "code", "token", codes)
        return {code: row[0] for code, row in found.items()}


def _by_number(
    cache: dict[int, Any], table: str, number: str, columns: str, wanted_numbers: Iterable[int]
) -> dict[int, Any]:
    """Rows of `table` by their `number` column (the `columns` of each, as a tuple), read
    once into `cache`. Numbers are never reused, so a cached row never goes stale."""
    wanted = set(wanted_numbers)
    missing = sorted(wanted - set(cache))
    for start in range(0, len(missing), 500):
        batch = missing[start : start + 500]
        params = {f"v{i}": value for i, value in enumerate(batch)}
        listed = ", ".join(f":{name}" for name in params)
        rows = run(
            db.session,
            f"SELECT {number}, {columns} FROM {table} WHERE {number} IN ({listed})",
            params,
        )
        cache.update({int(n): tuple(rest) for n, *rest in rows})
    return {n: cache[n] for n in wanted if n in cache}


@dataclass
class Snapshot:
    stamp: tuple[int, object]
    vocabulary: Vocabulary
    labels: Labels
    loaded_at: float = field(default_factory=time.monotonic)


def current_snapshot() -> Snapshot:
    """As of the last index change this session can see (one small query to know), unless the
    one in hand is younger than `SEARCH_VOCABULARY_MAX_AGE` seconds."""
    cached: Snapshot | None = current_app.extensions.get(_CACHE)
    max_age = float(current_app.config.get("SEARCH_VOCABULARY_MAX_AGE", DEFAULT_MAX_AGE))
    if cached is not None and time.monotonic() - cached.loaded_at < max_age:
        return cached
    stamp = _stamp()
    if cached is not None and cached.stamp == stamp:
        cached.loaded_at = time.monotonic()
        return cached
    snapshot = Snapshot(stamp, load_vocabulary(), Labels())
    current_app.extensions[_CACHE] = snapshot
    return snapshot


def current_vocabulary() -> Vocabulary:
    return current_snapshot().vocabulary
