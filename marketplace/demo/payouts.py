"""Demo payouts: the release cron and the weekly payout run, replayed over the demo's past.

With the "on_delivery" policy a vendor order's money is held until its release date (see
`marketplace.payouts.release`). So that the demo shows every state a vendor's money can be in,
the weeks since the first hold ended are replayed the way cron would have run them: every
morning `release.release_due`, every Monday (before today) that has someone to pay
`runs.run_payouts`, which releases first and then pays, and two days after a payout the bank
settles it through the offline gateway's `payout.paid` event. A last release pass runs at the
seed's own time. Each step's ledger transactions, transfers and webhook events are dated the
morning they happened.

What was released since the last Monday is available, what is still in its hold is pending,
and payouts older than two days are paid out.

A payout run commits (money leaves at the gateway between its transactions), so this step
commits everything seeded before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update

from marketplace.extensions import db
from marketplace.orders.models import VendorOrder
from marketplace.payments import connect
from marketplace.payments import services as payment_services
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import WebhookEvent
from marketplace.payments.offline import OfflineGateway
from marketplace.payouts import release, runs
from marketplace.payouts.models import LedgerTransaction, Payout, PayoutRun, PayoutStatus, Transfer

CRON_TIME = time(6, 0)
PAYOUT_WEEKDAY = 0  # Monday, every demo shop's default schedule
BANK_DAYS = 2
RUN_MINUTES = 4


@dataclass
class DemoPayouts:
    """What the replay did: vendor orders released, payouts sent, and how much they paid."""

    released: int = 0
    payouts: int = 0
    paid_minor: int = 0


@dataclass(frozen=True)
class _Marks:
    """The newest row ids before a step, so the rows the step adds can be dated."""

    transaction: int
    transfer: int
    event: int

    @classmethod
    def take(cls) -> _Marks:
        return cls(
            transaction=_max_id(LedgerTransaction.id),
            transfer=_max_id(Transfer.id),
            event=_max_id(WebhookEvent.id),
        )

    def date_new_rows(self, when: datetime) -> None:
        """Put what was added since the marks at `when`."""
        for model, mark in (
            (LedgerTransaction, self.transaction),
            (Transfer, self.transfer),
        ):
            db.session.execute(update(model).where(model.id > mark).values(created_at=when))
        db.session.execute(
            update(WebhookEvent).where(WebhookEvent.id > self.event).values(received_at=when)
        )


def _max_id(column) -> int:
    return db.session.scalar(select(func.coalesce(func.max(column), 0)))


def replay_payouts(*, since: datetime, now: datetime) -> DemoPayouts:
    """Run the release and payout cron for every morning from `since` to `now` (commits).

    Does nothing unless the offline gateway is configured and money is released on delivery.
    """
    gateway = get_gateway()
    on_delivery = payment_services.release_policy() == payment_services.RELEASE_ON_DELIVERY
    if not isinstance(gateway, OfflineGateway) or not on_delivery:
        return DemoPayouts()
    result = DemoPayouts()
    first_delivery = db.session.scalar(select(func.min(VendorOrder.delivered_at)))
    if first_delivery is not None:  # nothing is released before the first hold ends
        since = max(since, release.release_date(first_delivery) - timedelta(days=1))
    morning = datetime.combine(since.date() + timedelta(days=1), CRON_TIME, tzinfo=now.tzinfo)
    while morning.date() < now.date():
        marks = _Marks.take()
        _settle_payouts(gateway, sent_before=morning - timedelta(days=BANK_DAYS), at=morning)
        if (
            morning.weekday() == PAYOUT_WEEKDAY
            and runs.run_payouts(dry_run=True, now=morning).vendors
        ):
            _run_payouts(morning, result)
        else:
            result.released += release.release_due(now=morning).released
        marks.date_new_rows(morning)
        morning += timedelta(days=1)
    marks = _Marks.take()
    _settle_payouts(gateway, sent_before=now - timedelta(days=BANK_DAYS), at=now)
    result.released += release.release_due(now=now).released
    marks.date_new_rows(now)
    db.session.commit()
    return result


def _run_payouts(at: datetime, result: DemoPayouts) -> None:
    run = runs.run_payouts(now=at)
    result.released += run.released
    result.payouts += run.vendors
    result.paid_minor += run.paid_minor
    recorded = db.session.get(PayoutRun, run.run_id)
    if recorded is not None:
        recorded.finished_at = at + timedelta(minutes=RUN_MINUTES)


def _settle_payouts(gateway: OfflineGateway, *, sent_before: datetime, at: datetime) -> None:
    """The bank confirms every payout in transit that was sent before `sent_before`."""
    in_transit = db.session.scalars(
        select(Payout)
        .where(Payout.status == PayoutStatus.IN_TRANSIT, Payout.created_at <= sent_before)
        .order_by(Payout.id)
    ).all()
    for payout in in_transit:
        assert payout.gateway_reference is not None
        connect.handle_gateway_event(gateway.settle_payout(payout.gateway_reference, paid=True))
        payout.paid_at = at
    db.session.flush()
