"""pytest fixtures for the Stripe test server; import them into a test folder's conftest.py.

The contract is Stripe's OpenAPI description, kept beside the repository in
../shared/stripe-openapi/spec3.json. Without it the tests that need Stripe skip, or fail when
MARKETPLACE_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from marketplace.extensions import db
from tests.helpers import REPO_ROOT, services_required
from tests.stripe_server.contract import StripeContract
from tests.stripe_server.server import StripeTestServer

SPEC_PATH = REPO_ROOT.parent / "shared" / "stripe-openapi" / "spec3.json"


@pytest.fixture(scope="session")
def stripe_contract() -> StripeContract:
    """Stripe's published API description, loaded once per run."""
    if not SPEC_PATH.is_file():
        message = f"Stripe's OpenAPI description is missing ({SPEC_PATH.name} in ../shared)"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    return StripeContract.load(SPEC_PATH)


@pytest.fixture
def stripe_server(stripe_contract: StripeContract) -> Iterator[StripeTestServer]:
    """A fresh Stripe test server per test; any request Stripe would reject fails the test."""
    server = StripeTestServer(stripe_contract).start()
    yield server
    server.stop()
    violations = server.take_violations()
    if violations:
        pytest.fail("Requests Stripe would reject:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def stripe_app(
    app_factory: Callable[..., Flask], stripe_server: StripeTestServer
) -> Iterator[Flask]:
    """An app whose gateway is Stripe, talking to the test server."""
    app = app_factory(
        STRIPE_SECRET_KEY=stripe_server.api_key,
        STRIPE_WEBHOOK_SECRET=stripe_server.webhook_secret,
        STRIPE_API_BASE=stripe_server.url,
    )
    with app.app_context():
        yield app
        db.session.remove()
