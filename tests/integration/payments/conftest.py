"""Payments against the Stripe test server: here `app` (and so `client`, `make_vendor`...) is
an app whose gateway is Stripe, pointed at a fresh test server."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.stripe_server.fixtures import stripe_app, stripe_contract, stripe_server  # noqa: F401


@pytest.fixture
def app(stripe_app: Flask) -> Flask:  # noqa: F811
    return stripe_app


@pytest.fixture(autouse=True)
def release_on_payment(request: pytest.FixtureRequest) -> None:
    """Checkout's split payment transfers each vendor's share once the order is paid
    (PAYOUT_RELEASE_POLICY="on_payment"); release after delivery is tested with the payouts."""
    for name in ("app", "pg_app"):
        if name in request.fixturenames:
            request.getfixturevalue(name).config["PAYOUT_RELEASE_POLICY"] = "on_payment"
