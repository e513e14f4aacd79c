"""Sending e-mail: every message is an `OutboundEmail` row first, delivered by a mail-queue job."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.jobs import enqueue
from marketplace.notifications.models import OutboundEmail

SUBJECT_MAX = 200


def send_email(
    to_address: str,
    subject: str,
    body_text: str,
    *,
    kind: str = "general",
    user_id: int | None = None,
) -> OutboundEmail:
    """Record an e-mail and queue its delivery; nothing leaves unless the caller commits."""
    address = to_address.strip()
    if not address or "@" not in address:
        raise ValueError(f"not an e-mail address: {to_address!r}")
    # Header values are one line: folding whitespace also blocks header injection.
    clean_subject = " ".join(subject.split())[:SUBJECT_MAX]
    email = OutboundEmail(
        to_address=address,
        subject=clean_subject,
        body_text=body_text,
        kind=kind,
        user_id=user_id,
    )
    db.session.add(email)
    db.session.flush()
    enqueue("marketplace.notifications.tasks.deliver_email", email.id, queue="mail")
    return email


def latest_email_to(address: str) -> OutboundEmail | None:
    """The newest e-mail recorded for `address` (case-insensitive), e.g. to read a reset link."""
    stmt = (
        select(OutboundEmail)
        .where(func.lower(OutboundEmail.to_address) == address.strip().lower())
        .order_by(OutboundEmail.id.desc())
        .limit(1)
    )
    return db.session.scalars(stmt).first()
