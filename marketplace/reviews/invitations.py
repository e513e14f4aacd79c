"""Review invitations: `flask reviews invite` mails each buyer once per delivered vendor order,
REVIEW_INVITE_DAYS after delivery, with one signed, expiring link per item.

A link names the order line and the buyer; it opens the review form only for that buyer signed
in (the form is behind sign-in, and a link for someone else's line is refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.services import send_email
from marketplace.orders.models import Order, OrderLine, VendorOrder, VendorOrderStatus
from marketplace.reviews.exceptions import InvitationInvalid, InvitationNotYours
from marketplace.reviews.models import Review, ReviewInvitation

TOKEN_SALT = "review-invitation"
INVITE_BATCH = 500


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def link_max_age_seconds() -> int:
    return int(current_app.config.get("REVIEW_INVITE_LINK_DAYS", 30)) * 86400


def make_token(line_id: int, buyer_id: int) -> str:
    return _serializer().dumps({"line": line_id, "buyer": buyer_id})


def line_for_token(token: str, user_id: int, *, max_age: int | None = None) -> int:
    """The order line a link is for, if it is genuine, unexpired and the signed-in buyer's."""
    try:
        payload: Any = _serializer().loads(
            token, max_age=link_max_age_seconds() if max_age is None else max_age
        )
    except SignatureExpired:
        raise InvitationInvalid(
            "That review link has expired. You can still review the item from your orders."
        ) from None
    except BadSignature:
        raise InvitationInvalid() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("line"), int):
        raise InvitationInvalid()
    if payload.get("buyer") != user_id:
        raise InvitationNotYours()
    return int(payload["line"])


def invitation_url(token: str) -> str:
    """An absolute link to the invitation page, in a request or from cron (no request)."""
    if has_request_context():
        return url_for("reviews.invitation", token=token, _external=True)
    config = current_app.config
    adapter = current_app.url_map.bind(
        config.get("SERVER_NAME") or "localhost",
        url_scheme=config.get("PREFERRED_URL_SCHEME", "http"),
    )
    return adapter.build("reviews.invitation", {"token": token}, force_external=True)


@dataclass
class InviteResult:
    sent: int = 0
    skipped: int = 0  # due, but every item was already reviewed: marked, nothing sent

    def summary(self) -> str:
        return f"sent={self.sent} skipped={self.skipped}"


def due_vendor_orders(now: datetime, limit: int = INVITE_BATCH) -> list[VendorOrder]:
    """Delivered vendor orders past the wait and within the link's life, not invited yet."""
    config = current_app.config
    wait = timedelta(days=int(config.get("REVIEW_INVITE_DAYS", 3)))
    life = timedelta(days=int(config.get("REVIEW_INVITE_LINK_DAYS", 30)))
    invited = exists().where(ReviewInvitation.vendor_order_id == VendorOrder.id)
    stmt = (
        select(VendorOrder)
        .where(
            VendorOrder.status == VendorOrderStatus.DELIVERED,
            VendorOrder.delivered_at <= now - wait,
            VendorOrder.delivered_at > now - wait - life,
            ~invited,
        )
        .options(
            selectinload(VendorOrder.lines),
            selectinload(VendorOrder.order).selectinload(Order.buyer),
            selectinload(VendorOrder.vendor),
        )
        .order_by(VendorOrder.delivered_at, VendorOrder.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def _unreviewed_lines(vendor_order: VendorOrder) -> list[OrderLine]:
    reviewed = set(
        db.session.scalars(
            select(Review.order_line_id).where(
                Review.order_line_id.in_([line.id for line in vendor_order.lines])
            )
        )
    )
    return [
        line
        for line in vendor_order.lines
        if line.id not in reviewed and line.product_id is not None
    ]


def _email_body(vendor_order: VendorOrder, lines: list[OrderLine], buyer_id: int) -> str:
    shop = vendor_order.vendor.display_name
    parts = [
        f"Hello {vendor_order.order.buyer.display_name},",
        "",
        f"Your order {vendor_order.order.number} from {shop} was delivered. How was it?",
        "A short review helps other buyers choose, and helps the shop too.",
        "",
    ]
    for line in lines:
        parts += [f"- {line.title}", f"  {invitation_url(make_token(line.id, buyer_id))}"]
    days = int(current_app.config.get("REVIEW_INVITE_LINK_DAYS", 30))
    parts += [
        "",
        f"The links work for {days} days, once you are signed in to your account.",
        "After that you can still review these items from your orders.",
    ]
    return "\n".join(parts)


def send_due_invitations(*, now: datetime | None = None) -> InviteResult:
    """Invite every buyer whose delivery is due, once per vendor order; the caller commits."""
    now = now or utcnow()
    result = InviteResult()
    for vendor_order in due_vendor_orders(now):
        buyer = vendor_order.order.buyer
        db.session.add(
            ReviewInvitation(vendor_order_id=vendor_order.id, buyer_id=buyer.id, sent_at=now)
        )
        lines = _unreviewed_lines(vendor_order)
        if not lines:
            result.skipped += 1
            continue
        send_email(
            vendor_order.order.email or buyer.email,
            f"How was your order from {vendor_order.vendor.display_name}?",
            _email_body(vendor_order, lines, buyer.id),
            kind="review_invitation",
            user_id=buyer.id,
        )
        result.sent += 1
    db.session.flush()
    return result
