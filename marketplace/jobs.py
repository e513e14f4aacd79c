"""The one door for background work: `enqueue()` writes an outbox row in the caller's transaction.

After the transaction commits, the job is handed to RQ (when `REDIS_URL` is set) or run inline
(embedded default). A rollback drops the job with the change that caused it; `flask jobs relay`
re-sends rows that were committed but never delivered (e.g. Redis was down), failed jobs whose
retry time has come, and rows left behind by a worker that died.
"""

from __future__ import annotations

import functools
import importlib
import logging
import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue, Worker
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Index,
    Integer,
    String,
    Text,
    and_,
    event,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, one_of, utcnow


class JobStatus(StrEnum):
    PENDING = "pending"
    DISPATCHED = "dispatched"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class OutboxJob(db.Model):
    """A job recorded with the change that caused it; the durable half of `enqueue()`."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (
        CheckConstraint(one_of("status", JobStatus), name="status_valid"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_outbox_jobs_status_available", "status", "available_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    func: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    queue: Mapped[str] = mapped_column(String(40), default="default")
    status: Mapped[str] = mapped_column(String(12), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_finished(self) -> bool:
        """Done and failed rows are never run again."""
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def __repr__(self) -> str:
        return f"<OutboxJob #{self.id} {self.func} {self.status} attempts={self.attempts}>"


log = logging.getLogger(__name__)

QUEUES = ("default", "search", "payments", "mail")
RUNNER = "marketplace.jobs.run_outbox_job"
JOB_TIMEOUT_SECONDS = 600  # RQ kills a job running longer than this
RUNNING_STALE_SECONDS = JOB_TIMEOUT_SECONDS + 300  # a row running longer lost its worker
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
RELAY_BATCH = 500

_PENDING = "jobs.pending"  # session.info: ids enqueued in the open transaction
_COMMITTED = "jobs.committed"  # session.info: ids whose transaction has just committed
_APP = "jobs.app"  # session.info: the app whose context enqueued them


# --- extension state ---------------------------------------------------------------------------


class JobsState:
    """The Redis connection and RQ queues of one app, built on first use, never at start-up."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._url: str | None = None
        self._redis: Redis | None = None
        self._queues: dict[str, Queue] = {}

    @property
    def redis_url(self) -> str | None:
        """Read at use time, so one configuration switch decides inline or RQ."""
        return self.app.config.get("REDIS_URL") or None

    @property
    def uses_rq(self) -> bool:
        return self.redis_url is not None

    def connection(self) -> Redis:
        """A client with short timeouts: a Redis outage must not hang a web request."""
        url = self.redis_url
        if url is None:
            raise RuntimeError("REDIS_URL is not set; jobs run inline")
        if self._redis is None or self._url != url:
            if self._redis is not None:
                self._redis.close()
            self._redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
            self._url = url
            self._queues = {}
        return self._redis

    def queue(self, name: str) -> Queue:
        """The RQ queue called `name`, on the shared connection."""
        connection = self.connection()
        if name not in self._queues:
            self._queues[name] = Queue(name, connection=connection)
        return self._queues[name]


def init_app(app: Flask) -> None:
    """Keep the lazy RQ state on the app and watch `db.session` for committed jobs."""
    app.extensions["jobs"] = JobsState(app)
    hooks: list[tuple[str, Callable[..., None]]] = [
        ("after_commit", _on_after_commit),
        ("after_soft_rollback", _on_soft_rollback),
        ("after_transaction_end", _on_transaction_end),
    ]
    for name, hook in hooks:
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)


def jobs_state(app: Flask | None = None) -> JobsState:
    """The jobs extension of `app` (default: the current app)."""
    return (app or current_app).extensions["jobs"]


# --- enqueue -----------------------------------------------------------------------------------


def enqueue(
    func: str | Callable[..., Any], *args: Any, queue: str = "default", **kwargs: Any
) -> OutboxJob:
    """Record a job in the caller's transaction; it is dispatched only if that transaction commits.

    `func` is a module-level function or its dotted path; arguments must be JSON values (ids, not
    model objects), because the job runs later, maybe in another process.
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; use one of {', '.join(QUEUES)}")
    path = function_path(func)
    _check_json(list(args), "args")
    _check_json(kwargs, "kwargs")
    job = OutboxJob(func=path, args=list(args), kwargs=dict(kwargs), queue=queue)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(job.id)
    db.session.info[_APP] = current_app._get_current_object()
    return job


def function_path(func: str | Callable[..., Any]) -> str:
    """The importable dotted path of a job function, checked now rather than in the worker."""
    if isinstance(func, str):
        path = func
    elif callable(func):
        qualname = getattr(func, "__qualname__", "")
        if not qualname or "." in qualname or "<" in qualname:
            raise TypeError(f"job functions must be module-level functions, not {func!r}")
        path = f"{func.__module__}.{qualname}"
    else:
        raise TypeError(f"a job is a function or its dotted path, not {type(func).__name__}")
    if resolve_function(path) is None:
        raise ValueError(f"no function at {path!r}")
    return path


def resolve_function(path: str) -> Callable[..., Any] | None:
    """Import the function named by a dotted path, or None when there is none."""
    module_name, _, name = path.rpartition(".")
    if not module_name:
        return None
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    found = getattr(module, name, None)
    return found if callable(found) else None


def _check_json(value: Any, where: str) -> None:
    """Refuse what would not survive a JSON round trip unchanged (objects, dates, int keys)."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"job {where}: {value!r} is not a JSON number")
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_json(item, where)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"job {where}: dict keys must be strings, not {key!r}")
            _check_json(item, where)
        return
    raise TypeError(
        f"job {where}: {type(value).__name__} is not JSON-serialisable; pass ids and plain values"
    )


# --- after commit ------------------------------------------------------------------------------


def _on_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_COMMITTED, []).extend(pending)


def _on_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint rollback keeps the outer transaction's jobs; dispatch skips vanished rows.
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """Dispatch once the outermost transaction has committed and released its connection."""
    if transaction.parent is not None:
        return
    session.info.pop(_PENDING, None)  # ended without a commit (closed or rolled back)
    committed = session.info.pop(_COMMITTED, None)
    app = session.info.get(_APP)
    if committed and app is not None:
        dispatch(app, committed)


def dispatch(app: Flask, job_ids: Iterable[int]) -> None:
    """Hand committed jobs on; a failure here is logged, never raised into the caller's request."""
    for job_id in job_ids:
        try:
            with app.app_context():
                if jobs_state().uses_rq:
                    _send_to_rq(job_id, from_statuses=(JobStatus.PENDING,))
                else:
                    _execute(job_id)
        except Exception:
            log.exception("outbox job #%s could not be dispatched; the relay will retry it", job_id)


def _send_to_rq(job_id: int, from_statuses: Iterable[str]) -> bool:
    """Mark the row dispatched, then put it on its RQ queue; put it back to pending if Redis fails.

    Marking first means a worker can never see the row before it is marked, and a crash between
    the two steps leaves a stale dispatched row that the relay picks up.
    """
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.status.in_(list(from_statuses)))
        .values(status=JobStatus.DISPATCHED, dispatched_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return False
    job = db.session.get(OutboxJob, job_id)
    assert job is not None
    try:
        jobs_state().queue(job.queue).enqueue(
            RUNNER,
            job_id,
            job_id=f"outbox-{job_id}-{job.attempts}",
            job_timeout=JOB_TIMEOUT_SECONDS,
            description=f"{job.func} (outbox #{job_id})",
        )
    except Exception as exc:
        db.session.rollback()
        db.session.execute(
            update(OutboxJob)
            .where(OutboxJob.id == job_id, OutboxJob.status == JobStatus.DISPATCHED)
            .values(status=JobStatus.PENDING, dispatched_at=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        log.error("Redis unavailable, outbox job #%s left pending for the relay: %s", job_id, exc)
        return False
    return True


# --- running a job -----------------------------------------------------------------------------


def run_outbox_job(job_id: int) -> str:
    """What RQ workers run: execute one outbox row in a fresh app context; returns the outcome.

    Job errors are recorded on the row (retry with backoff, or failed) and not raised, so RQ
    never retries on its own; the outbox decides.
    """
    app = current_app._get_current_object() if has_app_context() else _standalone_app()
    with app.app_context():
        return _execute(job_id)


@functools.cache
def _standalone_app() -> Flask:
    """The app of a plain `rq worker` process, built once from the environment."""
    from marketplace import create_app

    return create_app()


def _execute(job_id: int) -> str:
    """Claim, run and settle one row in the current app context's session."""
    job = db.session.get(OutboxJob, job_id)
    if job is None:
        log.warning("outbox job #%s no longer exists (its transaction was rolled back)", job_id)
        return "missing"
    if job.is_finished:
        return "skipped"
    if job.attempts >= current_app.config["JOBS_MAX_ATTEMPTS"]:
        job.status, job.finished_at = JobStatus.FAILED, utcnow()
        job.last_error = job.last_error or "gave up: the job never finished"
        db.session.commit()
        return JobStatus.FAILED
    if not _claim(job_id):
        return "skipped"  # another worker has it
    job = db.session.get(OutboxJob, job_id)
    assert job is not None
    path, args, kwargs = job.func, list(job.args or []), dict(job.kwargs or {})
    try:
        target = resolve_function(path)
        if target is None:
            raise LookupError(f"no function at {path!r}")
        target(*args, **kwargs)
        job = db.session.get(OutboxJob, job_id)
        assert job is not None
        job.status, job.finished_at, job.last_error = JobStatus.DONE, utcnow(), None
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        return _record_failure(job_id, exc)
    log.info("outbox job #%s %s done", job_id, path)
    return JobStatus.DONE


def _claim(job_id: int) -> bool:
    """Atomically take a pending/dispatched row and count the attempt before running it."""
    claimed = db.session.execute(
        update(OutboxJob)
        .where(
            OutboxJob.id == job_id,
            OutboxJob.status.in_([JobStatus.PENDING, JobStatus.DISPATCHED]),
        )
        .values(
            status=JobStatus.RUNNING,
            attempts=OutboxJob.attempts + 1,
            dispatched_at=func.coalesce(OutboxJob.dispatched_at, literal(utcnow(), UTCDateTime)),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(claimed)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt, capped."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_CAP_SECONDS))


def _record_failure(job_id: int, exc: Exception) -> str:
    job = db.session.get(OutboxJob, job_id)
    assert job is not None
    job.last_error = f"{type(exc).__name__}: {exc}"[:4000]
    now = utcnow()
    if job.attempts >= current_app.config["JOBS_MAX_ATTEMPTS"]:
        job.status, job.finished_at = JobStatus.FAILED, now
        outcome = JobStatus.FAILED
        message = "outbox job #%s %s failed for good after %s attempts"
        log.error(message, job_id, job.func, job.attempts, exc_info=exc)
    else:
        job.status, job.dispatched_at = JobStatus.PENDING, None
        job.available_at = now + retry_delay(job.attempts)
        outcome = JobStatus.PENDING
        message = "outbox job #%s %s failed (attempt %s), retry after %s"
        retry_at = job.available_at.isoformat()
        log.warning(message, job_id, job.func, job.attempts, retry_at, exc_info=exc)
    db.session.commit()
    return outcome


# --- relay -------------------------------------------------------------------------------------


def relay(older_than: float | None = None) -> int:
    """Re-send rows that were never delivered, are due for a retry, or lost their worker.

    Rows younger than `older_than` seconds are left to the after-commit dispatch that is still
    on its way. Returns how many rows were handed on (run, in the embedded default).
    """
    if older_than is None:
        older_than = float(current_app.config["JOBS_RELAY_AFTER_SECONDS"])
    count = 0
    for job_id, status in _relay_candidates(older_than):
        if jobs_state().uses_rq:
            if not _send_to_rq(job_id, from_statuses=(status,)):
                if _still_status(job_id, JobStatus.PENDING):
                    break  # Redis is down; the next relay tries again
                continue
        else:
            if status != JobStatus.PENDING:
                _reset_to_pending(job_id, status)
            _execute(job_id)
        count += 1
    return count


def _relay_candidates(older_than: float) -> list[tuple[int, str]]:
    now = utcnow()
    cutoff = now - timedelta(seconds=older_than)
    running_cutoff = now - timedelta(seconds=max(older_than, RUNNING_STALE_SECONDS))
    stmt = (
        select(OutboxJob.id, OutboxJob.status)
        .where(
            or_(
                and_(
                    OutboxJob.status == JobStatus.PENDING,
                    OutboxJob.available_at <= now,
                    or_(OutboxJob.attempts > 0, OutboxJob.created_at <= cutoff),
                ),
                and_(OutboxJob.status == JobStatus.DISPATCHED, OutboxJob.dispatched_at <= cutoff),
                and_(
                    OutboxJob.status == JobStatus.RUNNING,
                    OutboxJob.dispatched_at <= running_cutoff,
                ),
            )
        )
        .order_by(OutboxJob.available_at, OutboxJob.id)
        .limit(RELAY_BATCH)
    )
    return [(row.id, row.status) for row in db.session.execute(stmt)]


def _still_status(job_id: int, status: str) -> bool:
    return db.session.scalar(select(OutboxJob.status).where(OutboxJob.id == job_id)) == status


def _reset_to_pending(job_id: int, status: str) -> None:
    db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.status == status)
        .values(status=JobStatus.PENDING)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def recent_jobs(limit: int = 20, status: str | None = None) -> list[OutboxJob]:
    """The newest outbox rows, for `flask jobs list`."""
    stmt = select(OutboxJob).order_by(OutboxJob.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(OutboxJob.status == status)
    return list(db.session.scalars(stmt))


# --- worker ------------------------------------------------------------------------------------


class OutboxWorker(Worker):
    """An RQ worker that runs every job inside the app it was started with."""

    def __init__(self, *args: Any, app: Flask | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = app or _standalone_app()

    def main_work_horse(self, job: Any, queue: Queue) -> None:
        # The forked horse must not share pooled database connections with its parent.
        with self.app.app_context():
            db.engine.dispose(close=False)
        super().main_work_horse(job, queue)

    def perform_job(self, job: Any, queue: Queue, execution: Any) -> bool:
        with self.app.app_context():
            return super().perform_job(job, queue, execution)


def run_worker(app: Flask, queue_names: Iterable[str], *, burst: bool = False) -> bool:
    """Work the given queues until stopped (or until empty with `burst`)."""
    url = app.config.get("REDIS_URL")
    if not url:
        raise RuntimeError("REDIS_URL is not set: jobs run inline, there is nothing to work on")
    connection = Redis.from_url(url)  # no socket timeout: the worker blocks waiting for jobs
    queues = [Queue(name, connection=connection) for name in queue_names]
    worker = OutboxWorker(queues, connection=connection, app=app)
    return worker.work(burst=burst, logging_level="INFO")
