"""The relay and the `flask jobs` commands, in the embedded default and with Redis unreachable."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.jobs import RUNNING_STALE_SECONDS, JobStatus, OutboxJob, enqueue, relay
from marketplace.models_base import utcnow
from marketplace.notifications.models import EmailStatus, OutboundEmail
from marketplace.notifications.services import send_email

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _stuck_email(db_session, *, age: timedelta, **job_fields) -> tuple[int, int]:
    """An e-mail and its outbox row, committed without ever being dispatched."""
    email = OutboundEmail(to_address="buyer@example.com", subject="Shipped", body_text="On its way")
    db_session.add(email)
    db_session.flush()
    created = utcnow() - age
    job = OutboxJob(
        func="marketplace.notifications.tasks.deliver_email",
        args=[email.id],
        queue="mail",
        created_at=created,
        available_at=created,
        **job_fields,
    )
    db_session.add(job)
    db_session.commit()
    return job.id, email.id


def test_relay_runs_pending_rows_that_were_never_dispatched(app, db_session):
    job_id, email_id = _stuck_email(db_session, age=timedelta(minutes=5))

    assert relay() == 1

    assert db_session.get(OutboxJob, job_id).status == JobStatus.DONE
    assert db_session.get(OutboundEmail, email_id).status == EmailStatus.SENT
    assert relay() == 0


def test_relay_leaves_fresh_rows_to_their_own_dispatch(app, db_session):
    job_id, _ = _stuck_email(db_session, age=timedelta(seconds=1))

    assert relay() == 0
    assert db_session.get(OutboxJob, job_id).status == JobStatus.PENDING
    assert relay(older_than=0) == 1
    assert db_session.get(OutboxJob, job_id).status == JobStatus.DONE


def test_relay_resends_rows_dispatched_long_ago_that_never_ran(app, db_session):
    job_id, email_id = _stuck_email(
        db_session,
        age=timedelta(minutes=10),
        status=JobStatus.DISPATCHED,
        dispatched_at=utcnow() - timedelta(minutes=10),
    )

    assert relay() == 1
    assert db_session.get(OutboxJob, job_id).status == JobStatus.DONE
    assert db_session.get(OutboundEmail, email_id).status == EmailStatus.SENT


def test_relay_takes_a_running_row_only_once_its_worker_is_surely_dead(app, db_session):
    started = utcnow() - timedelta(seconds=RUNNING_STALE_SECONDS - 60)
    job_id, _ = _stuck_email(
        db_session,
        age=timedelta(hours=1),
        status=JobStatus.RUNNING,
        attempts=1,
        dispatched_at=started,
    )
    assert relay(older_than=0) == 0

    job = db_session.get(OutboxJob, job_id)
    job.dispatched_at = utcnow() - timedelta(seconds=RUNNING_STALE_SECONDS + 1)
    db_session.commit()
    assert relay(older_than=0) == 1

    job = db_session.get(OutboxJob, job_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


def test_relay_command_prints_how_many_it_relayed(app, db_session):
    _stuck_email(db_session, age=timedelta(minutes=5))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["jobs", "relay"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "relayed=1"

    result = runner.invoke(args=["jobs", "relay", "--older-than", "0"])
    assert result.output.strip() == "relayed=0"


def test_list_command_shows_status_attempts_and_error(app, db_session):
    enqueue("marketplace.notifications.tasks.deliver_email", 1, queue="mail")
    db_session.add(
        OutboxJob(
            func="marketplace.search.tasks.index_products",
            args=[[4, 5]],
            queue="search",
            status=JobStatus.FAILED,
            attempts=5,
            last_error="ConnectionError: search cluster unreachable\ntraceback…",
        )
    )
    db_session.commit()

    result = app.test_cli_runner().invoke(args=["jobs", "list", "--limit", "5"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "status" in lines[0] and "tries" in lines[0]
    assert any("failed" in line and "search" in line and " 5 " in line for line in lines)
    assert "error: ConnectionError: search cluster unreachable" in result.output
    assert "traceback" not in result.output
    assert any("done" in line and "deliver_email" in line for line in lines)


def test_worker_command_explains_that_inline_mode_has_no_queue(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])

    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def test_worker_command_refuses_unknown_queues(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--queues", "default,urgent"])

    assert result.exit_code != 0
    assert "--queues" in result.output


def test_nothing_connects_to_redis_when_the_app_is_created(app_factory):
    app = app_factory(REDIS_URL=UNREACHABLE_REDIS)
    assert app.extensions["jobs"].uses_rq
    assert app.extensions["jobs"]._redis is None


def test_redis_down_the_request_still_commits_and_the_row_waits(app_factory, caplog):
    app = app_factory(REDIS_URL=UNREACHABLE_REDIS)

    @app.post("/notify")
    def notify():
        send_email("buyer@example.com", "Your order shipped", "Tracking: 1Z999")
        db.session.commit()
        return "queued", 201

    with caplog.at_level(logging.ERROR, logger="marketplace.jobs"):
        response = app.test_client().post("/notify")

    assert response.status_code == 201
    with app.app_context():
        email = db.session.scalars(select(OutboundEmail)).one()
        job = db.session.scalars(select(OutboxJob)).one()
        assert email.status == EmailStatus.QUEUED
        assert (job.status, job.dispatched_at, job.attempts) == (JobStatus.PENDING, None, 0)
        assert "Redis unavailable" in caplog.text

        # The relay meets the same outage: it stops and leaves the row for next time.
        assert relay(older_than=0) == 0
        assert db.session.get(OutboxJob, job.id).status == JobStatus.PENDING
        db.session.remove()
