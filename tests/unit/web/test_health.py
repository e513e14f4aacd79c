"""`/healthz`: what a load balancer asks before sending traffic."""

from __future__ import annotations


def test_healthy_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_503_with_a_reason_when_the_database_is_unreachable(app_factory, tmp_path):
    unreachable = tmp_path / "no-such-folder" / "db.sqlite"
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{unreachable}")

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert body["database"] == "unavailable"
    assert "OperationalError" in body["reason"]
