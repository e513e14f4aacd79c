"""Paying and refunding on PostgreSQL, and the same webhook delivered twice at the same moment."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments import connect, refunding, services
from marketplace.payments.gateway import GatewayEvent, get_gateway
from marketplace.payments.models import Payment, ReversalStatus, WebhookEvent
from marketplace.payments.offline_payments import CARDS_BY_NUMBER
from marketplace.payouts import ledger
from marketplace.payouts.models import Transfer
from tests import factories
from tests.unit.payments import payments_support as support

pytestmark = pytest.mark.integration

VISA = CARDS_BY_NUMBER["4242424242424242"]


@pytest.fixture
def market(pg_app) -> support.Marketplace:
    built = support.build_marketplace()
    db.session.commit()
    return built


def _success_event(market: support.Marketplace) -> tuple[Order, GatewayEvent]:
    order = support.place_order(market, (2, 1))
    services.start_payment(order.id)
    payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    event = get_gateway().pay_with_card(payment.gateway_reference, VISA)
    db.session.commit()  # the gateway's records of the charge are in; the event is not applied
    return order, event


def test_pay_split_and_refund_keep_the_ledger_sound_on_postgres(market):
    order, event = _success_event(market)

    assert connect.handle_gateway_event(event) is True
    db.session.commit()
    admin = factories.UserFactory(is_admin=True)
    db.session.commit()
    for vendor_order_id in refunding.refundable_parts(order.id, actor_id=admin.id):
        done = refunding.refund(
            refunding.RefundRequest(vendor_order_id, "Cancelled by the buyer"), actor_id=admin.id
        )
        db.session.commit()
        assert done.reversal_status == ReversalStatus.SUCCEEDED

    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.REFUNDED
    assert db.session.scalar(select(func.count(Transfer.id))) == 2
    report = support.ledger_is_sound()
    assert report.entries == support.ledger_entries()
    assert ledger.account_balance(ledger.clearing_code(order.id), "USD") == 0


def _deliver_in_own_session(app: Flask, event: GatewayEvent, results: list, barrier) -> None:
    with app.app_context():
        barrier.wait()
        try:
            results.append(connect.handle_gateway_event(event))
            db.session.commit()
        except Exception as exc:  # recorded for the assertion below
            db.session.rollback()
            results.append(exc)
        finally:
            db.session.remove()


def test_the_same_event_racing_itself_is_applied_once_on_postgres(pg_app, market):
    order, event = _success_event(market)
    results: list = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=_deliver_in_own_session, args=(pg_app, event, results, barrier))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results, key=str) == [False, True]
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PAID
    copies = select(func.count(WebhookEvent.id)).where(WebhookEvent.event_id == event.id)
    assert db.session.scalar(copies) == 1
    assert db.session.scalar(select(func.count(Transfer.id))) == 2
    support.ledger_is_sound()
