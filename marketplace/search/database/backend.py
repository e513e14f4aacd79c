"""`DatabaseBackend`: product search on the application's own database.

SQLite answers with an FTS5 table, PostgreSQL with a tsvector column and a GIN index; which
one is read from the session's dialect. Everything else (the denormalised documents, filters,
facets, ranking) is shared SQL, so both engines give the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import current_app
from sqlalchemy import text

from marketplace.extensions import db
from marketplace.search.analysis import analyse
from marketplace.search.database import query as querying
from marketplace.search.database import writer
from marketplace.search.database.dialects import Dialect, dialect_for
from marketplace.search.database.suggest import suggestions
from marketplace.search.database.vocabulary import current_snapshot
from marketplace.search.synonyms import active_rules
from marketplace.search.types import (
    IndexReport,
    ProductDocument,
    SearchQuery,
    SearchResults,
)

DEFAULT_BATCH = 500


class DatabaseBackend:
    """The `SearchBackend` every installation has: no service to run, always available."""

    name = "database"

    def _dialect(self) -> Dialect:
        return dialect_for(db.session)

    def index(self, documents: Sequence[ProductDocument]) -> IndexReport:
        return writer.write(self._dialect(), list(documents))

    def delete(self, product_ids: Sequence[int]) -> int:
        return writer.remove(self._dialect(), list(product_ids))

    def search(self, query: SearchQuery) -> SearchResults:
        dialect = self._dialect()
        dialect.prepare()
        snapshot = current_snapshot()
        analysed = analyse(query.text, active_rules(), snapshot.vocabulary)
        filters = querying.compile_filters(dialect, query)
        matchable = querying.matchable(analysed, snapshot.vocabulary.terms)
        found = querying.search_answer(dialect, matchable, filters, query, snapshot.labels)
        facets = querying.all_facets(found, query, snapshot.labels) if query.with_facets else ()
        return SearchResults(
            hits=querying.highlighted_hits(found.hits, analysed, query.with_highlights),
            total=found.total,
            facets=facets,
            suggestions=(analysed.corrected,) if analysed.corrected else (),
            backend=self.name,
        )

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        dialect = self._dialect()
        dialect.prepare()
        return suggestions(dialect, prefix, limit)

    def reindex(self, documents: Iterable[ProductDocument]) -> IndexReport:
        """Write every document given, then remove the ones not given: searches keep being
        answered from the old rows until the caller commits. The facet counts are made once,
        at the end (see `writer.recount_facets`)."""
        dialect = self._dialect()
        batch_size = int(current_app.config.get("SEARCH_INDEX_BATCH", DEFAULT_BATCH))
        report = IndexReport()
        seen: set[int] = set()
        batch: list[ProductDocument] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= batch_size:
                report.merge(writer.write(dialect, batch, count_facets=False))
                seen.update(d.product_id for d in batch)
                batch = []
        if batch:
            report.merge(writer.write(dialect, batch, count_facets=False))
            seen.update(d.product_id for d in batch)
        stale = sorted(writer.indexed_ids() - seen)
        report.deleted += writer.remove(dialect, stale, count_facets=False) if stale else 0
        writer.recount_facets()
        writer.tidy_after_rebuild(dialect)
        return report

    def indexed_versions(self) -> dict[int, str]:
        return writer.versions()

    def settle(self) -> None:
        """After a rebuild has committed: on PostgreSQL, vacuum and analyse the index tables.

        A rebuild rewrites every row. Until a vacuum has marked them all visible, the first
        search to read each row also writes it back (its hint bits), and autovacuum comes to
        do the same later, in the middle of the day's searches. Vacuum cannot run inside a
        transaction, hence a separate autocommit connection. SQLite has nothing to settle."""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in writer.INDEX_TABLES:
                connection.execute(text(f"VACUUM (ANALYZE) {table}"))
