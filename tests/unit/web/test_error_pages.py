"""Error pages: friendly HTML for people, JSON for API callers, and no leaked internals."""

from __future__ import annotations

from flask import abort

from marketplace.web import CSRF_MESSAGE


def test_unknown_page_gets_a_friendly_404_page(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert 'action="/search"' in page  # a way onwards, not a dead end


def test_api_paths_get_json_errors(client):
    response = client.get("/api/x")

    assert response.status_code == 404
    assert response.is_json
    body = response.get_json()
    assert body["error"] == "not_found"
    assert body["reason"]


def test_clients_asking_for_json_get_json(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_browsers_get_html_even_though_they_accept_anything(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/no/such/page", headers={"Accept": accept})
    assert response.mimetype == "text/html"


def test_405_lists_the_allowed_methods(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "That action isn" in response.get_data(as_text=True)


def test_reason_given_to_abort_is_shown(app, client):
    app.add_url_rule("/gone", "gone", lambda: abort(403, description="Only the shop owner may."))
    response = client.get("/gone")
    assert response.status_code == 403
    assert "Only the shop owner may." in response.get_data(as_text=True)


def test_429_page(app, client):
    app.add_url_rule("/busy", "busy", lambda: abort(429))
    response = client.get("/busy")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_413_page_when_the_upload_is_too_large(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/account/sign-in", data={"email": "x" * 4096})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_unexpected_exception_gets_a_500_page_without_internals(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode():
        raise RuntimeError("secret connection string")

    app.add_url_rule("/explode", "explode", explode)
    response = client.get("/explode")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page
    assert "secret connection string" not in page


def test_500_is_json_for_webhooks(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode():
        raise RuntimeError("boom")

    app.add_url_rule("/webhooks/test", "webhook_test", explode, methods=["POST"])
    response = client.post("/webhooks/test")

    assert response.status_code == 500
    assert response.get_json()["error"] == "internal_server_error"
    assert "boom" not in response.get_data(as_text=True)


def test_forged_form_gets_the_csrf_page(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/account/sign-out", data={})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form has expired" in page
    assert "reload the page and try again" in page


def test_forged_json_request_gets_a_json_csrf_error(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/account/sign-out", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["reason"] == CSRF_MESSAGE


def test_database_outage_still_gets_a_500_page(app_factory, tmp_path):
    unreachable = tmp_path / "no-such-folder" / "db.sqlite"
    app = app_factory(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{unreachable}", PROPAGATE_EXCEPTIONS=False
    )

    response = app.test_client().get("/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
