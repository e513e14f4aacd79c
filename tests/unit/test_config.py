"""Settings: environments, overrides, and production's refusal of unsafe defaults."""

from __future__ import annotations

import pytest

from config import DEFAULT_SECRET_KEY, ConfigurationError, load_config
from marketplace import create_app


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db/marketplace")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_sqlite(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-from-the-vault")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        create_app("production")


def test_production_starts_with_its_own_secret_and_postgres(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-from-the-vault")
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db/marketplace")
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path))
    app = create_app({"ENV_NAME": "production", "INSTANCE_DIR": tmp_path})
    assert app.config["SECRET_KEY"] != DEFAULT_SECRET_KEY
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db/marketplace"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_unknown_environment_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="Unknown MARKETPLACE_ENV"):
        load_config("staging-typo")


def test_environment_selects_services(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/2")
    app = create_app({"ENV_NAME": "development", "INSTANCE_DIR": tmp_path})
    assert app.config["REDIS_URL"] == "redis://cache:6379/2"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"


def test_session_cookie_is_httponly_and_samesite(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
