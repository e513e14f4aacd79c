"""Release and payouts through Stripe Connect (the local Stripe test server, checked against
Stripe's OpenAPI description): the release is a transfer to the shop's connected account, the
payout a Payout on that account (Stripe-Account), both keyed by our records; payout.paid and
payout.failed webhooks settle it or return the money to available, each event applied once."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.payments import connect, services
from marketplace.payouts import ledger
from marketplace.payouts.balances import vendor_balances
from marketplace.payouts.models import Payout, PayoutStatus
from marketplace.payouts.runs import run_payouts
from tests.stripe_server import accounts, events, transfers
from tests.stripe_server import payments as checkout
from tests.stripe_server.server import StripeTestServer
from tests.unit.payments import payments_support as support
from tests.unit.payouts.payouts_support import AFTER_RELEASE, deliver

pytestmark = pytest.mark.integration


@pytest.fixture
def market(app, stripe_server: StripeTestServer) -> support.Marketplace:
    built = support.build_marketplace(offline=False)
    for vendor in built.vendors:
        connect.start_payout_onboarding(vendor.id, "http://localhost/r", "http://localhost/b")
        accounts.complete_onboarding(stripe_server, vendor.payout_account_id)
    db.session.commit()
    return built


def _deliver(client, server: StripeTestServer, event: dict):
    payload, headers = events.signed_webhook(server, event)
    return client.post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": headers["Stripe-Signature"]},
        content_type="application/json",
    )


@pytest.fixture
def delivered(client, market, stripe_server):
    """An order paid on Checkout (webhooks delivered) and delivered long enough ago."""
    order = support.place_order(market, (2, 1))
    start = services.start_payment(order.id)
    db.session.commit()
    session_id = urlsplit(start.redirect_url).path.rsplit("/", 1)[-1]
    for event in checkout.pay_checkout_session(stripe_server, session_id, checkout.VISA):
        assert _deliver(client, stripe_server, event).status_code == 200
    db.session.expire_all()
    assert stripe_server.requests_to("POST", "/v1/transfers") == []  # nothing before delivery
    deliver(order, utcnow() - AFTER_RELEASE)
    return order


def test_the_run_transfers_then_pays_out_on_each_connected_account(
    market, delivered, stripe_server
):
    result = run_payouts()

    assert result.vendors == 2
    transfers_made = stripe_server.requests_to("POST", "/v1/transfers")
    assert sorted(r.idempotency_key for r in transfers_made) == sorted(
        f"order:{delivered.id}:transfer:{v.id}" for v in market.vendors
    )
    payouts_made = stripe_server.requests_to("POST", "/v1/payouts")
    payouts = list(db.session.scalars(select(Payout).order_by(Payout.id)))
    assert [r.idempotency_key for r in payouts_made] == [f"payout:{p.id}" for p in payouts]
    for request, payout in zip(payouts_made, payouts, strict=True):
        vendor = db.session.get(type(market.vendors[0]), payout.vendor_id)
        assert request.stripe_account == vendor.payout_account_id
        assert int(request.params["amount"]) == payout.amount_minor
        assert payout.status == PayoutStatus.IN_TRANSIT
        assert stripe_server.balance(vendor.payout_account_id, "usd") == 0  # all paid out
    assert ledger.verify().ok


def test_payout_paid_webhook_settles_once(client, market, delivered, stripe_server):
    run_payouts()
    payout = db.session.scalars(select(Payout).order_by(Payout.id)).first()
    event = transfers.settle_payout(stripe_server, payout.gateway_reference, paid=True)

    first = _deliver(client, stripe_server, event)
    again = _deliver(client, stripe_server, event)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.get_json()["duplicate"] is True
    db.session.expire_all()
    payout = db.session.get(Payout, payout.id)
    assert payout.status == PayoutStatus.PAID
    money = vendor_balances(payout.vendor_id, "USD")
    assert (money.in_payout, money.paid_out) == (0, payout.amount_minor)
    assert ledger.verify().ok


def test_payout_failed_webhook_returns_the_money_to_available(
    client, market, delivered, stripe_server
):
    run_payouts()
    payout = db.session.scalars(select(Payout).order_by(Payout.id)).first()
    event = transfers.settle_payout(stripe_server, payout.gateway_reference, paid=False)

    assert _deliver(client, stripe_server, event).status_code == 200

    db.session.expire_all()
    payout = db.session.get(Payout, payout.id)
    assert payout.status == PayoutStatus.FAILED
    assert payout.failure_message == "The bank account has been closed."
    money = vendor_balances(payout.vendor_id, "USD")
    assert money.available == payout.amount_minor
    vendor = db.session.get(type(market.vendors[0]), payout.vendor_id)
    assert stripe_server.balance(vendor.payout_account_id, "usd") == payout.amount_minor
    assert ledger.verify().ok


def test_a_payout_stripe_refuses_fails_and_stays_available(market, delivered, stripe_server):
    from marketplace.payouts.release import release_due

    release_due()
    db.session.commit()
    shop = market.vendors[0]
    stripe_server.move_money(shop.payout_account_id, None, 1, "usd")  # the account is short

    result = run_payouts()

    refused = db.session.scalars(select(Payout).where(Payout.vendor_id == shop.id)).one()
    assert refused.status == PayoutStatus.FAILED
    assert "insufficient funds" in refused.failure_message
    assert result.vendors == 1
    assert vendor_balances(shop.id, "USD").available == refused.amount_minor
    assert ledger.verify().ok


def test_new_connected_accounts_are_paid_out_by_the_marketplace_only(market, stripe_server):
    created = stripe_server.requests_to("POST", "/v1/accounts")
    assert created
    for request in created:
        assert request.params["settings"]["payouts"]["schedule"]["interval"] == "manual"
