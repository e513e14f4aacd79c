"""The Stripe test server's fixtures (stripe_contract, stripe_server, stripe_app)."""

from tests.stripe_server.fixtures import stripe_app, stripe_contract, stripe_server  # noqa: F401
