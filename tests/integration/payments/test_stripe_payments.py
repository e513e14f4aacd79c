"""Paying, splitting and refunding with Stripe, against the Stripe test server (real HTTP).

The real `stripe.StripeClient` talks to the test server, which checks every request against
Stripe's OpenAPI description. The buyer pays on (the test server's) Stripe Checkout; the order
is paid only when the signed `payment_intent.succeeded` webhook arrives, then each vendor gets
a transfer out of the charge (`source_transaction`) and Stripe's fee is booked.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest
import stripe
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments import connect, services
from marketplace.payments.models import Payment, PaymentStatus, Refund, ReversalStatus, WebhookEvent
from marketplace.payouts import ledger
from marketplace.payouts.models import Transfer
from tests.helpers import sign_in
from tests.stripe_server import accounts, events
from tests.stripe_server import payments as checkout
from tests.stripe_server.server import StripeTestServer
from tests.unit.payments import payments_support as support

pytestmark = pytest.mark.integration


@pytest.fixture
def market(app, stripe_server: StripeTestServer) -> support.Marketplace:
    """Two shops with Stripe Express accounts that Stripe has enabled."""
    built = support.build_marketplace(offline=False)
    for vendor in built.vendors:
        connect.start_payout_onboarding(vendor.id, "http://localhost/r", "http://localhost/b")
        accounts.complete_onboarding(stripe_server, vendor.payout_account_id)
    db.session.commit()
    return built


@pytest.fixture
def started(market) -> tuple[Order, services.PaymentStart]:
    order = support.place_order(market, (2, 1))
    start = services.start_payment(order.id)
    db.session.commit()
    return order, start


def _deliver(client, server: StripeTestServer, event: dict, **signing):
    payload, headers = events.signed_webhook(server, event, **signing)
    return client.post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": headers["Stripe-Signature"]},
        content_type="application/json",
    )


def _session_id(start: services.PaymentStart) -> str:
    return urlsplit(start.redirect_url).path.rsplit("/", 1)[-1]


def _of_type(sent: list[dict], event_type: str) -> dict:
    return next(event for event in sent if event["type"] == event_type)


def _reload(order: Order) -> tuple[Order, Payment]:
    db.session.expire_all()
    payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    return db.session.get(Order, order.id), payment


def _pay(client, server, start, card=checkout.VISA) -> list[dict]:
    """The buyer pays on Checkout; Stripe delivers every event it sends."""
    sent = checkout.pay_checkout_session(server, _session_id(start), card)
    for event in sent:
        assert _deliver(client, server, event).status_code == 200
    return sent


# --- opening the payment ----------------------------------------------------------------------


def test_the_order_gets_one_checkout_session_keyed_by_the_order(started, stripe_server):
    order, start = started

    again = services.start_payment(order.id)

    assert again == start
    assert start.redirect_url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    created = stripe_server.requests_to("POST", "/v1/checkout/sessions")
    assert [r.idempotency_key for r in created] == [f"order:{order.id}:pi"] * 2
    params = created[0].params
    assert params["mode"] == "payment"
    assert params["payment_intent_data"]["transfer_group"] == f"order_{order.id}"
    assert params["payment_intent_data"]["metadata"]["order_id"] == str(order.id)
    item = params["line_items"]["0"]
    assert int(item["price_data"]["unit_amount"]) == order.grand_total_minor
    assert item["price_data"]["currency"] == "usd"
    assert params["success_url"].endswith(f"/checkout/payments/{start.payment_id}/return")
    assert len(stripe_server.objects["checkout.session"]) == 1  # the second call was a replay


def test_coming_back_from_checkout_is_not_enough_to_pay(client, market, started, stripe_server):
    order, start = started
    checkout.pay_checkout_session(stripe_server, _session_id(start))  # no webhook yet
    sign_in(client, market.buyer)

    page = client.get(f"/checkout/payments/{start.payment_id}/return", follow_redirects=True)

    assert "waiting for the payment provider" in page.get_data(as_text=True)
    order, payment = _reload(order)
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT


# --- the verified webhook pays the order and splits the money ---------------------------------


def test_the_succeeded_webhook_pays_books_and_transfers_with_source_transaction(
    client, market, started, stripe_server
):
    order, start = started

    sent = _pay(client, stripe_server, start)

    order, payment = _reload(order)
    intent = _of_type(sent, "payment_intent.succeeded")["data"]["object"]
    charge = stripe_server.get("charge", intent["latest_charge"])
    assert order.status == OrderStatus.PAID
    assert payment.gateway_reference == intent["id"]
    assert payment.charge_reference == charge["id"]
    assert payment.fee_minor == checkout.stripe_fee(order.grand_total_minor)
    assert ledger.account_balance(ledger.GATEWAY_FEES, "USD") == payment.fee_minor
    retrieves = stripe_server.requests_to("GET", "/v1/payment_intents/{intent}")
    assert retrieves[0].params == {"expand": {"0": "latest_charge.balance_transaction"}}
    transfers = stripe_server.requests_to("POST", "/v1/transfers")
    assert sorted(r.idempotency_key for r in transfers) == sorted(
        f"order:{order.id}:transfer:{vendor.id}" for vendor in market.vendors
    )
    for request, vendor_order in zip(transfers, order.vendor_orders, strict=True):
        assert request.params["source_transaction"] == charge["id"]
        assert request.params["transfer_group"] == f"order_{order.id}"
        assert int(request.params["amount"]) == vendor_order.vendor_net_minor
        account = vendor_order.vendor.payout_account_id
        assert stripe_server.balance(account, "usd") == vendor_order.vendor_net_minor
        assert ledger.vendor_balance(vendor_order.vendor_id, "USD") == vendor_order.vendor_net_minor
    support.ledger_is_sound()


def test_the_same_webhook_twice_is_applied_once(client, market, started, stripe_server):
    _order, start = started
    sent = _pay(client, stripe_server, start)
    entries = support.ledger_entries()

    again = _deliver(client, stripe_server, _of_type(sent, "payment_intent.succeeded"))

    assert again.status_code == 200
    assert again.get_json() == {"received": True, "duplicate": True}
    assert support.ledger_entries() == entries
    assert len(stripe_server.requests_to("POST", "/v1/transfers")) == len(market.vendors)
    assert db.session.scalar(select(func.count(Transfer.id))) == len(market.vendors)


def test_a_failure_delivered_after_the_success_changes_nothing(
    client, market, started, stripe_server
):
    order, start = started
    declined = checkout.pay_checkout_session(stripe_server, _session_id(start), checkout.DECLINED)
    _pay(client, stripe_server, start)

    late = _deliver(client, stripe_server, _of_type(declined, "payment_intent.payment_failed"))

    assert late.status_code == 200
    order, payment = _reload(order)
    assert order.status == OrderStatus.PAID
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.failure_message is None


def test_a_declined_card_leaves_the_order_unpaid_with_stripes_reason(
    client, market, started, stripe_server
):
    order, start = started

    _pay(client, stripe_server, start, checkout.INSUFFICIENT_FUNDS)

    order, payment = _reload(order)
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert payment.status == PaymentStatus.FAILED
    assert payment.failure_message == "Your card has insufficient funds."
    assert stripe_server.requests_to("POST", "/v1/transfers") == []


def test_a_webhook_with_a_bad_signature_gets_400_and_changes_nothing(
    client, market, started, stripe_server
):
    order, start = started
    sent = checkout.pay_checkout_session(stripe_server, _session_id(start))
    succeeded = _of_type(sent, "payment_intent.succeeded")

    forged = _deliver(client, stripe_server, succeeded, secret="whsec_someone_else")
    stale = _deliver(client, stripe_server, succeeded, timestamp=1_600_000_000)

    assert forged.status_code == 400
    assert stale.status_code == 400
    assert forged.get_json()["error"] == "invalid_signature"
    order, _payment = _reload(order)
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0
    assert support.ledger_entries() == 0


def test_an_unknown_event_is_stored_and_does_nothing(client, market, started, stripe_server):
    order, _start = started
    event = events.build_event(stripe_server, "customer.created", {"id": "cus_1"})

    response = _deliver(client, stripe_server, event)

    assert response.status_code == 200
    stored = db.session.scalars(select(WebhookEvent).where(WebhookEvent.event_id == event["id"]))
    assert stored.one().type == "customer.created"
    order, _payment = _reload(order)
    assert order.status == OrderStatus.PENDING_PAYMENT


# --- refunds ----------------------------------------------------------------------------------


def _refund_part(order: Order, actor_id: int, index: int = 0) -> Refund:
    from marketplace.payments import refunding

    part = db.session.get(Order, order.id).vendor_orders[index]
    done = refunding.refund(
        refunding.RefundRequest(part.id, "Arrived broken"),
        actor_id=actor_id,
        vendor_id=part.vendor_id,
    )
    db.session.commit()
    return done


def test_a_refund_returns_the_money_and_reverses_the_vendors_share(
    client, market, started, stripe_server, caplog
):
    order, start = started
    _pay(client, stripe_server, start)
    shop = market.vendors[0]

    refund = _refund_part(order, shop.owner_id)

    part = db.session.get(Order, order.id).vendor_orders[0]
    made = stripe_server.requests_to("POST", "/v1/refunds")
    assert [r.idempotency_key for r in made] == [f"refund:{refund.id}"]
    assert made[0].params["payment_intent"] == _reload(order)[1].gateway_reference
    assert int(made[0].params["amount"]) == refund.amount_minor
    reversals = stripe_server.requests_to("POST", "/v1/transfers/{id}/reversals")
    assert [r.idempotency_key for r in reversals] == [f"refund:{refund.id}:reversal"]
    assert int(reversals[0].params["amount"]) == part.vendor_net_minor
    assert refund.reversal_status == ReversalStatus.SUCCEEDED
    assert stripe_server.balance(shop.payout_account_id, "usd") == 0
    support.ledger_is_sound()
    # Stripe then reports the refund and the reversal: both are known, nothing to reconcile.
    with caplog.at_level(logging.ERROR, logger="marketplace.payments.refunding"):
        for kind in ("charge.refunded", "transfer.reversed"):
            reported = [e for e in stripe_server.objects["event"].values() if e["type"] == kind]
            assert _deliver(client, stripe_server, reported[-1]).status_code == 200
    assert caplog.records == []


def test_a_reversal_stripe_refuses_books_a_receivable(client, market, started, stripe_server):
    order, start = started
    _pay(client, stripe_server, start)
    shop = market.vendors[0]
    paid_out = stripe_server.balance(shop.payout_account_id, "usd")
    platform = stripe.StripeClient(stripe_server.api_key, base_addresses={"api": stripe_server.url})
    platform.v1.payouts.create(  # the shop was paid out everything in its account
        params={"amount": paid_out, "currency": "usd"},
        options={"stripe_account": shop.payout_account_id},
    )

    refund = _refund_part(order, shop.owner_id)

    assert refund.reversal_status == ReversalStatus.FAILED
    assert "Insufficient funds" in refund.failure_message
    assert len(stripe_server.requests_to("POST", "/v1/refunds")) == 1
    part = db.session.get(Order, order.id).vendor_orders[0]
    assert ledger.vendor_position(shop.id, "USD").receivable == part.vendor_net_minor
    support.ledger_is_sound()


def test_a_refund_stripe_refuses_changes_nothing(client, market, started, stripe_server):
    from marketplace.payments import refunding
    from marketplace.payments.gateway import GatewayError

    order, start = started
    _pay(client, stripe_server, start)
    intent = stripe_server.get("payment_intent", _reload(order)[1].gateway_reference)
    charge = stripe_server.get("charge", intent["latest_charge"])
    charge["amount_refunded"] = charge["amount"] - 1  # refunded from Stripe's dashboard
    shop = market.vendors[0]
    part = db.session.get(Order, order.id).vendor_orders[0]
    entries = support.ledger_entries()

    with pytest.raises(GatewayError, match="greater than unrefunded amount"):
        refunding.refund(
            refunding.RefundRequest(part.id, "Too much"), actor_id=shop.owner_id, vendor_id=shop.id
        )
    db.session.rollback()

    assert stripe_server.take_violations() == []
    assert db.session.scalar(select(func.count(Refund.id))) == 0
    assert support.ledger_entries() == entries
