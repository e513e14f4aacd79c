"""The Stripe test server's fixtures, and a small marketplace to take payments in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from marketplace.extensions import db
from marketplace.payments import services
from tests.helpers import sign_in
from tests.stripe_server.fixtures import stripe_app, stripe_contract, stripe_server  # noqa: F401
from tests.unit.payments import payments_support as support


@pytest.fixture(autouse=True)
def release_on_payment(request: pytest.FixtureRequest) -> None:
    """These tests are about checkout's split payment, where each vendor's share is transferred
    as soon as the order is paid: PAYOUT_RELEASE_POLICY="on_payment". Release after delivery
    (the default) is tested in tests/unit/payouts."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["PAYOUT_RELEASE_POLICY"] = "on_payment"


@pytest.fixture
def market(app) -> support.Marketplace:
    """Two onboarded shops (a $25.00 and a $12.00 product), 10% + 30 commission, 8% US tax."""
    built = support.build_marketplace()
    db.session.commit()
    return built


@pytest.fixture
def paying(client: FlaskClient, market: support.Marketplace) -> Callable[..., Any]:
    """Place an order for the market's buyer, open its payment page and sign the buyer in."""

    def start(quantities: tuple[int, ...] | None = None):
        order = support.place_order(market, quantities)
        started = services.start_payment(order.id)
        db.session.commit()
        sign_in(client, market.buyer)
        return order, started

    return start
