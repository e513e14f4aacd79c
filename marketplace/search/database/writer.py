"""Writing the database index: replace or remove documents, and keep the vocabulary's counts.

Every write happens in the caller's transaction (flush, never commit), so a document and the
outbox row that asked for it commit together. The vocabulary tables count documents per term
and per phrase, and `search_facet_counts` counts them per category and facet token; a document
that is replaced or removed takes its old counts back first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.search.database.dialects import Dialect
from marketplace.search.database.fields import (
    IndexedFields,
    build_fields,
    category_scopes,
    facet_tokens,
    pack_codes,
    stored_vocabulary,
)
from marketplace.search.database.models import (
    SearchAttribute,
    SearchAttributeValue,
    SearchDocumentRow,
    SearchFacetCode,
    SearchFacetCount,
    SearchIndexState,
    SearchPhrase,
    SearchTerm,
)
from marketplace.search.documents import chunked
from marketplace.search.types import IndexReport, ProductDocument

STATE_ID = 1
# What a rebuild rewrites (and the planner's statistics of which searches depend on).
INDEX_TABLES = (
    "search_documents",
    "search_attributes",
    "search_attribute_values",
    "search_facet_counts",
    "search_facet_codes",
)
_ID_BATCH = 500  # ids per IN (...) list

_VOCABULARY_COLUMNS = (
    SearchDocumentRow.product_id,
    SearchDocumentRow.version,
    SearchDocumentRow.category_names,
    SearchDocumentRow.attributes,
    SearchDocumentRow.vendor_name,
    SearchDocumentRow.category_key,
    SearchDocumentRow.title_key,
    SearchDocumentRow.details_key,
    SearchDocumentRow.description_key,
    SearchDocumentRow.category_path,
    SearchDocumentRow.in_stock,
    SearchDocumentRow.facet_tokens,
)


class _Counts:
    """Changes to the vocabulary's document counts, applied in one go."""

    def __init__(self, with_facets: bool = True) -> None:
        self.with_facets = with_facets
        self.terms: Counter[str] = Counter()
        self.named_terms: Counter[str] = Counter()
        self.phrases: Counter[tuple[str, str]] = Counter()
        self.texts: dict[tuple[str, str], str] = {}
        self.facets: Counter[tuple[str, bool, str]] = Counter()

    def add(
        self, terms: Mapping[str, bool], phrases: dict[tuple[str, str], str], sign: int
    ) -> None:
        for term, named in terms.items():
            self.terms[term] += sign
            if named:
                self.named_terms[term] += sign
        for phrase, phrase_text in phrases.items():
            self.phrases[phrase] += sign
            self.texts.setdefault(phrase, phrase_text)

    def add_facets(self, row: Mapping[str, Any], sign: int) -> None:
        """The row's facet tokens, in its category and in every category above it."""
        if not self.with_facets:
            return
        in_stock = bool(row["in_stock"])
        tokens = row["facet_tokens"].split()
        for scope in category_scopes(row["category_path"]):
            for token in tokens:
                self.facets[(scope, in_stock, token)] += sign


def _stored_rows(product_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for batch in chunked(product_ids, _ID_BATCH):
        stmt = select(*_VOCABULARY_COLUMNS).where(SearchDocumentRow.product_id.in_(batch))
        for row in db.session.execute(stmt).mappings():
            found[row["product_id"]] = dict(row)
    return found


def _numbers(
    dialect: Dialect, table: Table, keys: tuple[str, ...], wanted: set[tuple[str, ...]]
) -> dict[tuple[str, ...], int]:
    """The number (column `id` or `code`, the table's key) of each of these keys (values of
    the unique `keys` columns), numbering the new ones. Two writers numbering the same new key
    at once both get the one that was stored first."""
    number = next(iter(table.primary_key.columns))
    columns = [table.c[k] for k in keys]

    def known(wanted: set[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
        found: dict[tuple[str, ...], int] = {}
        last_parts = sorted({key[-1] for key in wanted})
        for batch in chunked(last_parts, _ID_BATCH):  # type: ignore[arg-type]
            rows = db.session.execute(select(number, *columns).where(columns[-1].in_(batch)))
            found.update({tuple(key): n for n, *key in rows if tuple(key) in wanted})
        return found

    numbers = known(wanted)
    missing = sorted(wanted - set(numbers))
    if missing:
        build = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        stmt = build(table).on_conflict_do_nothing(index_elements=list(keys))
        db.session.execute(stmt, [dict(zip(keys, key, strict=True)) for key in missing])
        numbers.update(known(set(missing)))
    return numbers


def _add_facet_codes(dialect: Dialect, rows: list[dict[str, Any]]) -> None:
    """Each row's `facet_codes`: its facet tokens' numbers (see `SearchFacetCode`)."""
    tokens = {(token,) for row in rows for token in row["facet_tokens"].split()}
    codes = _numbers(dialect, SearchFacetCode.__table__, ("token",), tokens)
    for row in rows:
        row["facet_codes"] = pack_codes(codes[(t,)] for t in row["facet_tokens"].split())


def _remove_rows(dialect: Dialect, product_ids: Sequence[int]) -> None:
    for batch in chunked(product_ids, _ID_BATCH):
        db.session.execute(delete(SearchAttribute).where(SearchAttribute.product_id.in_(batch)))
        db.session.execute(delete(SearchDocumentRow).where(SearchDocumentRow.product_id.in_(batch)))
        dialect.delete_text(batch)


def _upsert(
    dialect: Dialect, model: type, rows: list[dict[str, Any]], keys: list[str], counts: list[str]
) -> None:
    """Add each row's counts to the stored ones (inserting rows that are new)."""
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    build = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    stmt = build(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={c: table.c[c] + stmt.excluded[c] for c in counts},
    )
    db.session.execute(stmt, rows)


def _apply_counts(dialect: Dialect, counts: _Counts) -> None:
    # Sorted, so concurrent writers lock rows in the same order and never deadlock.
    term_rows = [
        {"term": term, "doc_count": n, "name_count": counts.named_terms[term]}
        for term, n in sorted(counts.terms.items())
        if n or counts.named_terms[term]
    ]
    phrase_rows = [
        {"kind": kind, "key": key, "text": counts.texts[(kind, key)], "doc_count": n}
        for (kind, key), n in sorted(counts.phrases.items())
        if n
    ]
    facet_rows = [
        {"category_path": scope, "in_stock": in_stock, "token": token, "products": n}
        for (scope, in_stock, token), n in sorted(counts.facets.items())
        if n
    ]
    _upsert(dialect, SearchTerm, term_rows, ["term"], ["doc_count", "name_count"])
    _upsert(dialect, SearchPhrase, phrase_rows, ["kind", "key"], ["doc_count"])
    _upsert(
        dialect, SearchFacetCount, facet_rows, ["category_path", "in_stock", "token"], ["products"]
    )
    _delete_empty_facet_counts([r for r in facet_rows if r["products"] < 0])
    lost_terms = [r["term"] for r in term_rows if r["doc_count"] < 0]
    for batch in chunked(lost_terms, _ID_BATCH):  # type: ignore[arg-type]
        db.session.execute(
            delete(SearchTerm).where(SearchTerm.term.in_(batch), SearchTerm.doc_count <= 0)
        )
    if any(r["doc_count"] < 0 for r in phrase_rows):
        db.session.execute(delete(SearchPhrase).where(SearchPhrase.doc_count <= 0))


def _delete_empty_facet_counts(lowered: list[dict[str, Any]]) -> None:
    """Drop the counts that reached zero (only among those just lowered: a page reads every
    row of its category, so none should linger)."""
    if not lowered:
        return
    table = SearchFacetCount.__table__
    db.session.execute(
        delete(table).where(
            table.c.category_path == bindparam("scope"),
            table.c.in_stock == bindparam("stock"),
            table.c.token == bindparam("tok"),
            table.c.products <= 0,
        ),
        [{"scope": r["category_path"], "stock": r["in_stock"], "tok": r["token"]} for r in lowered],
    )


def bump_generation() -> None:
    """Tell every process that the index changed (their cached vocabulary is stale)."""
    now = utcnow()
    changed = db.session.execute(
        update(SearchIndexState)
        .where(SearchIndexState.id == STATE_ID)
        .values(generation=SearchIndexState.generation + 1, changed_at=now)
    ).rowcount
    if not changed:
        db.session.add(SearchIndexState(id=STATE_ID, generation=1, changed_at=now))
        db.session.flush()


def current_generation() -> int:
    value = db.session.scalar(
        select(SearchIndexState.generation).where(SearchIndexState.id == STATE_ID)
    )
    return int(value or 0)


def write(
    dialect: Dialect, documents: Sequence[ProductDocument], count_facets: bool = True
) -> IndexReport:
    """Add or replace these documents; a document whose version is stored already is skipped.

    `count_facets=False` leaves `search_facet_counts` alone, for a rebuild that recounts them
    all at its end (`recount_facets`)."""
    report = IndexReport()
    latest = {d.product_id: d for d in documents}
    stored = _stored_rows(list(latest))
    built: list[IndexedFields] = []
    for product_id, document in latest.items():
        old = stored.get(product_id)
        if old is not None and old["version"] == document.version:
            report.indexed += 1
            continue
        try:
            built.append(build_fields(document))
        except (TypeError, ValueError, AttributeError) as error:
            report.errors[product_id] = f"cannot index: {error}"
    if not built:
        return report
    counts = _Counts(with_facets=count_facets)
    replaced = [f.row["product_id"] for f in built if f.row["product_id"] in stored]
    for product_id in replaced:
        counts.add(*stored_vocabulary(stored[product_id]), sign=-1)
        counts.add_facets(stored[product_id], sign=-1)
    for fields in built:
        counts.add(fields.terms, dict(fields.phrases), sign=1)
    _remove_rows(dialect, replaced)
    pairs = {pair for f in built for pair in f.attributes}
    ids = _numbers(dialect, SearchAttributeValue.__table__, ("name", "value"), pairs)
    attribute_rows = []
    for fields in built:
        value_ids = [ids[pair] for pair in dict.fromkeys(fields.attributes)]
        fields.row["facet_tokens"] = facet_tokens(fields.row, value_ids)
        counts.add_facets(fields.row, sign=1)
        attribute_rows += [
            {"product_id": fields.row["product_id"], "value_id": i} for i in value_ids
        ]
    _add_facet_codes(dialect, [f.row for f in built])
    rows = [f.row for f in built]
    db.session.execute(insert(SearchDocumentRow.__table__), rows)
    if attribute_rows:
        db.session.execute(insert(SearchAttribute.__table__), attribute_rows)
    dialect.write_text(rows)
    _apply_counts(dialect, counts)
    bump_generation()
    report.indexed += len(built)
    return report


def remove(dialect: Dialect, product_ids: Sequence[int], count_facets: bool = True) -> int:
    """Remove these documents (missing ones are fine); returns how many were there."""
    stored = _stored_rows(list(dict.fromkeys(product_ids)))
    if not stored:
        return 0
    counts = _Counts(with_facets=count_facets)
    for row in stored.values():
        counts.add(*stored_vocabulary(row), sign=-1)
        counts.add_facets(row, sign=-1)
    _remove_rows(dialect, list(stored))
    _apply_counts(dialect, counts)
    bump_generation()
    return len(stored)


def recount_facets() -> None:
    """Count every stored document's facet tokens afresh (what a rebuild ends with).

    A rebuild writes every document in one transaction. Keeping the counts as it goes would
    update the same few thousand rows once per batch, and on PostgreSQL each update leaves a
    row version that the rest of the transaction must step over: the rebuild slowed to a
    quarter of its speed. Counting once at the end takes about a second at 200,000 products,
    and leaves counts that are right whatever came before."""
    per_category: Counter[tuple[str, bool, str]] = Counter()
    rows = db.session.execute(
        select(
            SearchDocumentRow.category_path,
            SearchDocumentRow.in_stock,
            SearchDocumentRow.facet_tokens,
        )
    )
    for path, in_stock, tokens in rows:
        for token in tokens.split():
            per_category[(path, bool(in_stock), token)] += 1
    totals: Counter[tuple[str, bool, str]] = Counter()
    for (path, in_stock, token), n in per_category.items():
        for scope in category_scopes(path):
            totals[(scope, in_stock, token)] += n
    db.session.execute(delete(SearchFacetCount))
    rows_to_write = [
        {"category_path": scope, "in_stock": in_stock, "token": token, "products": n}
        for (scope, in_stock, token), n in sorted(totals.items())
    ]
    for batch in chunked(rows_to_write, 5000):  # type: ignore[arg-type]
        db.session.execute(insert(SearchFacetCount.__table__), batch)


def indexed_ids() -> set[int]:
    return set(db.session.scalars(select(SearchDocumentRow.product_id)))


def versions() -> dict[int, str]:
    rows = db.session.execute(select(SearchDocumentRow.product_id, SearchDocumentRow.version))
    return {product_id: version for product_id, version in rows}


def tidy_after_rebuild(dialect: Dialect) -> None:
    """After a rebuild: refresh the planner's statistics (the plans of searches depend on
    them; SQLite keeps none until asked) and compact the full-text index (FTS5 merges its
    segments into one; a GIN index created with fastupdate has no pending list left)."""
    for table in INDEX_TABLES:
        db.session.execute(text(f"ANALYZE {table}"))
    if dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
    else:
        for index in ("ix_search_documents_search_vector", "ix_search_documents_names_vector"):
            db.session.execute(
                text("SELECT gin_clean_pending_list(CAST(:i AS regclass))"), {"i": index}
            )
