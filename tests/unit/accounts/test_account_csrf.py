"""CSRF on account forms, with the check switched on as in production."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.factories import DEFAULT_PASSWORD
from tests.unit.accounts.support import csrf_token_from

SIGN_UP = {
    "email": "ada@example.com",
    "display_name": "Ada",
    "password": "plum-orchard-lantern",
    "confirm_password": "plum-orchard-lantern",
}


@pytest.fixture
def app(app_factory) -> Iterator[Flask]:
    """The test app with CSRF checking on (the shared test settings turn it off)."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        db.session.remove()


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_forged_sign_up_is_refused_and_writes_nothing(client):
    response = client.post("/account/sign-up", data=SIGN_UP)
    assert response.status_code == 400
    assert "expired or was forged" in response.get_data(as_text=True)
    assert user_count() == 0


def test_a_sign_up_carrying_the_page_token_works(client):
    token = csrf_token_from(client.get("/account/sign-up").get_data(as_text=True))
    response = client.post("/account/sign-up", data={**SIGN_UP, "csrf_token": token})
    assert response.status_code == 302
    assert user_count() == 1


def signed_in_client(client, make_user):
    make_user(email="lin@example.com")
    db.session.commit()
    token = csrf_token_from(client.get("/account/sign-in").get_data(as_text=True))
    response = client.post(
        "/account/sign-in",
        data={"email": "lin@example.com", "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    return client


def test_sign_out_without_the_token_is_refused(client, make_user):
    client = signed_in_client(client, make_user)
    assert client.post("/account/sign-out").status_code == 400
    assert client.get("/account/settings").status_code == 200


def test_sign_out_with_the_token_from_the_page_header_works(client, make_user):
    client = signed_in_client(client, make_user)
    token = csrf_token_from(client.get("/account/settings").get_data(as_text=True))
    response = client.post("/account/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/account/settings").status_code == 302


def test_a_forged_password_change_is_refused(client, make_user):
    client = signed_in_client(client, make_user)
    response = client.post(
        "/account/settings",
        data={
            "password-current_password": DEFAULT_PASSWORD,
            "password-new_password": "plum-orchard-lantern",
            "password-confirm_password": "plum-orchard-lantern",
            "password-submit": "y",
        },
    )
    assert response.status_code == 400
