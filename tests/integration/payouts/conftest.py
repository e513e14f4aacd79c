"""Payouts against the Stripe test server: `app` is an app whose gateway is Stripe."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.stripe_server.fixtures import stripe_app, stripe_contract, stripe_server  # noqa: F401


@pytest.fixture
def app(stripe_app: Flask) -> Flask:  # noqa: F811
    return stripe_app
