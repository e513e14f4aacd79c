"""Late orders and silent shops: what `flask fulfilment enforce` (run by cron) does.

1. Remind each shop once of an order whose ship-by date is near (or already past), before
   the cancellation deadline (`ship_reminder_sent_at` remembers it).
2. Cancel and refund what is left to ship of orders past the deadline (ship-by +
   FULFILMENT_CANCEL_AFTER_DAYS), as the marketplace itself, and add a strike to the shop.
3. Turn return requests the shop did not answer in time into disputes.

Each cancellation commits on its own: a refund the gateway made must never be lost with a
later order's rollback, and one order the gateway refuses does not stop the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.fulfilment import notify, settings
from marketplace.fulfilment.returns import escalate_silent_returns
from marketplace.fulfilment.services import cancel_units
from marketplace.fulfilment.states import OPEN_STATES
from marketplace.models_base import utcnow
from marketplace.orders.models import VendorOrder
from marketplace.vendors.onboarding import add_strike

log = logging.getLogger(__name__)


@dataclass
class EnforcementResult:
    reminded: int = 0
    cancelled: int = 0
    refunded_minor: int = 0
    escalated: int = 0
    failed: int = 0

    def summary(self) -> str:
        """The command's last line."""
        return (
            f"reminded={self.reminded} cancelled={self.cancelled} "
            f"refunded_minor={self.refunded_minor}"
        )


def _open_orders():
    return select(VendorOrder).where(
        VendorOrder.status.in_([str(s) for s in OPEN_STATES]), VendorOrder.ship_by.is_not(None)
    )


def remind(now: datetime) -> int:
    """E-mail each shop once about open orders due within the reminder window."""
    window, grace = settings.remind_before(), settings.cancel_after()
    due = db.session.scalars(
        _open_orders()
        .where(
            VendorOrder.ship_reminder_sent_at.is_(None),
            VendorOrder.ship_by <= now + window,
            VendorOrder.ship_by > now - grace,
        )
        .order_by(VendorOrder.ship_by, VendorOrder.id)
    ).all()
    for vendor_order in due:
        assert vendor_order.ship_by is not None
        cancel_on = (vendor_order.ship_by + grace).strftime("%d %b %Y, %H:%M UTC")
        notify.ship_reminder(vendor_order, cancel_on)
        vendor_order.ship_reminder_sent_at = now
    db.session.flush()
    return len(due)


def overdue_ids(now: datetime) -> list[int]:
    """Open vendor orders past their cancellation deadline."""
    stmt = _open_orders().where(VendorOrder.ship_by <= now - settings.cancel_after())
    return [vo.id for vo in db.session.scalars(stmt.order_by(VendorOrder.id))]


def cancel_overdue(vendor_order_id: int, now: datetime) -> int | None:
    """Cancel and refund what is left of one overdue order and strike its shop; returns the
    amount refunded, or None when the order moved on meanwhile (nothing done)."""
    vendor_order = db.session.scalars(
        select(VendorOrder)
        .where(VendorOrder.id == vendor_order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if vendor_order is None or vendor_order.status not in OPEN_STATES:
        return None
    days = settings.cancel_after().days
    reason = (
        f"the shop did not ship it within {days} day{'s' if days != 1 else ''} of its ship-by date"
    )
    result = cancel_units(vendor_order, None, reason, actor_id=None, now=now)
    add_strike(
        vendor_order.vendor_id,
        actor_id=None,
        reason=f"Order {vendor_order.order.number} was cancelled because {reason}.",
    )
    return result.refunded_minor


def run_enforcement(now: datetime | None = None) -> EnforcementResult:
    """Remind, cancel overdue orders, escalate silent returns; commits as it goes."""
    moment = now or utcnow()
    result = EnforcementResult()
    result.reminded = remind(moment)
    db.session.commit()
    for vendor_order_id in overdue_ids(moment):
        try:
            refunded = cancel_overdue(vendor_order_id, moment)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            result.failed += 1
            log.error("Vendor order %s not cancelled: %s", vendor_order_id, error.message)
            continue
        if refunded is not None:
            result.cancelled += 1
            result.refunded_minor += refunded
    result.escalated = escalate_silent_returns(moment)
    db.session.commit()
    return result
