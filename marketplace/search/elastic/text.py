"""The buyer's text through the analysis both backends share, with a vocabulary from the index.

`marketplace.search.analysis` expands synonyms (from the admin-edited list) and fixes typos
against a `Vocabulary` of what the catalogue holds. The database backend builds that vocabulary
from its tables; this backend builds it from its own index: each document carries its terms,
multi-word names and category names as `analysis` writes them, and three terms aggregations
read them back. The vocabulary is cached for a short while, and dropped when this backend
writes, so typo fixes follow the catalogue without costing a request per search.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from marketplace.search import analysis
from marketplace.search.analysis import AnalysedQuery, Vocabulary

VOCABULARY_TTL = 300.0  # seconds a vocabulary is reused
# The most common terms and names; together under Elasticsearch's `search.max_buckets` (65,536).
VOCABULARY_TERMS = 40_000
VOCABULARY_PHRASES = 10_000
VOCABULARY_CATEGORIES = 5_000


def vocabulary_request() -> dict[str, Any]:
    def terms(field: str, size: int) -> dict[str, Any]:
        return {"terms": {"field": field, "size": size}}

    return {
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "terms": terms("vocabulary_terms", VOCABULARY_TERMS),
            "phrases": terms("vocabulary_phrases", VOCABULARY_PHRASES),
            "categories": terms("vocabulary_categories", VOCABULARY_CATEGORIES),
        },
    }


def read_vocabulary(response: Mapping[str, Any]) -> Vocabulary:
    aggregations = response.get("aggregations", {})

    def buckets(name: str) -> list[Mapping[str, Any]]:
        return list(aggregations.get(name, {}).get("buckets", []))

    return Vocabulary(
        terms={str(b["key"]): int(b["doc_count"]) for b in buckets("terms")},
        phrases=frozenset(str(b["key"]) for b in buckets("phrases")),
        categories=frozenset(str(b["key"]) for b in buckets("categories")),
    )


class VocabularyCache:
    """The index's vocabulary, fetched at most once per `ttl` seconds (and after writes)."""

    def __init__(self, fetch: Callable[[], Vocabulary], ttl: float = VOCABULARY_TTL) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._value: Vocabulary | None = None
        self._fetched_at = 0.0

    def get(self) -> Vocabulary:
        now = time.monotonic()
        if self._value is None or now - self._fetched_at > self._ttl:
            self._value = self._fetch()
            self._fetched_at = now
        return self._value

    def forget(self) -> None:
        self._value = None


def analyse_text(text: str, vocabulary: Vocabulary | None) -> AnalysedQuery:
    """The shared analysis of `text` with the active synonym rules."""
    return analysis.analyse(text, vocabulary=vocabulary)
