"""Accounts against the real services: PostgreSQL for the rules, Redis for the sign-in limit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from marketplace.accounts import services
from marketplace.accounts.exceptions import EmailTaken, InvalidCredentials, ResetTokenUsed
from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.helpers import require_service

pytestmark = pytest.mark.integration

PASSWORD = "plum-orchard-lantern"


# --- PostgreSQL -------------------------------------------------------------------------------


def test_an_address_is_taken_whatever_its_case_on_postgres(pg_app):
    services.register_user("Ada@Example.com", PASSWORD, "Ada")
    db.session.commit()
    with pytest.raises(EmailTaken):
        services.register_user("ADA@example.COM", PASSWORD, "Ada again")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_postgres_refuses_a_mixed_case_email_written_around_the_service(pg_app):
    services.register_user("ada@example.com", PASSWORD, "Ada")
    db.session.commit()
    with pytest.raises(IntegrityError, match="email_lowercase"):
        db.session.execute(text("UPDATE users SET email = 'Ada@example.com'"))
        db.session.flush()
    db.session.rollback()


def test_sign_in_and_a_single_use_reset_on_postgres(pg_app):
    user = services.register_user("ada@example.com", PASSWORD, "Ada")
    db.session.commit()
    assert services.authenticate("ADA@example.com", PASSWORD).id == user.id
    token = services.make_reset_token(user)
    services.reset_password(token, "a-brand-new-password")
    db.session.commit()
    with pytest.raises(ResetTokenUsed):
        services.reset_password(token, "yet-another-password")
    with pytest.raises(InvalidCredentials):
        services.authenticate("ada@example.com", PASSWORD)


# --- Redis ------------------------------------------------------------------------------------


@pytest.fixture
def redis_limited_app(app_factory) -> Iterator[Flask]:
    """An app counting sign-in attempts in Redis, as every web worker in production does."""
    url = require_service("REDIS_URL")
    prefix = f"marketplace-test-{uuid.uuid4().hex[:10]}"
    app = app_factory(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=url,
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_RATE_LIMIT="10 per minute",
    )
    app.config["TEST_REDIS_PREFIX"] = prefix
    with app.app_context():
        yield app
        db.session.remove()
    connection = redis.Redis.from_url(url)
    keys = list(connection.scan_iter(match=f"*{prefix}*"))
    if keys:
        connection.delete(*keys)


def test_sign_in_attempts_are_counted_in_redis(redis_limited_app):
    client = redis_limited_app.test_client()
    attempt = {"email": "lin@example.com", "password": "guess-number-n"}
    for _ in range(10):
        assert client.post("/account/sign-in", data=attempt).status_code == 200
    assert client.post("/account/sign-in", data=attempt).status_code == 429

    connection = redis.Redis.from_url(redis_limited_app.config["RATELIMIT_STORAGE_URI"])
    prefix = redis_limited_app.config["TEST_REDIS_PREFIX"]
    assert list(connection.scan_iter(match=f"*{prefix}*")), "the counter lives in Redis"
