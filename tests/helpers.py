"""Small helpers shared by tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

REPO_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(REPO_ROOT / "migrations")


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a server does.

    The test's own app context would otherwise keep `g` (and the user Flask-Login caches there)
    from one request to the next. Each request also gets its own database session, so commit
    before a request and expire (`db.session.expire_all()`) before reading after one.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def sign_in(client: FlaskClient, user: Any) -> None:
    """Sign `user` in on `client` without going through the form (for tests of other pages)."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def services_required() -> bool:
    return os.environ.get("MARKETPLACE_REQUIRE_SERVICES") == "1"


def require_service(name: str) -> str:
    """The URL of a real service from the environment; skip (or fail in CI) when it is absent."""
    url = os.environ.get(name)
    if url:
        return url
    if services_required():
        pytest.fail(f"{name} is not set but MARKETPLACE_REQUIRE_SERVICES=1")
    pytest.skip(f"{name} not set")


def app_settings(tmp_path: Path, database_uri: str, **overrides: Any) -> dict[str, Any]:
    """Settings for a test app: isolated instance folder, CSRF and rate limits off unless asked."""
    settings: dict[str, Any] = {
        "ENV_NAME": "test",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "INSTANCE_DIR": tmp_path / "instance",
        "UPLOAD_DIR": tmp_path / "uploads",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }
    settings.update(overrides)
    return settings


def build_schema(app: Flask) -> None:
    """Run the real migrations, the only way the schema is made."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=MIGRATIONS)
