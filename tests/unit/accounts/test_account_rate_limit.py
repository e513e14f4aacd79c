"""The sign-in and reset-request rate limits, with rate limiting switched on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from marketplace.extensions import db, limiter
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def app(app_factory) -> Iterator[Flask]:
    """The test app with rate limiting on (the shared test settings turn it off), counters empty."""
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="10 per minute")
    limiter.reset()
    with app.app_context():
        yield app
        db.session.remove()
    limiter.reset()


def test_the_eleventh_sign_in_attempt_within_a_minute_gets_429(client, make_user):
    make_user(email="lin@example.com")
    db.session.commit()
    attempt = {"email": "lin@example.com", "password": "guess-number-n"}
    for _ in range(10):
        assert client.post("/account/sign-in", data=attempt).status_code == 200
    blocked = client.post("/account/sign-in", data={**attempt, "password": DEFAULT_PASSWORD})
    assert blocked.status_code == 429
    assert client.get("/account/settings").status_code == 302  # the right password did not help


def test_the_sign_in_page_itself_is_not_limited(client):
    for _ in range(15):
        assert client.get("/account/sign-in").status_code == 200


def test_other_addresses_are_not_held_back_by_one_that_is_limited(client):
    attempt = {"email": "lin@example.com", "password": "guess-number-n"}
    for _ in range(11):
        client.post("/account/sign-in", data=attempt, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    other = client.post("/account/sign-in", data=attempt, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200


def test_reset_requests_are_limited_too(client):
    for _ in range(10):
        response = client.post("/account/password/forgot", data={"email": "x@example.com"})
        assert response.status_code == 302
    assert (
        client.post("/account/password/forgot", data={"email": "x@example.com"}).status_code == 429
    )
