"""What differs between SQLite FTS5 and PostgreSQL full-text search, in one place.

Both engines are asked the same things: which documents match a boolean expression of terms
(the candidates), a text-relevance score for each (bm25 with column weights on SQLite,
ts_rank_cd with weights A-D on PostgreSQL), and a few scalar expressions that ranking and
filters use. Terms reach SQL only as bound parameters or as the engine's own query syntax built
from analysed words (letters and digits only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

# Column weights, in the column order category, title, details, description.
FTS_WEIGHTS = (8.0, 4.0, 2.0, 1.0)
SQLITE_MMAP_BYTES = 1 << 30
SQLITE_CACHE_KIB = 64 * 1024
# PostgreSQL's weights: A category, B title, C details, D description (see the migration).
# `names_vector` holds A-C only, so the names scope needs no weight label (and no recheck).
_WEIGHT_LABELS = {"title": ":B"}


class Dialect:
    name = ""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- building the engine's query ------------------------------------------------------
    # A scope narrows a query to some columns: None (all), "names" (category, title, details:
    # everything but the description) or "title".
    def all_of(self, parts: Sequence[str]) -> str:
        raise NotImplementedError

    def any_of(self, parts: Sequence[str]) -> str:
        raise NotImplementedError

    def term(self, term: str, scope: str | None = None) -> str:
        raise NotImplementedError

    def prefix(self, term: str, scope: str | None = None) -> str:
        """Any term starting with `term`."""
        raise NotImplementedError

    def scoped(self, expression: str, scope: str | None) -> str:
        """`expression` (built from terms of this scope) limited to the scope's columns."""
        return expression

    def prepare(self) -> None:
        """Per-connection settings searches need (once per connection)."""

    # --- SQL fragments ----------------------------------------------------------------------
    def matched_from(self, scope: str | None = None) -> str:
        """FROM clause of documents matching `:fts_query` (built for `scope`), aliased `d`."""
        raise NotImplementedError

    def matches_only(self, scope: str | None = None) -> str:
        """FROM clause of the rows matching `:fts_query`, reading as little as it can."""
        raise NotImplementedError

    def rank(self) -> str:
        """A higher-is-better text score of `d` for `:fts_query` (only with `matched_from`)."""
        raise NotImplementedError

    def contains(self, column: str, param: str) -> str:
        raise NotImplementedError

    def flag(self, condition: str, weight: float) -> str:
        raise NotImplementedError

    def when(self, condition: str, value: str) -> str:
        """`value` where `condition` holds, else 0 (`value` is only computed where it holds)."""
        return f"(CASE WHEN {condition} THEN {value} ELSE 0 END)"

    def greatest(self, parts: Sequence[str]) -> str:
        raise NotImplementedError

    def starts_with(self, column: str, param: str) -> str:
        """`column` LIKE the pattern in `param` (see `like_prefix`)."""
        return f"{column} LIKE :{param} ESCAPE '\\'"

    def in_subtree(self, column: str, param: str, params: dict[str, Any]) -> str:
        """`column` is the category path in `param` or a path below it."""
        params[f"{param}_below"] = like_prefix(params[param] + "/")
        return f"({column} = :{param} OR {self.starts_with(column, param + '_below')})"

    # --- writing -----------------------------------------------------------------------------
    def write_text(self, rows: Sequence[dict[str, Any]]) -> None:
        """Put these documents' analysed text into the full-text index."""

    def delete_text(self, product_ids: Sequence[int]) -> None:
        """Take these documents out of the full-text index."""


class SQLiteDialect(Dialect):
    name = "sqlite"

    def all_of(self, parts: Sequence[str]) -> str:
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def any_of(self, parts: Sequence[str]) -> str:
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def term(self, term: str, scope: str | None = None) -> str:
        return '"' + term.replace('"', "") + '"'

    def prefix(self, term: str, scope: str | None = None) -> str:
        return self.term(term) + "*"

    def scoped(self, expression: str, scope: str | None) -> str:
        columns = {"names": "{category title details}", "title": "title"}.get(scope or "")
        return f"{columns} : ({expression})" if columns else expression

    def prepare(self) -> None:
        """Read the index through memory-mapped I/O with a roomy page cache: a search reads
        thousands of rows, and SQLite's default cache (2 MB) sends most reads to the OS."""
        record = self.session.connection().connection
        if record.info.get("search_prepared"):
            return
        cursor = record.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.close()
        record.info["search_prepared"] = True

    def matched_from(self, scope: str | None = None) -> str:
        return (
            "search_fts JOIN search_documents d ON d.product_id = search_fts.rowid "
            "WHERE search_fts MATCH :fts_query"
        )

    def matches_only(self, scope: str | None = None) -> str:
        return "search_fts WHERE search_fts MATCH :fts_query"

    def rank(self) -> str:
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        return f"(-bm25(search_fts, {weights}))"

    def contains(self, column: str, param: str) -> str:
        return f"instr({column}, :{param}) > 0"

    def flag(self, condition: str, weight: float) -> str:
        return f"({condition}) * {weight!r}"

    def greatest(self, parts: Sequence[str]) -> str:
        return parts[0] if len(parts) == 1 else "max(" + ", ".join(parts) + ")"

    def in_subtree(self, column: str, param: str, params: dict[str, Any]) -> str:
        # Paths compare byte by byte here, so "a/b/..." lies between "a/" and "a0" ("0" comes
        # right after "/"): a range the index on the column answers.
        params[f"{param}_low"] = params[param] + "/"
        params[f"{param}_high"] = params[param] + "0"
        return f"({column} = :{param} OR ({column} > :{param}_low AND {column} < :{param}_high))"

    def write_text(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(
                text(
                    "INSERT INTO search_fts (rowid, category, title, details, description) "
                    "VALUES (:product_id, :category_key, :title_key, :details_key, "
                    ":description_key)"
                ),
                list(rows),
            )

    def delete_text(self, product_ids: Sequence[int]) -> None:
        if product_ids:
            self.session.execute(
                text("DELETE FROM search_fts WHERE rowid = :id"),
                [{"id": i} for i in product_ids],
            )


class PostgresDialect(Dialect):
    """The tsvectors are generated columns of `search_documents` (every field, and the names
    only), so writing the row indexes it."""

    name = "postgresql"

    def all_of(self, parts: Sequence[str]) -> str:
        return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"

    def any_of(self, parts: Sequence[str]) -> str:
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"

    def term(self, term: str, scope: str | None = None) -> str:
        quoted = "'" + term.replace("'", "").replace("\\", "") + "'"
        return quoted + _WEIGHT_LABELS.get(scope or "", "")

    def prefix(self, term: str, scope: str | None = None) -> str:
        quoted = "'" + term.replace("'", "").replace("\\", "") + "'"
        return quoted + ":*" + _WEIGHT_LABELS.get(scope or "", "").lstrip(":")

    @staticmethod
    def _vector(scope: str | None) -> str:
        return "d.names_vector" if scope in ("names", "title") else "d.search_vector"

    def matched_from(self, scope: str | None = None) -> str:
        return (
            "search_documents d, to_tsquery('simple', :fts_query) AS fts_q "
            f"WHERE {self._vector(scope)} @@ fts_q"
        )

    def matches_only(self, scope: str | None = None) -> str:
        return f"search_documents d WHERE {self._vector(scope)} @@ to_tsquery('simple', :fts_query)"

    def rank(self) -> str:
        weights = ", ".join(str(w / FTS_WEIGHTS[0]) for w in reversed(FTS_WEIGHTS))
        return f"(ts_rank_cd('{{{weights}}}'::float4[], d.search_vector, fts_q) * 10)"

    def contains(self, column: str, param: str) -> str:
        return f"strpos({column}, :{param}) > 0"

    def flag(self, condition: str, weight: float) -> str:
        # Typed as float8: untyped constants are numeric, far slower to add up row by row.
        return f"(CASE WHEN {condition} THEN CAST({weight!r} AS float8) ELSE 0 END)"

    def greatest(self, parts: Sequence[str]) -> str:
        return parts[0] if len(parts) == 1 else "GREATEST(" + ", ".join(parts) + ")"


def like_prefix(value: str) -> str:
    """A LIKE pattern for values starting with `value` (its own % and _ escaped)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def run(session: Session, sql: str, params: dict[str, Any]):
    """Execute SQL built for one search. Its text is seldom seen twice, so it is not kept in
    SQLAlchemy's compiled-statement cache (where it would only push useful entries out)."""
    return session.execute(text(sql), params, execution_options={"compiled_cache": None})


def rows_of(session: Session, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every row of a search statement as plain tuples, straight from the driver's cursor.

    A broad search reads thousands of rows of numbers and tokens that need no conversion;
    building a result row object for each would cost more than the database took to find
    them. PostgreSQL sends them in its binary format: in the text format the server prints
    every number (and every byte of the facet codes, as hex) and the driver parses it back,
    a fifth of the time a broad search spends fetching."""
    if session.get_bind().dialect.name == "postgresql":
        return _binary_rows(session, sql, params)
    result = run(session, sql, params)
    try:
        return result.cursor.fetchall()  # type: ignore[attr-defined]
    finally:
        result.close()


def _binary_rows(session: Session, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    compiled = text(sql).compile(dialect=session.get_bind().dialect)
    connection = session.connection().connection.dbapi_connection
    with connection.cursor(binary=True) as cursor:  # type: ignore[union-attr, call-arg]
        cursor.execute(compiled.string, compiled.construct_params(params))
        return cursor.fetchall()


def dialect_for(session: Session) -> Dialect:
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return SQLiteDialect(session)
    if name == "postgresql":
        return PostgresDialect(session)
    raise RuntimeError(f"The database search backend does not support {name}.")
