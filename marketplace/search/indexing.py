"""Keeping the search index in step with the database: the outbox, its drain, reindex and repair.

Every change that alters what search knows about a product writes a `SearchOutboxEntry` in the
transaction that made it (`mark_stale`, or the flush listeners of `marketplace.search.listeners`)
and enqueues one drain job. `drain()` turns pending rows into index writes and deletes exactly
the rows it has applied, so a backend that is down loses nothing: the rows wait for it.

Which indexes are fed. The database backend is the fallback that answers whenever the configured
backend cannot, so it must be current too: when the configured backend is not the database one
(Elasticsearch), every run feeds both, the database first. Each backend's writes are applied in
their own savepoint and each backend fails on its own: when Elasticsearch is down, the database
side of every batch is still applied and committed, and only the rows of what failed are kept
(and later re-applied to both, which is harmless: index writes are idempotent). The run then
raises `SearchUnavailable`, so the job system retries it with backoff.

Order of writes. Two drains that both hold a change of the same product could write it in the
wrong order (the one that read the older row writing last). On PostgreSQL every drain batch,
every repair batch and the in-place rebuild of the database index therefore hold one
transaction-level advisory lock from reading to committing, which serialises index writers;
`FOR UPDATE SKIP LOCKED` would let two drains race on one product. SQLite, the embedded default,
has a single writer and runs jobs inline.

`drain`, `reindex` and `repair` are runs of their own (the job, the `flask search` commands and
the admin button call them, nothing else) and commit as they go, so the progress of one batch
survives a failure in the next and locks are held briefly. `mark_stale` only flushes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from marketplace import jobs
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.search.documents import (
    chunked,
    iter_all_documents,
    load_documents,
    searchable_product_ids,
)
from marketplace.search.models import SearchOutboxEntry
from marketplace.search.types import (
    IndexReport,
    ProductDocument,
    SearchBackend,
    SearchUnavailable,
)

log = logging.getLogger(__name__)

DRAIN_JOB = "marketplace.search.tasks.drain_search_outbox"
REPAIR_JOB = "marketplace.search.tasks.repair_search_index"
JOB_QUEUE = "search"
DATABASE_BACKEND = "database"  # the name of the fallback backend, which rebuilds in place
DEFAULT_BATCH = 500
# Any fixed number works as long as nothing else in the database uses it as an advisory lock.
INDEX_LOCK_KEY = 5_183_927_401
INDEX_LOCK_WAIT_MS = 30_000

# session.info keys: what this transaction has already put in the outbox, and its drain job.
_OUTBOXED = "search.outboxed"
_DRAIN_ENQUEUED = "search.drain_enqueued"


class IndexBusy(RuntimeError):
    """Another run holds the index lock for longer than a drain waits (a reindex, usually)."""


# --- the outbox ------------------------------------------------------------------------------


def record_stale(session: Session, product_ids: Iterable[int]) -> int:
    """Insert one outbox row per product not yet recorded in this transaction; returns how many.

    Plain Core on the session's connection: safe inside a flush, and it fires no ORM events, so
    the listeners never see their own writes.
    """
    seen: set[int] = session.info.setdefault(_OUTBOXED, set())
    fresh = sorted({int(pid) for pid in product_ids if pid is not None} - seen)
    if not fresh:
        return 0
    now = utcnow()
    session.connection().execute(
        insert(SearchOutboxEntry.__table__),
        [{"product_id": pid, "created_at": now} for pid in fresh],
    )
    seen.update(fresh)
    return len(fresh)


def has_unscheduled_rows(session: Session) -> bool:
    """This transaction wrote outbox rows but has not enqueued their drain job yet."""
    return bool(session.info.get(_OUTBOXED)) and not session.info.get(_DRAIN_ENQUEUED)


def enqueue_drain(session: Session) -> None:
    """Enqueue the drain job once per transaction (it runs after commit, or not at all)."""
    if session.info.get(_DRAIN_ENQUEUED):
        return
    session.info[_DRAIN_ENQUEUED] = True
    jobs.enqueue(DRAIN_JOB, queue=JOB_QUEUE)


def forget_transaction(session: Session) -> None:
    """The transaction ended, or a savepoint rolled back its rows: start the bookkeeping anew.

    After a savepoint rollback a product may get a second row in the same transaction; that is
    harmless (a drain applies a product once per batch) and much simpler than per-savepoint sets.
    """
    session.info.pop(_OUTBOXED, None)
    session.info.pop(_DRAIN_ENQUEUED, None)


def mark_stale(product_ids: Iterable[int]) -> int:
    """Record in the current transaction that these products must be re-indexed.

    For changes the flush listeners cannot see (bulk `UPDATE`/`INSERT` statements). Writes one
    outbox row per product and enqueues the drain job, both undone by a rollback; returns how
    many rows were written.
    """
    written = record_stale(db.session, product_ids)
    if has_unscheduled_rows(db.session):
        enqueue_drain(db.session)
    return written


def pending_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(SearchOutboxEntry)) or 0)


def oldest_pending() -> datetime | None:
    return db.session.scalar(select(func.min(SearchOutboxEntry.created_at)))


# --- which indexes, and the lock -------------------------------------------------------------


class _Unreachable:
    """A configured backend that could not even be built: every call fails as it did."""

    def __init__(self, name: str, error: SearchUnavailable) -> None:
        self.name, self.error = name, error

    def __getattr__(self, method: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise self.error

        return fail


def index_targets() -> list[SearchBackend]:
    """The backends every run feeds: the database fallback first, then the configured one."""
    from marketplace.search import service

    fallback = service.database_backend()
    try:
        configured = service.get_backend()
    except SearchUnavailable as exc:
        configured = _Unreachable(service.configured_backend_name(), exc)  # type: ignore[assignment]
    if configured is fallback or configured.name == fallback.name:
        return [configured]
    return [fallback, configured]


def _batch_size() -> int:
    return max(1, int(current_app.config.get("SEARCH_INDEX_BATCH", DEFAULT_BATCH)))


def _lock_index() -> None:
    """PostgreSQL: hold the index writers' lock until this transaction ends (see module doc)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    try:
        db.session.execute(
            text("SELECT set_config('lock_timeout', :wait, true)"),
            {"wait": f"{INDEX_LOCK_WAIT_MS}ms"},
        )
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INDEX_LOCK_KEY})
    except OperationalError as exc:
        db.session.rollback()
        raise IndexBusy(
            f"another index run held the lock for over {INDEX_LOCK_WAIT_MS // 1000} s"
        ) from exc


@dataclass
class _Applied:
    """What one backend did with one batch."""

    report: IndexReport = field(default_factory=IndexReport)
    failed: set[int] = field(default_factory=set)  # products whose rows must stay
    unavailable: SearchUnavailable | None = None


def _apply(
    backend: SearchBackend, product_ids: Sequence[int], documents: dict[int, ProductDocument]
) -> _Applied:
    """Index the searchable products and delete the rest, in a savepoint of its own."""
    applied = _Applied()
    gone = [pid for pid in product_ids if pid not in documents]
    try:
        with db.session.begin_nested():
            if documents:
                applied.report.merge(backend.index(list(documents.values())))
            if gone:
                applied.report.deleted += backend.delete(gone)
    except SearchUnavailable as exc:
        applied.unavailable = exc
        applied.failed = set(product_ids)
        applied.report = IndexReport()
        return applied
    for product_id, reason in applied.report.errors.items():
        log.warning("search backend %s refused product %s: %s", backend.name, product_id, reason)
    applied.failed = set(applied.report.errors)
    return applied


def _delete_rows(row_ids: Sequence[int]) -> None:
    for chunk in chunked(row_ids, 1000):
        db.session.execute(
            delete(SearchOutboxEntry)
            .where(SearchOutboxEntry.id.in_(chunk))
            .execution_options(synchronize_session=False)
        )


# --- drain -----------------------------------------------------------------------------------


def drain(limit: int | None = None) -> IndexReport:
    """Apply pending outbox rows (at most `limit`), oldest first, a batch per transaction.

    Returns what the configured backend did. Rows of products a backend refused stay for the
    next run and `flask search repair`; when a backend is unavailable its rows stay, the other
    backend is still fed, and `SearchUnavailable` is raised at the end so the job is retried.
    """
    targets = index_targets()
    configured = targets[-1]
    total = IndexReport()
    unavailable: SearchUnavailable | None = None
    after_id, taken = 0, 0
    while limit is None or taken < limit:
        size = _batch_size() if limit is None else min(_batch_size(), limit - taken)
        _lock_index()
        rows = db.session.execute(
            select(SearchOutboxEntry.id, SearchOutboxEntry.product_id)
            .where(SearchOutboxEntry.id > after_id)
            .order_by(SearchOutboxEntry.id)
            .limit(size)
        ).all()
        if not rows:
            db.session.commit()
            break
        after_id, taken = rows[-1].id, taken + len(rows)
        product_ids = sorted({row.product_id for row in rows})
        documents = load_documents(product_ids)
        failed: set[int] = set()
        for backend in targets:
            if unavailable is not None and backend is configured:
                failed.update(product_ids)  # known to be down: don't wait on it batch after batch
                continue
            applied = _apply(backend, product_ids, documents)
            failed |= applied.failed
            if applied.unavailable is not None:
                log.warning("search backend %s unavailable: %s", backend.name, applied.unavailable)
                unavailable = applied.unavailable
            if backend is configured:
                total.merge(applied.report)
            else:
                total.errors.update(applied.report.errors)
        _delete_rows([row.id for row in rows if row.product_id not in failed])
        db.session.commit()
        if unavailable is not None and len(targets) == 1:
            break  # nothing else to feed
    if unavailable is not None:
        raise unavailable
    return total


# --- reindex ---------------------------------------------------------------------------------


@dataclass
class BackendRun:
    """How one backend's rebuild went."""

    backend: str
    report: IndexReport
    seconds: float
    error: str | None = None


@dataclass
class ReindexReport(IndexReport):
    """The configured backend's figures (as an IndexReport), and every backend's run."""

    runs: list[BackendRun] = field(default_factory=list)


def reindex() -> ReindexReport:
    """Rebuild every target index from the database; clear the outbox rows that existed at start.

    Rows written while the rebuild runs stay, so the drain applies those changes afterwards.
    The database index is rebuilt in place, inside a transaction holding the writers' lock;
    Elasticsearch builds a new index beside the live one and keeps the changes drains write
    meanwhile, so drains go on during its (longer) rebuild. When a backend is unavailable the
    others are still rebuilt and committed, the rows stay, and `SearchUnavailable` is raised.
    """
    started_rows = list(db.session.scalars(select(SearchOutboxEntry.id)))
    result = ReindexReport()
    unavailable: SearchUnavailable | None = None
    for backend in index_targets():
        if backend.name == DATABASE_BACKEND:
            _lock_index()
        began = time.perf_counter()
        try:
            with db.session.begin_nested():
                report = backend.reindex(iter_all_documents(_batch_size()))
        except SearchUnavailable as exc:
            unavailable = exc
            run = BackendRun(backend.name, IndexReport(), time.perf_counter() - began, str(exc))
        else:
            run = BackendRun(backend.name, report, time.perf_counter() - began)
        db.session.commit()
        result.runs.append(run)
    configured = result.runs[-1].report
    result.indexed, result.deleted = configured.indexed, configured.deleted
    result.errors = dict(configured.errors)
    if unavailable is None:
        _delete_rows(started_rows)
    if pending_count():
        enqueue_drain(db.session)  # changes made during the rebuild, or kept for a failed backend
    db.session.commit()
    for backend in index_targets():
        settle = getattr(backend, "settle", None)
        if settle is not None and backend.name == DATABASE_BACKEND:
            settle()  # committed: now the rebuilt rows can be vacuumed
    if unavailable is not None:
        raise unavailable
    return result


# --- repair ----------------------------------------------------------------------------------


@dataclass
class Drift:
    """How one backend's index differs from what the database says it should hold."""

    backend: str
    missing: list[int] = field(default_factory=list)  # searchable, not indexed
    stale: list[int] = field(default_factory=list)  # indexed with an older version
    extra: list[int] = field(default_factory=list)  # indexed, but should not be found
    fixed: int = 0
    errors: dict[int, str] = field(default_factory=dict)
    unavailable: str | None = None


@dataclass
class RepairReport:
    """Drift found (and, unless a dry run, fixed) in every target index."""

    dry_run: bool
    backends: list[Drift] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(len(d.missing) for d in self.backends)

    @property
    def stale(self) -> int:
        return sum(len(d.stale) for d in self.backends)

    @property
    def extra(self) -> int:
        return sum(len(d.extra) for d in self.backends)

    @property
    def fixed(self) -> int:
        return sum(d.fixed for d in self.backends)

    def summary(self) -> str:
        return f"missing={self.missing} stale={self.stale} extra={self.extra} fixed={self.fixed}"


def _expected_versions() -> dict[int, str]:
    return {doc.product_id: doc.version for doc in iter_all_documents(_batch_size())}


def find_drift(backend: SearchBackend, expected: dict[int, str]) -> Drift:
    """Compare the index's versions with the documents the database gives today."""
    indexed = backend.indexed_versions()
    return Drift(
        backend=backend.name,
        missing=sorted(set(expected) - set(indexed)),
        stale=sorted(pid for pid, v in indexed.items() if pid in expected and expected[pid] != v),
        extra=sorted(set(indexed) - set(expected)),
    )


def _fix(backend: SearchBackend, drift: Drift) -> None:
    """Re-apply every drifted product from its current state, a locked batch at a time.

    Current state, not the state the comparison saw: a product that became searchable since
    (and was indexed by a drain) is indexed again rather than deleted.
    """
    for product_ids in chunked(sorted({*drift.missing, *drift.stale, *drift.extra}), _batch_size()):
        _lock_index()
        documents = load_documents(product_ids)
        applied = _apply(backend, product_ids, documents)
        db.session.commit()
        if applied.unavailable is not None:
            raise applied.unavailable
        drift.errors.update(applied.report.errors)
        drift.fixed += len(product_ids) - len(applied.failed)


def repair(dry_run: bool = False) -> RepairReport:
    """Find products missing from, stale in, or wrongly present in each target index; fix them.

    A dry run only reports. A backend that is unavailable is reported and skipped; the others
    are still repaired.
    """
    expected = _expected_versions()
    report = RepairReport(dry_run=dry_run)
    for backend in index_targets():
        drift = Drift(backend=backend.name)
        try:
            drift = find_drift(backend, expected)
            if not dry_run:
                _fix(backend, drift)
        except SearchUnavailable as exc:
            log.warning("search backend %s unavailable during repair: %s", backend.name, exc)
            drift.unavailable = str(exc)
        report.backends.append(drift)
    if dry_run:
        db.session.rollback()
    return report


# --- status ----------------------------------------------------------------------------------


@dataclass
class IndexedCount:
    backend: str
    documents: int | None  # None: the backend did not answer
    error: str | None = None


@dataclass
class IndexStatus:
    """What `flask search status` and the admin page show."""

    backend: str
    pending: int
    oldest_pending: datetime | None
    indexed: list[IndexedCount] = field(default_factory=list)
    searchable: int | None = None


def index_status(count_documents: bool = True) -> IndexStatus:
    """The configured backend, the outbox backlog and (optionally) each index's size.

    Counting documents asks each backend for every indexed version: fine for a command, too
    slow for a page on a large catalogue.
    """
    targets = index_targets()
    status = IndexStatus(
        backend=targets[-1].name, pending=pending_count(), oldest_pending=oldest_pending()
    )
    if count_documents:
        status.searchable = len(searchable_product_ids())
        for backend in targets:
            try:
                status.indexed.append(IndexedCount(backend.name, len(backend.indexed_versions())))
            except SearchUnavailable as exc:
                status.indexed.append(IndexedCount(backend.name, None, str(exc)))
    return status


def last_repair_job() -> jobs.OutboxJob | None:
    """The newest repair queued from the admin page (its status says how it went)."""
    return db.session.scalar(
        select(jobs.OutboxJob)
        .where(jobs.OutboxJob.func == REPAIR_JOB)
        .order_by(jobs.OutboxJob.id.desc())
        .limit(1)
    )


def enqueue_repair() -> jobs.OutboxJob:
    """Queue a repair run (it starts after the caller commits)."""
    return jobs.enqueue(REPAIR_JOB, queue=JOB_QUEUE)
