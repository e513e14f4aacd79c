"""Autocomplete from the database index: catalogue names first, then product titles.

"coff" offers "Coffee Table" and "Coffee Mug" (category and attribute names, the most used
first); "oak coff" keeps "oak" and completes the rest ("oak coffee table"); then titles that
hold every typed word, the last one as a prefix, best-selling and best-rated first.
"""

from __future__ import annotations

from sqlalchemy import text

from marketplace.extensions import db
from marketplace.search.analysis import STOP_WORDS, stem, words
from marketplace.search.database.dialects import Dialect, like_prefix
from marketplace.search.database.fields import PHRASE_KINDS


def _phrases(dialect: Dialect, prefix: str, limit: int) -> list[str]:
    """Catalogue names starting with `prefix` (folded), most used first."""
    kinds = ", ".join(f"'{kind}'" for kind in PHRASE_KINDS)
    rows = db.session.execute(
        text(
            "SELECT key, max(text), sum(doc_count) AS used FROM search_phrases "
            f"WHERE kind IN ({kinds}) AND {dialect.starts_with('key', 'prefix')} "
            "GROUP BY key ORDER BY used DESC, key LIMIT :limit"
        ),
        {"prefix": like_prefix(prefix), "limit": limit},
    )
    return [row[1] for row in rows]


def _titles(dialect: Dialect, typed: list[str], limit: int) -> list[str]:
    meaningful = [w for w in typed[:-1] if w not in STOP_WORDS]
    parts = [dialect.term(stem(w), "title") for w in meaningful]
    last = typed[-1]
    parts.append(dialect.prefix(min(last, stem(last), key=len), "title"))
    rows = db.session.execute(
        text(
            f"SELECT d.title FROM {dialect.matched_from('title')} "
            "ORDER BY d.quality DESC, d.product_id LIMIT :limit"
        ),
        {"fts_query": dialect.scoped(dialect.all_of(parts), "title"), "limit": limit},
    )
    return [row[0] for row in rows]


def suggestions(dialect: Dialect, prefix: str, limit: int) -> list[str]:
    typed = words(prefix or "")
    if not typed or limit <= 0:
        return []
    whole = " ".join(typed) + (" " if prefix[-1:].isspace() else "")
    found = _phrases(dialect, whole, limit)
    for split in range(1, len(typed)):
        if len(found) >= limit:
            break
        head = " ".join(typed[:split])
        found += [f"{head} {p.lower()}" for p in _phrases(dialect, " ".join(typed[split:]), limit)]
    if len(found) < limit:
        found += _titles(dialect, typed, limit)
    unique: dict[str, str] = {}
    for suggestion in found:
        unique.setdefault(" ".join(words(suggestion)), suggestion)
    return list(unique.values())[:limit]
