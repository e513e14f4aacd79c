"""Mail-queue jobs: deliver one recorded e-mail by SMTP, or to the log in the embedded default."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 20
# The server said no to this message for good; retrying would only repeat the refusal.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)


def deliver_email(email_id: int) -> None:
    """Send a queued e-mail once; safe to run again (a sent e-mail is skipped)."""
    email = db.session.get(OutboundEmail, email_id)
    if email is None or email.status != EmailStatus.QUEUED:
        return
    email.attempts += 1
    smtp_url = current_app.config.get("SMTP_URL")
    if smtp_url:
        try:
            send_by_smtp(smtp_url, build_message(email))
        except PERMANENT_ERRORS as exc:
            _record_error(email, exc, give_up=True)
            log.error("e-mail #%s to %s refused: %s", email.id, email.to_address, exc)
            return
        except (smtplib.SMTPException, OSError) as exc:
            give_up = email.attempts >= current_app.config["JOBS_MAX_ATTEMPTS"]
            _record_error(email, exc, give_up=give_up)
            raise  # the outbox retries it with backoff
    else:
        text = "e-mail #%s (no SMTP_URL, kept in the outbox)\nTo: %s\nSubject: %s\n\n%s"
        log.info(text, email.id, email.to_address, email.subject, email.body_text)
    email.status, email.sent_at, email.last_error = EmailStatus.SENT, utcnow(), None
    db.session.commit()


def _record_error(email: OutboundEmail, exc: Exception, *, give_up: bool) -> None:
    """Keep the failure on the e-mail itself, where support looks for it."""
    email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if give_up:
        email.status = EmailStatus.FAILED
    db.session.commit()


def build_message(email: OutboundEmail) -> EmailMessage:
    """The MIME message for a recorded e-mail (plain text)."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(idstring=f"email-{email.id}")
    message.set_content(email.body_text)
    return message


def send_by_smtp(url: str, message: EmailMessage) -> None:
    """Send through the server in `url`: smtp:// (plain), smtp+starttls://, or smtps:// (TLS)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, parts.port or 465, timeout=SMTP_TIMEOUT)
    elif parts.scheme in ("smtp", "smtp+starttls"):
        default_port = 587 if parts.scheme == "smtp+starttls" else 25
        client = smtplib.SMTP(host, parts.port or default_port, timeout=SMTP_TIMEOUT)
    else:
        raise ValueError(f"SMTP_URL must start with smtp://, smtp+starttls:// or smtps://: {url!r}")
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
