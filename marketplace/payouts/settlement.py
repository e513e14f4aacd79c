"""How a payout ends: the gateway's `payout.paid` / `payout.failed` events, and, with the
offline gateway, an admin marking it paid or failed after the bank transfer was made from the
exported file (which then issues the same events).

Events reach `handle_payout_event` through `payments.connect.handle_gateway_event`, which
stores each event once under its id in the same transaction: a redelivered event changes
nothing. A payout is settled once: paid books `payout:<id>:paid` (the money leaves the
gateway), failed books `payout:<id>:failed` (the money is available again). A `payout.paid`
arriving after a failure is ignored (failed is final); a failure after paid means the bank sent
the money back, and it is available again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.payments.gateway import GatewayEvent, get_gateway
from marketplace.payouts import ledger
from marketplace.payouts.models import Payout, PayoutStatus

__all__ = [
    "PAYOUT_EVENT_TYPES",
    "PayoutNotSettleable",
    "handle_payout_event",
    "settle_offline_payout",
]

log = logging.getLogger(__name__)

PAYOUT_EVENT_TYPES = ("payout.paid", "payout.failed", "payout.canceled")
OPEN_STATES = (PayoutStatus.PENDING, PayoutStatus.IN_TRANSIT)
REASON_MAX = 500


class PayoutNotSettleable(DomainError):
    """The payout cannot be marked as asked; nothing changed."""

    message = "That payout cannot be marked paid or failed."


def _payout_of(event: GatewayEvent) -> Payout | None:
    reference = str(event.object.get("id") or "")
    if not reference:
        return None
    payout = db.session.scalars(
        select(Payout).where(
            Payout.gateway_reference == reference, Payout.gateway == event.provider
        )
    ).first()
    account = event.payload.get("account")
    if payout is not None and account and payout.destination and account != payout.destination:
        log.warning(
            "%s %s names account %s, not the payout's: ignored", event.type, event.id, account
        )
        return None
    return payout


def handle_payout_event(event: GatewayEvent) -> None:
    """Apply a `payout.*` event to the payout it is about (see the module docstring)."""
    payout = _payout_of(event)
    if payout is None:
        log.info("%s %s is about no payout of ours: stored only", event.type, event.id)
        return
    when = datetime.fromtimestamp(event.created, UTC) if event.created else utcnow()
    if event.type == "payout.paid":
        if payout.status not in OPEN_STATES:
            log.info("payout.paid for payout %s, already %s: ignored", payout.id, payout.status)
            return
        payout.status = PayoutStatus.PAID
        payout.paid_at = when
        db.session.flush()
        ledger.book_payout_paid(payout)
        return
    if payout.status == PayoutStatus.FAILED:
        return
    payout.status = PayoutStatus.FAILED
    payout.failed_at = when
    payout.failure_message = str(
        event.object.get("failure_message") or "The payout was cancelled before it was paid."
    )[:REASON_MAX]
    db.session.flush()
    ledger.book_payout_failed(payout)


def settle_offline_payout(
    payout_id: int, *, paid: bool, actor_id: int, reason: str | None = None
) -> Payout:
    """An admin says the bank transfer of an offline payout went through (or bounced).

    The offline gateway issues the signed `payout.paid` / `payout.failed` event, applied like a
    Stripe webhook; the decision is written to the admin audit log.
    """
    from marketplace.admin.audit import record_admin_action
    from marketplace.payments import connect
    from marketplace.payments.offline import OfflineGateway

    payout = db.session.get(Payout, payout_id)
    if payout is None:
        raise PayoutNotSettleable("There is no such payout.")
    gateway = get_gateway()
    if not isinstance(gateway, OfflineGateway) or payout.gateway != gateway.name:
        raise PayoutNotSettleable(
            "Only payouts made by bank transfer (the offline gateway) are marked by hand; the "
            "payment provider reports the others."
        )
    if payout.status != PayoutStatus.IN_TRANSIT or not payout.gateway_reference:
        raise PayoutNotSettleable(f"Payout {payout.id} is {payout.status.replace('_', ' ')}.")
    note = " ".join((reason or "").split())[:REASON_MAX] or None
    if not paid and not note:
        raise PayoutNotSettleable("Say why the bank transfer failed: the shop is told.")
    before = {"status": payout.status}
    event = gateway.settle_payout(payout.gateway_reference, paid=paid, failure_message=note)
    connect.handle_gateway_event(event)
    record_admin_action(
        actor_id=actor_id,
        action="payouts.mark_paid" if paid else "payouts.mark_failed",
        target_type="payout",
        target_id=payout.id,
        before=before,
        after={"status": payout.status},
        reason=note,
    )
    return payout
