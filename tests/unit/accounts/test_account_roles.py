"""Role guards: admin_required and vendor_required on a small blueprint made for the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Blueprint, Flask

from marketplace.accounts.decorators import admin_required, vendor_required
from marketplace.extensions import db
from tests.factories import DEFAULT_PASSWORD
from tests.unit.accounts.support import sign_in_through_form


@pytest.fixture
def app(app_factory) -> Iterator[Flask]:
    """The test app plus a blueprint whose views only the guards stand in front of."""
    app = app_factory()
    probe = Blueprint("role_probe", __name__)

    @probe.get("/admin-only")
    @admin_required
    def admin_only() -> str:
        return "admin area"

    @probe.get("/vendor-only")
    @vendor_required
    def vendor_only() -> str:
        return "vendor area"

    app.register_blueprint(probe, url_prefix="/probe")
    with app.app_context():
        yield app
        db.session.remove()


@pytest.mark.parametrize("path", ["/probe/admin-only", "/probe/vendor-only"])
def test_visitors_are_sent_to_sign_in_and_back(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/account/sign-in?next={path.replace('/', '%2F')}"


@pytest.mark.parametrize("path", ["/probe/admin-only", "/probe/vendor-only"])
def test_a_buyer_gets_403(client, make_user, path):
    buyer = make_user()
    db.session.commit()
    sign_in_through_form(client, buyer.email, DEFAULT_PASSWORD)
    assert client.get(path).status_code == 403


def test_an_admin_gets_the_admin_view_but_not_the_vendor_one(client, make_user):
    admin = make_user(is_admin=True)
    db.session.commit()
    sign_in_through_form(client, admin.email, DEFAULT_PASSWORD)
    assert client.get("/probe/admin-only").get_data(as_text=True) == "admin area"
    assert client.get("/probe/vendor-only").status_code == 403


def test_a_vendor_owner_gets_the_vendor_view_but_not_the_admin_one(client, make_vendor):
    owner = make_vendor(status="applied", payable=False).owner
    db.session.commit()
    sign_in_through_form(client, owner.email, DEFAULT_PASSWORD)
    assert client.get("/probe/vendor-only").get_data(as_text=True) == "vendor area"
    assert client.get("/probe/admin-only").status_code == 403


def test_the_refusal_says_why(client, make_user):
    buyer = make_user()
    db.session.commit()
    sign_in_through_form(client, buyer.email, DEFAULT_PASSWORD)
    assert "Apply to sell" in client.get("/probe/vendor-only").get_data(as_text=True)
