"""Payout runs: `flask payouts run` pays every payable vendor its available balance.

A run first releases what is due (`release.release_due`), then works out, with a few grouped
queries whatever the number of vendors, who is paid: an approved shop with payouts enabled at
the configured gateway, not held by an admin, due on its schedule, with an available balance
(after what it owes) of at least PAYOUT_MINIMUM_MINOR. Every other vendor with money available
is skipped, with the reason counted.

Each payout is recorded and its money moved to `vendor:<id>:in_payout` and committed before the
gateway is asked (key `payout:<id>`); the gateway's answer is committed next. A crash between
the two leaves a pending payout that the next run sends again under the same key, so a vendor
is never paid twice. That is why this module, unlike the services, commits: money leaves at
the gateway between its transactions. A dry run writes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.payments.gateway import GatewayError, PayoutRequest, RequestRefused, get_gateway
from marketplace.payouts import ledger, release
from marketplace.payouts.balances import VendorBalances, balances_by_vendor
from marketplace.payouts.models import Payout, PayoutRun, PayoutSettings, PayoutStatus
from marketplace.payouts.schedules import is_due, settings_values
from marketplace.vendors.models import Vendor, VendorStatus

__all__ = [
    "PayoutRunResult",
    "PlannedPayout",
    "SkipReason",
    "plan_payouts",
    "run_payouts",
    "send_payout",
]

log = logging.getLogger(__name__)


class SkipReason:
    """Why a vendor with money available was not paid by a run."""

    NOT_APPROVED = "shop not approved"
    NOT_PAYABLE = "payouts not enabled at the gateway"
    HELD = "held by an admin"
    NOT_DUE = "not due on its schedule"
    BELOW_MINIMUM = "below the payout minimum"
    GATEWAY_UNAVAILABLE = "gateway unavailable (retried next run)"
    REFUSED = "refused by the gateway"


@dataclass(frozen=True)
class PlannedPayout:
    vendor_id: int
    currency: str
    amount_minor: int
    destination: str


@dataclass
class PayoutRunResult:
    """What a run did (or, dry, would do)."""

    vendors: int = 0
    paid_minor: int = 0
    skipped: int = 0
    released: int = 0
    released_minor: int = 0
    dry_run: bool = False
    run_id: int | None = None
    payouts: list[PlannedPayout] = field(default_factory=list)
    skipped_reasons: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        return f"vendors={self.vendors} paid_minor={self.paid_minor} skipped={self.skipped}"


def payout_minimum() -> int:
    return int(current_app.config.get("PAYOUT_MINIMUM_MINOR", 1000))


def _last_payouts() -> dict[tuple[int, str], datetime]:
    """When each vendor was last paid (a failed payout does not count), per currency."""
    rows = db.session.execute(
        select(Payout.vendor_id, Payout.currency, func.max(Payout.created_at))
        .where(Payout.status != PayoutStatus.FAILED)
        .group_by(Payout.vendor_id, Payout.currency)
    )
    return {(vendor_id, currency): _aware(at) for vendor_id, currency, at in rows}


def _aware(value: datetime | str) -> datetime:
    """MAX() of a UTC column, as an aware datetime whatever the driver handed back."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _vendors_and_settings(
    vendor_ids: list[int],
) -> tuple[dict[int, tuple], dict[int, PayoutSettings]]:
    vendors: dict[int, tuple] = {}
    settings: dict[int, PayoutSettings] = {}
    for chunk in _chunks(vendor_ids):
        for row in db.session.execute(
            select(
                Vendor.id,
                Vendor.status,
                Vendor.payouts_enabled,
                Vendor.payout_account_id,
                Vendor.payout_gateway,
            ).where(Vendor.id.in_(chunk))
        ):
            vendors[row[0]] = tuple(row[1:])
        for item in db.session.scalars(
            select(PayoutSettings).where(PayoutSettings.vendor_id.in_(chunk))
        ):
            settings[item.vendor_id] = item
    return vendors, settings


def plan_payouts(
    *, now: datetime | None = None, released: dict[tuple[int, str], int] | None = None
) -> tuple[list[PlannedPayout], Counter[str]]:
    """Who a run pays now and how much, and why the others with money are skipped.

    `released` adds money a dry run would release first, per (vendor id, currency).
    """
    now = now or utcnow()
    released = released or {}
    balances = balances_by_vendor()
    for key, amount in released.items():
        current = balances.get(key, VendorBalances(*key))
        balances[key] = VendorBalances(
            vendor_id=current.vendor_id,
            currency=current.currency,
            pending=current.pending - amount,
            balance=current.balance + amount,
            in_payout=current.in_payout,
            paid_out=current.paid_out,
            owed=current.owed,
        )
    with_money = {key: b for key, b in balances.items() if b.available > 0}
    vendors, settings = _vendors_and_settings(sorted({key[0] for key in with_money}))
    last_paid = _last_payouts()
    gateway_name = get_gateway().name
    minimum = payout_minimum()
    planned: list[PlannedPayout] = []
    skipped: Counter[str] = Counter()
    for (vendor_id, currency), money in sorted(with_money.items()):
        status, enabled, account, account_gateway = vendors[vendor_id]
        values = settings_values(settings.get(vendor_id))
        if status != VendorStatus.APPROVED:
            skipped[SkipReason.NOT_APPROVED] += 1
        elif not enabled or not account or account_gateway != gateway_name:
            skipped[SkipReason.NOT_PAYABLE] += 1
        elif values.get("hold_reason"):
            skipped[SkipReason.HELD] += 1
        elif not is_due(
            values["schedule"],
            values["weekday"],
            values["month_day"],
            last_payout_at=last_paid.get((vendor_id, currency)),
            now=now,
        ):
            skipped[SkipReason.NOT_DUE] += 1
        elif money.available < minimum:
            skipped[SkipReason.BELOW_MINIMUM] += 1
        else:
            planned.append(PlannedPayout(vendor_id, currency, money.available, account))
    return planned, skipped


def _dry_releases(now: datetime) -> dict[tuple[int, str], int]:
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for due in release.due_releases(now=now):
        totals[(due.vendor_id, due.currency)] += due.payable_minor
    return dict(totals)


def run_payouts(*, dry_run: bool = False, now: datetime | None = None) -> PayoutRunResult:
    """Release what is due, then pay every payable vendor (see the module docstring)."""
    now = now or utcnow()
    if dry_run:
        due = _dry_releases(now)
        planned, skipped = plan_payouts(now=now, released=due)
        return PayoutRunResult(
            vendors=len(planned),
            paid_minor=sum(p.amount_minor for p in planned),
            skipped=sum(skipped.values()),
            released=len(due),
            released_minor=sum(due.values()),
            dry_run=True,
            payouts=planned,
            skipped_reasons=skipped,
        )
    run = PayoutRun(gateway=get_gateway().name, started_at=now)
    db.session.add(run)
    released = release.release_due(now=now)
    run.released = released.released
    db.session.commit()
    result = PayoutRunResult(
        released=released.released, released_minor=released.released_minor, run_id=run.id
    )
    for payout in _unsent_payouts():
        _send_and_count(payout, result)
    planned, result.skipped_reasons = plan_payouts(now=now)
    for plan in planned:
        payout = _record_payout(plan, run, now)
        db.session.commit()
        _send_and_count(payout, result)
    result.payouts = planned
    result.skipped = sum(result.skipped_reasons.values())
    run.vendors, run.paid_minor, run.skipped = result.vendors, result.paid_minor, result.skipped
    run.finished_at = utcnow()
    db.session.commit()
    return result


def _unsent_payouts() -> list[Payout]:
    """Payouts recorded by an earlier run that never got the gateway's answer."""
    return list(
        db.session.scalars(
            select(Payout)
            .where(Payout.status == PayoutStatus.PENDING, Payout.gateway_reference.is_(None))
            .order_by(Payout.id)
        )
    )


def _record_payout(plan: PlannedPayout, run: PayoutRun, now: datetime) -> Payout:
    payout = Payout(
        vendor_id=plan.vendor_id,
        run_id=run.id,
        gateway=run.gateway,
        destination=plan.destination,
        amount_minor=plan.amount_minor,
        currency=plan.currency,
        status=PayoutStatus.PENDING,
        idempotency_key=f"payout-run:{run.id}:vendor:{plan.vendor_id}:{plan.currency}",
        created_at=now,
    )
    db.session.add(payout)
    db.session.flush()
    payout.idempotency_key = f"payout:{payout.id}"
    ledger.book_payout_sent(payout)
    return payout


def _send_and_count(payout: Payout, result: PayoutRunResult) -> None:
    outcome = send_payout(payout)
    db.session.commit()
    if outcome == PayoutStatus.IN_TRANSIT:
        result.vendors += 1
        result.paid_minor += payout.amount_minor
    elif outcome == PayoutStatus.FAILED:
        result.skipped_reasons[SkipReason.REFUSED] += 1
    else:
        result.skipped_reasons[SkipReason.GATEWAY_UNAVAILABLE] += 1


def send_payout(payout: Payout) -> str:
    """Ask the gateway to pay a recorded payout; returns its status afterwards (flushes).

    Refused: failed, its money available again. Unreachable: still pending, for the next run.
    """
    request = PayoutRequest(
        payout_id=payout.id,
        vendor_id=payout.vendor_id,
        amount_minor=payout.amount_minor,
        currency=payout.currency,
        account=payout.destination or "",
        description=f"Marketplace payout {payout.id}",
    )
    try:
        answer = get_gateway().create_payout(request)
    except RequestRefused as refused:
        payout.status = PayoutStatus.FAILED
        payout.failure_message = refused.message
        payout.failed_at = utcnow()
        ledger.book_payout_failed(payout)
        log.warning("Payout %s refused: %s", payout.id, refused.message)
    except GatewayError as error:
        log.warning("Payout %s not sent, will be retried: %s", payout.id, error.message)
    else:
        payout.gateway_reference = answer.reference
        payout.status = PayoutStatus.IN_TRANSIT
    db.session.flush()
    return payout.status
