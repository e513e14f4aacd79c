"""Notices to a shop's owner about its listings: in-app, and by e-mail when it matters."""

from __future__ import annotations

from flask import has_request_context, url_for

from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.notifications.services import send_email
from marketplace.vendors.models import Vendor

NOTICE_MAX = 300


def listing_link(product_id: int, *, external: bool = False) -> str:
    """Where the vendor edits the listing (a path outside a request, e.g. in a job)."""
    if has_request_context():
        return url_for("vendors.listing_edit", product_id=product_id, _external=external)
    return f"/sell/listings/{product_id}/edit"


def notify_vendor(
    vendor: Vendor,
    kind: str,
    message: str,
    *,
    link: str | None = None,
    email: tuple[str, str] | None = None,
) -> None:
    """An in-app notice for the shop's owner, and an e-mail (subject, body) when given."""
    short = message if len(message) <= NOTICE_MAX else message[: NOTICE_MAX - 1] + "…"
    db.session.add(Notification(user_id=vendor.owner_id, kind=kind, message=short, link=link))
    if email is not None:
        subject, body = email
        send_email(
            vendor.contact_email,
            f"{subject} · {vendor.display_name}",
            body,
            kind=kind,
            user_id=vendor.owner_id,
        )
