"""Helpers for account tests: a client that isolates requests like a server, CSRF token reading."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from marketplace.extensions import db

CSRF_INPUT = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"')


def csrf_token_from(page: str) -> str:
    """The CSRF token a rendered form carries."""
    match = CSRF_INPUT.search(page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in_through_form(client: FlaskClient, email: str, password: str) -> None:
    """Sign in the way a person does; fails the test if it does not work."""
    response = client.post("/account/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


def fresh(model: Any, ident: int) -> Any:
    """The row as the database has it now (after a request committed in its own session)."""
    db.session.expire_all()
    return db.session.get(model, ident)
