"""Fixtures for account tests: a client that isolates requests, and form sign-in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient


@pytest.fixture
def sign_in_with(client: FlaskClient) -> Callable[..., object]:
    """Sign in through the real form."""

    def post(email: str, password: str, **extra: str):
        return client.post("/account/sign-in", data={"email": email, "password": password, **extra})

    return post
