"""send_email(): an outbox row, delivered by a mail job to the log (embedded) or over SMTP."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.jobs import JobStatus, OutboxJob
from marketplace.notifications.models import EmailStatus, OutboundEmail
from marketplace.notifications.services import latest_email_to, send_email
from marketplace.notifications.tasks import deliver_email


def _outbox_job() -> OutboxJob:
    return db.session.scalars(select(OutboxJob)).one()


def test_without_smtp_the_email_is_logged_and_marked_sent(app, db_session, caplog):
    with caplog.at_level(logging.INFO, logger="marketplace.notifications"):
        email = send_email(
            "buyer@example.com",
            "Your order M-1001 has shipped",
            "Tracking number: 1Z999AA10123456784",
            kind="order_shipped",
        )
        db_session.commit()

    email = db_session.get(OutboundEmail, email.id)
    assert email.status == EmailStatus.SENT
    assert email.sent_at is not None
    assert email.kind == "order_shipped"
    record = next(r for r in caplog.records if r.name == "marketplace.notifications.tasks")
    assert record.levelno == logging.INFO
    logged = record.getMessage()
    assert "To: buyer@example.com" in logged
    assert "Subject: Your order M-1001 has shipped" in logged
    assert "Tracking number: 1Z999AA10123456784" in logged
    job = _outbox_job()
    assert (job.queue, job.args, job.status) == ("mail", [email.id], JobStatus.DONE)


def test_an_email_of_a_rolled_back_change_is_never_sent(app, db_session, caplog):
    with caplog.at_level(logging.INFO, logger="marketplace.notifications"):
        send_email("buyer@example.com", "Welcome", "Hello")
        db_session.rollback()

    assert db_session.scalar(select(func.count()).select_from(OutboundEmail)) == 0
    assert db_session.scalar(select(func.count()).select_from(OutboxJob)) == 0
    assert "Welcome" not in caplog.text


def test_delivering_twice_sends_once(app, db_session, caplog):
    email = send_email("buyer@example.com", "Receipt", "Thanks")
    db_session.commit()
    sent_at = db_session.get(OutboundEmail, email.id).sent_at

    with caplog.at_level(logging.INFO, logger="marketplace.notifications"):
        deliver_email(email.id)

    email = db_session.get(OutboundEmail, email.id)
    assert (email.status, email.sent_at, email.attempts) == (EmailStatus.SENT, sent_at, 1)
    assert "Receipt" not in caplog.text


def test_latest_email_to_finds_the_newest_whatever_the_case(app, db_session):
    send_email("Buyer@Example.com", "First", "1")
    send_email("other@example.com", "Other", "x")
    second = send_email("buyer@example.com", "Second", "2")
    db_session.commit()

    assert latest_email_to("BUYER@example.com").id == second.id
    assert latest_email_to("nobody@example.com") is None


def test_subject_is_kept_to_one_line(app, db_session):
    email = send_email("buyer@example.com", "Hello\r\nBcc: victim@example.com", "Body")

    assert email.subject == "Hello Bcc: victim@example.com"


def test_an_address_is_required(app, db_session):
    with pytest.raises(ValueError):
        send_email("   ", "Hello", "Body")


def test_with_smtp_the_message_goes_to_the_server(app_factory, smtp_server):
    url, received = smtp_server
    app = app_factory(SMTP_URL=url, MAIL_FROM="Shop <no-reply@shop.example>")
    with app.app_context():
        email = send_email("buyer@example.com", "Password reset", "Open this link: https://x/y")
        db.session.commit()

        assert db.session.get(OutboundEmail, email.id).status == EmailStatus.SENT
        db.session.remove()

    assert received.credentials == [("mailer@shop", "s3cret!")]
    assert received.envelopes == [("no-reply@shop.example", ["buyer@example.com"])]
    message = received.messages[0]
    assert message["To"] == "buyer@example.com"
    assert message["Subject"] == "Password reset"
    assert message["From"] == "Shop <no-reply@shop.example>"
    assert message["Message-ID"]
    assert "Open this link: https://x/y" in message.get_payload(decode=True).decode()


def test_a_refused_recipient_is_marked_failed_without_retrying(app_factory, smtp_server):
    url, received = smtp_server
    received.refuse_recipients = True
    app = app_factory(SMTP_URL=url)
    with app.app_context():
        email = send_email("gone@example.com", "Hello", "Body")
        db.session.commit()

        email = db.session.get(OutboundEmail, email.id)
        assert email.status == EmailStatus.FAILED
        assert "SMTPRecipientsRefused" in email.last_error
        assert _outbox_job().status == JobStatus.DONE
        db.session.remove()
    assert received.messages == []


def test_an_unreachable_smtp_server_leaves_the_email_queued_for_a_retry(app_factory):
    app = app_factory(SMTP_URL="smtp://127.0.0.1:1")
    with app.app_context():
        email = send_email("buyer@example.com", "Hello", "Body")
        db.session.commit()

        email = db.session.get(OutboundEmail, email.id)
        assert email.status == EmailStatus.QUEUED
        assert email.attempts == 1
        assert email.last_error
        job = _outbox_job()
        assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
        assert "ConnectionRefusedError" in job.last_error
        db.session.remove()
