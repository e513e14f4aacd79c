"""Jobs on a real Redis: dispatch after commit, a real worker process, outages and the relay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.jobs import JobStatus, OutboxJob, relay
from marketplace.models_base import utcnow
from marketplace.notifications.models import EmailStatus, OutboundEmail
from marketplace.notifications.services import send_email

pytestmark = pytest.mark.integration

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _the_job() -> OutboxJob:
    return db.session.scalars(select(OutboxJob)).one()


def test_a_committed_job_is_handed_to_its_rq_queue(rq_app, redis_connection):
    email = send_email("buyer@example.com", "Order confirmed", "Order M-1001 is confirmed.")
    assert Queue("mail", connection=redis_connection).count == 0  # nothing before the commit
    db.session.commit()

    job = _the_job()
    assert job.status == JobStatus.DISPATCHED
    assert job.dispatched_at is not None
    mail = Queue("mail", connection=redis_connection)
    assert mail.job_ids == [f"outbox-{job.id}-0"]
    queued = mail.fetch_job(f"outbox-{job.id}-0")
    assert queued.func_name == "marketplace.jobs.run_outbox_job"
    assert queued.args == (job.id,)
    assert Queue("default", connection=redis_connection).count == 0
    assert db.session.get(OutboundEmail, email.id).status == EmailStatus.QUEUED


def test_a_rolled_back_job_never_reaches_redis(rq_app, redis_connection):
    send_email("buyer@example.com", "Order confirmed", "…")
    db.session.rollback()

    assert Queue("mail", connection=redis_connection).count == 0
    assert db.session.scalars(select(OutboxJob)).all() == []


def test_a_worker_process_runs_the_job(rq_app, redis_connection, run_worker):
    email = send_email("buyer@example.com", "Your order shipped", "Tracking: 1Z999")
    db.session.commit()

    result = run_worker()

    job = _the_job()
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
    assert job.finished_at is not None
    email = db.session.get(OutboundEmail, email.id)
    assert email.status == EmailStatus.SENT
    assert "Tracking: 1Z999" in result.stderr  # the embedded mail backend logs the message
    assert Queue("mail", connection=redis_connection).count == 0


def test_a_failing_job_in_the_worker_is_recorded_for_the_outbox_retry(
    rq_app, redis_connection, run_worker
):
    email = send_email("buyer@example.com", "Receipt", "Thanks")
    db.session.commit()

    run_worker(smtp_url="smtp://127.0.0.1:1")

    job = _the_job()
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert "ConnectionRefusedError" in job.last_error
    assert job.available_at > utcnow()
    email = db.session.get(OutboundEmail, email.id)
    assert (email.status, email.attempts) == (EmailStatus.QUEUED, 1)
    # The outbox owns retries: RQ itself neither failed nor requeued the job.
    mail = Queue("mail", connection=redis_connection)
    assert (mail.count, mail.failed_job_registry.count) == (0, 0)


def test_redis_down_the_request_commits_and_the_relay_delivers_later(
    rq_app, redis_url, redis_connection, run_worker
):
    @rq_app.post("/notify")
    def notify():
        send_email("buyer@example.com", "Your order shipped", "Tracking: 1Z999")
        db.session.commit()
        return "queued", 201

    rq_app.config["REDIS_URL"] = UNREACHABLE_REDIS
    assert rq_app.test_client().post("/notify").status_code == 201

    job = _the_job()
    assert (job.status, job.dispatched_at) == (JobStatus.PENDING, None)
    assert Queue("mail", connection=redis_connection).count == 0

    rq_app.config["REDIS_URL"] = redis_url  # Redis is back
    result = rq_app.test_cli_runner().invoke(args=["jobs", "relay", "--older-than", "0"])
    assert result.output.strip() == "relayed=1"
    db.session.rollback()
    assert _the_job().status == JobStatus.DISPATCHED
    assert Queue("mail", connection=redis_connection).count == 1

    run_worker()
    assert _the_job().status == JobStatus.DONE
    assert db.session.scalars(select(OutboundEmail)).one().status == EmailStatus.SENT


def test_the_relay_resends_a_job_that_redis_lost(rq_app, redis_connection, run_worker):
    send_email("buyer@example.com", "Welcome", "Hello")
    db.session.commit()
    redis_connection.flushdb()  # e.g. Redis restarted without persistence
    job = _the_job()
    job.dispatched_at = utcnow() - timedelta(minutes=10)
    db.session.commit()

    assert relay() == 1
    assert Queue("mail", connection=redis_connection).count == 1

    run_worker()
    assert _the_job().status == JobStatus.DONE
