"""Admin pages answer admins only: 403 for buyers and vendors, sign-in for visitors."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from tests.helpers import sign_in


def admin_get_urls(app) -> list[str]:
    """Every GET route under /admin that takes no argument, read from the URL map."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and "GET" in rule.methods and not rule.arguments
    )


def test_the_admin_area_has_routes(app):
    assert "/admin/" in admin_get_urls(app)


@pytest.mark.parametrize("role", ["buyer", "vendor"])
def test_non_admins_get_403_on_every_admin_page(app, client, make_user, make_vendor, role):
    user = make_user() if role == "buyer" else make_vendor().owner
    db.session.commit()
    sign_in(client, user)
    for url in admin_get_urls(app):
        assert client.get(url).status_code == 403, url


def test_visitors_are_sent_to_sign_in(app, client):
    for url in admin_get_urls(app):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/account/sign-in" in response.headers["Location"]


def test_admin_sees_pending_applications(client, make_user, make_vendor):
    admin = make_user(is_admin=True)
    make_vendor(display_name="Fernhill Botanicals", status="applied", payable=False)
    db.session.commit()
    sign_in(client, admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Fernhill Botanicals" in page
    assert "Gross merchandise value" in page
