"""Releasing vendor orders' money to their vendors once it is safe to.

Policy `PAYOUT_RELEASE_POLICY`:
- "on_delivery" (the default): a delivered vendor order is released on its release date,
  `delivered_at + max(PAYOUT_HOLD_DAYS, RETURN_WINDOW_DAYS)` days, and never while one of its
  returns is still open (requested, approved, escalated or received and not yet refunded):
  the buyer can no longer send it back, so the vendor's share will not have to be clawed back.
- "on_payment": released as soon as the order is paid (a job per vendor order at payment);
  `release_due` then only catches up on releases that failed.

`release_due` is what cron runs (`flask payouts release`, and first thing in `flask payouts
run`): it finds what is due with one set-based query and releases each vendor order through
`payments.services.release_vendor_order_funds` (a transfer with an idempotency key), each in a
savepoint so one vendor without a payout account does not stop the others. The caller commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.fulfilment.returns import OPEN_RETURN_STATES
from marketplace.models_base import utcnow
from marketplace.orders.models import VendorOrder
from marketplace.payments import services as payments
from marketplace.payouts.models import LedgerAccount, LedgerEntry, LedgerTransaction

__all__ = [
    "DueRelease",
    "ReleaseResult",
    "due_releases",
    "hold_days",
    "release_date",
    "release_due",
]

log = logging.getLogger(__name__)

DEFAULT_RETURN_WINDOW_DAYS = 30


@dataclass(frozen=True)
class DueRelease:
    """A vendor order whose money may go to its vendor now: what is still payable for it."""

    vendor_order_id: int
    vendor_id: int
    currency: str
    payable_minor: int


@dataclass
class ReleaseResult:
    """What a release pass did: vendor orders released (transferred or kept back against what
    the vendor owed), their amount, and the ones that could not be released, with why."""

    released: int = 0
    released_minor: int = 0
    failed: dict[int, str] = field(default_factory=dict)


def hold_days() -> int:
    """Days after delivery before release: the hold, or the return window if that is longer."""
    config = current_app.config
    hold = int(config.get("PAYOUT_HOLD_DAYS", 7))
    window = int(config.get("RETURN_WINDOW_DAYS", DEFAULT_RETURN_WINDOW_DAYS))
    return max(hold, window, 0)


def release_date(delivered_at: datetime) -> datetime:
    """When a vendor order delivered at `delivered_at` may be released (open returns aside)."""
    return delivered_at + timedelta(days=hold_days())


def _open_return_states() -> tuple[str, ...]:
    """Statuses of a return still in progress (the fulfilment package owns the list)."""
    return tuple(str(state) for state in OPEN_RETURN_STATES)


def due_releases(*, now: datetime | None = None) -> list[DueRelease]:
    """Every vendor order due for release at `now`, with what is still payable for it (one
    query: vendor orders joined to the postings on their vendor's payable account)."""
    now = now or utcnow()
    payable = -func.sum(LedgerEntry.amount_minor)
    stmt = (
        select(VendorOrder.id, VendorOrder.vendor_id, VendorOrder.currency, payable)
        .join(LedgerTransaction, LedgerTransaction.order_id == VendorOrder.order_id)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(
            LedgerAccount,
            and_(
                LedgerAccount.id == LedgerEntry.account_id,
                LedgerAccount.vendor_id == VendorOrder.vendor_id,
                LedgerAccount.currency == VendorOrder.currency,
                LedgerAccount.code.like("vendor:%:payable"),
            ),
        )
        .group_by(VendorOrder.id, VendorOrder.vendor_id, VendorOrder.currency)
        .having(payable > 0)
        .order_by(VendorOrder.id)
    )
    if payments.release_policy() == payments.RELEASE_ON_DELIVERY:
        from marketplace.fulfilment.models import ReturnRequest

        open_return = exists().where(
            ReturnRequest.vendor_order_id == VendorOrder.id,
            ReturnRequest.status.in_(_open_return_states()),
        )
        stmt = stmt.where(
            VendorOrder.delivered_at.is_not(None),
            VendorOrder.delivered_at <= now - timedelta(days=hold_days()),
            ~open_return,
        )
    return [DueRelease(*row) for row in db.session.execute(stmt)]


def release_due(*, now: datetime | None = None) -> ReleaseResult:
    """Release every vendor order whose release date has passed; the caller commits.

    Safe to run again at any time: a released vendor order has nothing left payable, and a
    transfer retried after a failure reuses its idempotency key.
    """
    result = ReleaseResult()
    for due in due_releases(now=now):
        try:
            with db.session.begin_nested():
                payments.release_vendor_order_funds(due.vendor_order_id)
        except DomainError as error:
            result.failed[due.vendor_order_id] = error.message
            log.warning("Vendor order %s not released: %s", due.vendor_order_id, error.message)
            continue
        result.released += 1
        result.released_minor += due.payable_minor
    return result
