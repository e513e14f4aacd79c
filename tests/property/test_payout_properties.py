"""Stateful property test: random sequences of pay / ship / deliver / refund / return / release /
payout / settle keep the money right.

After every step: the ledger verifies (balanced, every account on its side, clearing closed);
no vendor is paid (payouts sent and not failed) more than it earned net (sales less refunds)
plus what it owes back; what the ledger says the marketplace owes each vendor is what it
earned net less what its bank received; and a vendor paid by a run still covers what it owes
with what is left (receivables are recovered before payouts).

Each example runs on its own database copied from the migrated template, because payout runs
commit between gateway calls.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from marketplace import create_app
from marketplace.extensions import db
from marketplace.fulfilment.models import ReturnRequest
from marketplace.models_base import utcnow
from marketplace.orders.models import VendorOrder
from marketplace.payments import connect
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import Refund, RefundStatus
from marketplace.payments.refunding import RefundRequest, refund
from marketplace.payouts import ledger
from marketplace.payouts.balances import vendor_balances
from marketplace.payouts.models import Payout, PayoutStatus
from marketplace.payouts.release import release_due
from marketplace.payouts.runs import run_payouts
from marketplace.payouts.schedules import set_schedule
from tests import factories
from tests.helpers import app_settings
from tests.unit.payments import payments_support as market_support
from tests.unit.payouts import payouts_support as support

LONG_AGO = timedelta(days=31)


class PayoutMachine(RuleBasedStateMachine):
    template: Path
    folder: Path

    def __init__(self) -> None:
        super().__init__()
        path = self.folder / f"{uuid.uuid4().hex}.sqlite"
        shutil.copyfile(self.template, path)
        self.app = create_app(app_settings(self.folder, f"sqlite:///{path}"))
        self.context = self.app.app_context()
        self.context.push()
        self.market = market_support.build_marketplace((2500, 1200, 700))
        for variant in self.market.variants:
            variant.stock_on_hand = 10_000  # a long history must not sell out
        for vendor in self.market.vendors:
            set_schedule(vendor.id, "daily")
        self.admin = factories.UserFactory(is_admin=True)
        db.session.commit()
        self.day = 0

    def teardown(self) -> None:
        db.session.remove()
        db.engine.dispose()
        self.context.pop()

    # -- helpers ---------------------------------------------------------------------------

    def _vendor_orders(self, *conditions) -> list[VendorOrder]:
        return list(
            db.session.scalars(select(VendorOrder).where(*conditions).order_by(VendorOrder.id))
        )

    def _now(self):
        return utcnow() + timedelta(days=self.day)

    # -- rules -----------------------------------------------------------------------------

    @rule(quantities=st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)))
    def buy(self, quantities):
        if not any(quantities):
            quantities = (1, 0, 0)
        support.paid_order(self.market, quantities)

    @precondition(lambda self: self._vendor_orders(VendorOrder.delivered_at.is_(None)))
    @rule(pick=st.integers(0, 50))
    def deliver(self, pick):
        waiting = self._vendor_orders(VendorOrder.delivered_at.is_(None))
        chosen = waiting[pick % len(waiting)]
        chosen.status = "delivered"
        chosen.delivered_at = utcnow() - LONG_AGO
        db.session.commit()

    @rule(pick=st.integers(0, 50), whole=st.booleans())
    def refund_some(self, pick, whole):
        orders = self._vendor_orders()
        if not orders:
            return
        chosen = orders[pick % len(orders)]
        line = next((li for li in chosen.lines if li.quantity > li.quantity_refunded), None)
        if line is None:
            return
        quantities = None if whole else {line.id: 1}
        try:
            refund(RefundRequest(chosen.id, "Property test", quantities), actor_id=self.admin.id)
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()

    @rule(pick=st.integers(0, 50), status=st.sampled_from(["requested", "refunded", "refused"]))
    def return_request(self, pick, status):
        delivered = self._vendor_orders(VendorOrder.delivered_at.is_not(None))
        if not delivered:
            return
        chosen = delivered[pick % len(delivered)]
        existing = db.session.scalars(
            select(ReturnRequest).where(ReturnRequest.vendor_order_id == chosen.id)
        ).first()
        if existing is None:
            db.session.add(
                ReturnRequest(
                    vendor_order_id=chosen.id,
                    requested_by_id=self.market.buyer.id,
                    status=status,
                    reason="Property test",
                )
            )
        else:
            existing.status = status
        db.session.commit()

    @rule()
    def release(self):
        release_due(now=self._now())
        db.session.commit()

    @rule()
    def payout_run(self):
        """A run; right after it, every vendor it paid still covers what it owes with what is
        left of its balance (what it owed was recovered, or kept back, before paying)."""
        self.day += 1
        before = set(db.session.scalars(select(Payout.id)))
        run_payouts(now=self._now())
        paid = {p.vendor_id for p in db.session.scalars(select(Payout)) if p.id not in before}
        for vendor_id in paid:
            money = vendor_balances(vendor_id, "USD")
            assert money.balance >= money.owed

    @precondition(
        lambda self: db.session.scalars(
            select(Payout).where(Payout.status == PayoutStatus.IN_TRANSIT)
        ).first()
    )
    @rule(pick=st.integers(0, 50), paid=st.booleans())
    def settle(self, pick, paid):
        moving = list(
            db.session.scalars(select(Payout).where(Payout.status == PayoutStatus.IN_TRANSIT))
        )
        payout = moving[pick % len(moving)]
        event_type = "payout.paid" if paid else "payout.failed"
        connect.handle_gateway_event(
            get_gateway().issue_event(
                event_type,
                {"id": payout.gateway_reference, "object": "payout", "failure_message": "Bounced"},
                account=payout.destination,
            )
        )
        db.session.commit()

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def ledger_verifies(self):
        report = ledger.verify()
        assert report.ok, report.problems

    @invariant()
    def nobody_is_paid_more_than_it_earned(self):
        for vendor in self.market.vendors:
            earned = sum(
                vo.vendor_net_minor
                for vo in self._vendor_orders(VendorOrder.vendor_id == vendor.id)
            )
            refunded = sum(
                r.amount_minor - r.tax_minor - r.commission_returned_minor
                for r in db.session.scalars(
                    select(Refund)
                    .join(VendorOrder, VendorOrder.id == Refund.vendor_order_id)
                    .where(VendorOrder.vendor_id == vendor.id, Refund.status != RefundStatus.FAILED)
                )
            )
            payouts = list(db.session.scalars(select(Payout).where(Payout.vendor_id == vendor.id)))
            sent = sum(p.amount_minor for p in payouts if p.status != PayoutStatus.FAILED)
            at_bank = sum(p.amount_minor for p in payouts if p.status == PayoutStatus.PAID)
            money = vendor_balances(vendor.id, "USD")
            assert sent <= earned - refunded + money.owed
            assert money.total == earned - refunded - at_bank
            assert money.paid_out == at_bank


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_random_payout_histories_keep_the_money_right(sqlite_template, tmp_path):
    PayoutMachine.template = sqlite_template
    PayoutMachine.folder = tmp_path
    machine_settings = settings(
        max_examples=25,
        stateful_step_count=16,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(PayoutMachine, settings=machine_settings)
