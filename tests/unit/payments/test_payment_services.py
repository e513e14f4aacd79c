"""Starting payments, applying payment events once and in order, releasing vendors' shares."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace import jobs
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments import connect, services
from marketplace.payments.gateway import (
    GatewayEvent,
    InvalidSignature,
    get_gateway,
    payment_key,
    refund_key,
    reversal_key,
    transfer_key,
)
from marketplace.payments.models import OfflineGatewayObject, Payment, PaymentStatus, WebhookEvent
from marketplace.payments.offline_payments import CARDS_BY_NUMBER
from marketplace.payouts.models import Transfer, TransferStatus
from tests.unit.payments import payments_support as support

VISA = CARDS_BY_NUMBER["4242424242424242"]
DECLINED = CARDS_BY_NUMBER["4000000000000002"]
AUTHENTICATE = CARDS_BY_NUMBER["4000002760003184"]


@pytest.fixture
def order(market) -> Order:
    placed = support.place_order(market)
    db.session.commit()
    return placed


def _payment(order: Order) -> Payment:
    db.session.expire_all()
    return db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()


def _pay(order: Order, card=VISA) -> GatewayEvent:
    """Start the payment and pay it with `card` at the gateway: the event it issues."""
    services.start_payment(order.id)
    return get_gateway().pay_with_card(_payment(order).gateway_reference, card)


def _with_created(event: GatewayEvent, created: int) -> GatewayEvent:
    """The same event stamped at another time (as a delayed delivery would carry it)."""
    payload = {**event.payload, "created": created}
    return GatewayEvent(event.provider, event.id, event.type, created, event.object, payload)


# --- keys -------------------------------------------------------------------------------------


def test_idempotency_keys_are_made_from_our_ids_only():
    assert payment_key(7) == "order:7:pi"
    assert transfer_key(7, 3) == "order:7:transfer:3"
    assert refund_key(12) == "refund:12"
    assert reversal_key(12) == "refund:12:reversal"
    assert [payment_key(7), transfer_key(7, 3)] == [payment_key(7), transfer_key(7, 3)]


def test_starting_twice_reuses_the_payment_and_its_page(order):
    first = services.start_payment(order.id)
    second = services.start_payment(order.id)
    db.session.commit()

    assert first == second
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    payment = _payment(order)
    assert payment.idempotency_key == f"order:{order.id}:pi"
    assert payment.amount_minor == order.grand_total_minor
    intents = db.session.scalars(
        select(OfflineGatewayObject).where(OfflineGatewayObject.kind == "payment_intent")
    ).all()
    assert [i.idempotency_key for i in intents] == [f"order:{order.id}:pi"]
    assert intents[0].data["transfer_group"] == f"order_{order.id}"
    assert intents[0].data["metadata"]["order_id"] == str(order.id)


# --- refusals ---------------------------------------------------------------------------------


def test_an_order_whose_reservation_ran_out_cannot_be_paid(order):
    order.reservation_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    with pytest.raises(services.PaymentRefused, match="run out"):
        services.start_payment(order.id)
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_a_paid_order_cannot_be_paid_again(order):
    connect.handle_gateway_event(_pay(order))
    db.session.commit()

    with pytest.raises(services.PaymentRefused, match="already paid"):
        services.start_payment(order.id)


# --- events -----------------------------------------------------------------------------------


def test_the_same_success_delivered_twice_is_applied_once(order):
    event = _pay(order)

    assert connect.handle_gateway_event(event) is True
    db.session.commit()
    entries = support.ledger_entries()
    assert connect.handle_gateway_event(event) is False
    db.session.commit()

    assert support.ledger_entries() == entries
    assert db.session.scalar(select(func.count(Transfer.id))) == len(order.vendor_orders)
    stored = select(func.count()).select_from(WebhookEvent).where(WebhookEvent.event_id == event.id)
    assert db.session.scalar(stored) == 1
    support.ledger_is_sound()


def test_a_late_failure_cannot_undo_a_success(order):
    failure = _pay(order, DECLINED)
    success = get_gateway().pay_with_card(_payment(order).gateway_reference, VISA)

    connect.handle_gateway_event(success)
    connect.handle_gateway_event(failure)  # delivered after the success
    db.session.commit()

    payment = _payment(order)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.failure_message is None
    assert db.session.get(Order, order.id).status == OrderStatus.PAID


def test_an_older_event_does_not_overwrite_a_newer_one(order):
    asked = _pay(order, AUTHENTICATE)
    connect.handle_gateway_event(_with_created(asked, asked.created + 10))
    declined = get_gateway().authorise(_payment(order).gateway_reference, approve=False)

    connect.handle_gateway_event(_with_created(declined, asked.created + 20))
    connect.handle_gateway_event(_with_created(asked, asked.created + 5))  # a stale copy

    payment = _payment(order)
    assert payment.status == PaymentStatus.FAILED
    assert payment.last_event_at == asked.created + 20


def test_a_success_for_another_amount_does_not_pay_the_order(order):
    event = _pay(order)
    intent = db.session.scalars(
        select(OfflineGatewayObject).where(OfflineGatewayObject.kind == "payment_intent")
    ).one()
    intent.data = {**intent.data, "amount_received": intent.data["amount"] - 100}
    db.session.flush()

    connect.handle_gateway_event(event)
    db.session.commit()

    payment = _payment(order)
    assert payment.status != PaymentStatus.SUCCEEDED
    assert "check it before shipping" in payment.failure_message
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT
    assert support.ledger_entries() == 0


def test_an_unknown_event_type_is_stored_and_changes_nothing(order):
    event = get_gateway().issue_event("customer.created", {"id": "cus_1", "object": "customer"})

    assert connect.handle_gateway_event(event) is True
    db.session.commit()

    stored = db.session.scalars(select(WebhookEvent.type).where(WebhookEvent.event_id == event.id))
    assert stored.all() == ["customer.created"]
    assert support.ledger_entries() == 0


def test_offline_events_are_signed_and_a_forged_one_is_refused(order):
    gateway = get_gateway()
    event = _pay(order)
    payload = json.dumps({**event.payload, "data": {"object": {**event.object, "amount": 1}}})

    with pytest.raises(InvalidSignature):
        gateway.parse_webhook(payload.encode(), gateway.sign_webhook(b"something else"))


def test_a_payment_that_arrives_after_the_stock_sold_out_is_refunded_in_full(order, market):
    event = _pay(order)
    order = db.session.get(Order, order.id)
    order.reservation_expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    from marketplace.orders import services as order_services

    order_services.expire_reservations()
    for variant in market.variants:  # someone else bought everything meanwhile
        variant.stock_on_hand = variant.stock_reserved
    db.session.commit()

    connect.handle_gateway_event(event)
    db.session.commit()

    payment = _payment(order)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.failure_message.startswith("Refunded in full")
    assert db.session.get(Order, order.id).status == OrderStatus.EXPIRED
    refund = db.session.scalars(
        select(OfflineGatewayObject).where(OfflineGatewayObject.kind == "refund")
    ).one()
    assert refund.data["amount"] == order.grand_total_minor
    assert db.session.scalar(select(func.count(Transfer.id))) == 0
    support.ledger_is_sound()


# --- releasing vendors' shares ----------------------------------------------------------------


def test_releasing_twice_makes_one_transfer(order):
    connect.handle_gateway_event(_pay(order))
    db.session.commit()  # the release jobs run here
    vendor_order = db.session.get(Order, order.id).vendor_orders[0]

    again = services.release_vendor_order_funds(vendor_order.id)

    assert again.status == TransferStatus.SUCCEEDED
    transfers = db.session.scalars(
        select(OfflineGatewayObject).where(OfflineGatewayObject.kind == "transfer")
    ).all()
    assert len(transfers) == len(order.vendor_orders)
    assert again.idempotency_key == f"order:{order.id}:transfer:{vendor_order.vendor_id}"


def test_an_unpaid_vendor_order_is_not_released(order):
    with pytest.raises(services.FundsNotReleasable, match="not been paid"):
        services.release_vendor_order_funds(order.vendor_orders[0].id)


def test_a_shop_without_a_payout_account_keeps_its_share_payable_and_the_job_retries(order, market):
    shop = market.vendors[0]
    shop.payout_account_id = None
    shop.payout_gateway = None
    connect.handle_gateway_event(_pay(order))
    db.session.commit()

    release = db.session.scalars(
        select(jobs.OutboxJob)
        .where(jobs.OutboxJob.func.like("%release_vendor_order_funds"))
        .order_by(jobs.OutboxJob.id)
    ).all()
    assert [job.status for job in release] == ["pending", "done"]
    assert "no payout account" in release[0].last_error
    position = support.ledger.order_vendor_position(order.id, shop.id, "USD")
    assert position.payable == order.vendor_orders[0].vendor_net_minor
    support.ledger_is_sound()
