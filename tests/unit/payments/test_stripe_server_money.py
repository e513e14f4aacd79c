"""The Stripe test server refuses what Stripe refuses about money: it is a fair stand-in."""

from __future__ import annotations

import pytest
import stripe

from tests.stripe_server import accounts
from tests.stripe_server import payments as checkout
from tests.stripe_server.server import StripeTestServer

SESSION = {
    "mode": "payment",
    "success_url": "http://localhost/back",
    "line_items": [
        {
            "quantity": 1,
            "price_data": {
                "currency": "usd",
                "unit_amount": 5000,
                "product_data": {"name": "Order MP-1"},
            },
        }
    ],
    "payment_intent_data": {"transfer_group": "order_1", "metadata": {"payment_id": "1"}},
}


@pytest.fixture
def client(stripe_server: StripeTestServer) -> stripe.StripeClient:
    return stripe.StripeClient(
        stripe_server.api_key, base_addresses={"api": stripe_server.url}, max_network_retries=0
    )


@pytest.fixture
def charge(client, stripe_server) -> dict:
    """A paid $50.00 Checkout Session's charge."""
    session = client.v1.checkout.sessions.create(params=SESSION)
    sent = checkout.pay_checkout_session(stripe_server, session.id)
    intent = next(e for e in sent if e["type"] == "payment_intent.succeeded")["data"]["object"]
    return stripe_server.get("charge", intent["latest_charge"])


def _account(client, stripe_server, *, enabled: bool = True) -> str:
    account = client.v1.accounts.create(
        params={
            "type": "express",
            "country": "US",
            "capabilities": {"transfers": {"requested": True}},
        }
    )
    if enabled:
        accounts.complete_onboarding(stripe_server, account.id)
    return account.id


def test_a_paid_session_has_an_intent_with_the_transfer_group_and_a_fee(charge, stripe_server):
    intent = stripe_server.get("payment_intent", charge["payment_intent"])
    txn = stripe_server.get("balance_transaction", charge["balance_transaction"])

    assert intent["transfer_group"] == "order_1"
    assert intent["metadata"] == {"payment_id": "1"}
    assert txn["fee"] == 175  # 2.9% of $50.00 (145) + 30
    assert stripe_server.balance(None, "usd") == 5000 - txn["fee"]


def test_a_transfer_to_an_account_stripe_has_not_enabled_is_refused(client, stripe_server, charge):
    pending = _account(client, stripe_server, enabled=False)

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.transfers.create(
            params={
                "amount": 1000,
                "currency": "usd",
                "destination": pending,
                "source_transaction": charge["id"],
            }
        )
    assert refused.value.code == "insufficient_capabilities_for_transfer"


def test_transfers_cannot_take_more_than_their_source_charge(client, stripe_server, charge):
    account = _account(client, stripe_server)
    params = {"currency": "usd", "destination": account, "source_transaction": charge["id"]}
    client.v1.transfers.create(params={**params, "amount": 4000})

    with pytest.raises(stripe.InvalidRequestError, match="1000 left to transfer"):
        client.v1.transfers.create(params={**params, "amount": 1001})


def test_a_reversal_needs_the_money_to_still_be_in_the_account(client, stripe_server, charge):
    account = _account(client, stripe_server)
    transfer = client.v1.transfers.create(
        params={
            "amount": 3000,
            "currency": "usd",
            "destination": account,
            "source_transaction": charge["id"],
        }
    )
    client.v1.payouts.create(
        params={"amount": 2500, "currency": "usd"}, options={"stripe_account": account}
    )

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.transfers.reversals.create(transfer.id, params={"amount": 600})
    reversal = client.v1.transfers.reversals.create(transfer.id, params={"amount": 500})

    assert refused.value.code == "balance_insufficient"
    assert reversal.amount == 500
    assert stripe_server.balance(account, "usd") == 0


def test_refunds_never_exceed_what_is_left_of_the_charge(client, charge):
    client.v1.refunds.create(params={"payment_intent": charge["payment_intent"], "amount": 4500})

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.refunds.create(params={"payment_intent": charge["payment_intent"], "amount": 501})
    assert refused.value.code == "amount_too_large"


def test_a_parameter_stripe_does_not_know_fails_the_test(client, stripe_server, charge):
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(params={"charge": charge["id"], "speed": "fast"})

    assert stripe_server.take_violations() == [
        "POST /v1/refunds: Received unknown parameter: speed (parameter_unknown)"
    ]


def test_the_intent_can_be_read_with_its_charge_and_fee_expanded(client, charge):
    intent = client.v1.payment_intents.retrieve(
        charge["payment_intent"], params={"expand": ["latest_charge.balance_transaction"]}
    )

    assert intent.latest_charge.id == charge["id"]
    assert intent.latest_charge.balance_transaction.fee == 175


def test_everything_made_can_be_read_back_and_events_listed(client, stripe_server, charge):
    account = _account(client, stripe_server)
    transfer = client.v1.transfers.create(
        params={"amount": 1000, "currency": "usd", "destination": account}
    )
    reversal = client.v1.transfers.reversals.create(transfer.id, params={"amount": 400})
    refund = client.v1.refunds.create(params={"charge": charge["id"], "amount": 700})
    payout = client.v1.payouts.create(
        params={"amount": 600, "currency": "usd"}, options={"stripe_account": account}
    )

    assert client.v1.transfers.retrieve(transfer.id).amount_reversed == 400
    assert client.v1.transfers.reversals.retrieve(transfer.id, reversal.id).amount == 400
    assert client.v1.refunds.retrieve(refund.id).charge == charge["id"]
    assert client.v1.charges.retrieve(charge["id"]).amount_refunded == 700
    assert client.v1.payouts.retrieve(payout.id).amount == 600
    assert client.v1.balance.retrieve(options={"stripe_account": account}).available[0].amount == 0
    refunded = client.v1.events.list(params={"type": "charge.refunded"})
    assert [e.data.object.id for e in refunded.data] == [charge["id"]]
    assert client.v1.events.retrieve(refunded.data[0].id).type == "charge.refunded"


def test_an_open_session_can_be_expired_once(client, stripe_server):
    session = client.v1.checkout.sessions.create(params=SESSION)

    expired = client.v1.checkout.sessions.expire(session.id)

    assert expired.status == "expired"
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)
