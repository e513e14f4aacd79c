"""enqueue(): a job is recorded in the caller's transaction and runs only once that commits."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from marketplace.extensions import db
from marketplace.jobs import JobStatus, OutboxJob, enqueue, relay, retry_delay, run_outbox_job
from marketplace.models_base import utcnow

CALLS: list[tuple[int, str]] = []


def record_call(order_id: int, note: str = "") -> None:
    """A job whose only effect is to be seen running."""
    CALLS.append((order_id, note))


def always_fails(order_id: int) -> None:
    raise RuntimeError(f"payment provider timed out for order {order_id}")


def enqueue_follow_up(order_id: int) -> None:
    """A job that schedules another job in its own transaction."""
    enqueue(record_call, order_id, note="follow-up")


@pytest.fixture(autouse=True)
def _no_calls():
    CALLS.clear()
    yield
    CALLS.clear()


def _count_jobs() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxJob))


def _make_due(job_id: int) -> None:
    """Pretend the backoff delay has passed."""
    past = utcnow() - timedelta(seconds=1)
    db.session.execute(update(OutboxJob).where(OutboxJob.id == job_id).values(available_at=past))
    db.session.commit()


def test_job_runs_once_after_the_commit_not_before(app, db_session):
    job = enqueue(record_call, 7, note="paid")
    assert job.id is not None
    assert CALLS == []

    db_session.commit()

    assert CALLS == [(7, "paid")]
    job = db_session.get(OutboxJob, job.id)
    assert job.status == JobStatus.DONE
    assert job.attempts == 1
    assert job.finished_at is not None
    assert job.func.endswith(".record_call")
    assert job.args == [7]
    assert job.kwargs == {"note": "paid"}


def test_a_dotted_path_names_the_job(app, db_session):
    job = enqueue(f"{record_call.__module__}.record_call", 3, queue="search")
    db_session.commit()

    assert CALLS == [(3, "")]
    assert db_session.get(OutboxJob, job.id).queue == "search"


def test_rolled_back_job_runs_nothing_and_leaves_no_row(app, db_session):
    enqueue(record_call, 7)
    db_session.rollback()
    db_session.commit()

    assert CALLS == []
    assert _count_jobs() == 0


def test_a_rolled_back_savepoint_drops_only_its_own_job(app, db_session):
    kept = enqueue(record_call, 1)
    savepoint = db_session.begin_nested()
    enqueue(record_call, 2)
    savepoint.rollback()
    db_session.commit()

    assert CALLS == [(1, "")]
    assert [j.id for j in db_session.scalars(select(OutboxJob))] == [kept.id]


def test_a_job_can_enqueue_a_follow_up(app, db_session):
    enqueue(enqueue_follow_up, 9)
    db_session.commit()

    assert CALLS == [(9, "follow-up")]
    statuses = db_session.scalars(select(OutboxJob.status).order_by(OutboxJob.id)).all()
    assert statuses == [JobStatus.DONE, JobStatus.DONE]


def test_running_a_done_job_again_does_nothing(app, db_session):
    job = enqueue(record_call, 5)
    db_session.commit()
    assert CALLS == [(5, "")]

    assert run_outbox_job(job.id) == "skipped"

    assert CALLS == [(5, "")]
    assert db_session.get(OutboxJob, job.id).attempts == 1


def test_running_a_job_whose_row_is_gone_does_nothing(app):
    assert run_outbox_job(123456) == "missing"
    assert CALLS == []


@pytest.mark.parametrize(
    "bad_args",
    [
        (object(),),
        (datetime(2024, 1, 1, tzinfo=UTC),),
        (Decimal("9.99"),),
        ({1: "integer keys would come back as strings"},),
        ([1, {2, 3}],),
        (float("nan"),),
    ],
)
def test_arguments_that_are_not_json_are_refused(app, db_session, bad_args):
    with pytest.raises(TypeError):
        enqueue(record_call, *bad_args)
    assert _count_jobs() == 0


def test_model_objects_are_refused_as_keyword_arguments(app, db_session):
    other = enqueue(record_call, 1)
    with pytest.raises(TypeError, match="pass ids"):
        enqueue(record_call, 2, note=other)


def test_only_importable_module_level_functions_are_jobs(app, db_session):
    def local_job() -> None:
        pass

    with pytest.raises(TypeError):
        enqueue(local_job)
    with pytest.raises(TypeError):
        enqueue(lambda: None)
    with pytest.raises(ValueError, match="no function"):
        enqueue("marketplace.notifications.tasks.no_such_task", 1)
    with pytest.raises(ValueError, match="unknown queue"):
        enqueue(record_call, 1, queue="urgent")
    assert _count_jobs() == 0


def test_failing_job_does_not_break_the_request_that_enqueued_it(app, client, caplog):
    @app.post("/orders/<int:order_id>/confirm")
    def confirm(order_id: int):
        enqueue(always_fails, order_id, queue="payments")
        db.session.commit()
        return "confirmed", 200

    with caplog.at_level(logging.WARNING, logger="marketplace.jobs"):
        response = client.post("/orders/41/confirm")

    assert response.status_code == 200
    job = db.session.scalars(select(OutboxJob)).one()
    assert job.status == JobStatus.PENDING
    assert job.attempts == 1
    assert "payment provider timed out for order 41" in job.last_error
    assert job.available_at > utcnow()
    assert f"outbox job #{job.id}" in caplog.text


def test_failing_job_is_retried_with_growing_backoff_then_fails(app_factory):
    app = app_factory(JOBS_MAX_ATTEMPTS=3)
    with app.app_context():
        job_id = enqueue(always_fails, 41).id
        before = utcnow()
        db.session.commit()

        job = db.session.get(OutboxJob, job_id)
        assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
        first_wait = job.available_at - before
        assert retry_delay(1) <= first_wait < retry_delay(1) + timedelta(seconds=5)
        assert relay(older_than=0) == 0  # not due yet

        _make_due(job_id)
        before = utcnow()
        assert relay(older_than=0) == 1
        job = db.session.get(OutboxJob, job_id)
        assert (job.status, job.attempts) == (JobStatus.PENDING, 2)
        assert job.available_at - before >= retry_delay(2) > retry_delay(1)

        _make_due(job_id)
        assert relay(older_than=0) == 1
        job = db.session.get(OutboxJob, job_id)
        assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
        assert job.finished_at is not None
        assert "RuntimeError" in job.last_error

        _make_due(job_id)
        assert relay(older_than=0) == 0
        assert db.session.get(OutboxJob, job_id).attempts == 3
        db.session.remove()


def test_backoff_is_capped():
    assert retry_delay(1) < retry_delay(2) < retry_delay(3)
    assert retry_delay(30) == retry_delay(40) <= timedelta(hours=1)
