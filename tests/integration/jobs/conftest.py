"""Fixtures for jobs on a real Redis: a dedicated Redis database, an app and a worker process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import Flask
from redis import Redis

from marketplace.extensions import db
from tests.helpers import REPO_ROOT, require_service

REDIS_TEST_DB = 15  # never the database a developer's own worker uses
WORKER_TIMEOUT_SECONDS = 120


@pytest.fixture
def redis_url() -> Iterator[str]:
    """`REDIS_URL` pointed at a test-only database, emptied before and after each test."""
    parts = urlsplit(require_service("REDIS_URL"))
    url = urlunsplit(parts._replace(path=f"/{REDIS_TEST_DB}"))
    connection = Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()


@pytest.fixture
def redis_connection(redis_url: str) -> Iterator[Redis]:
    connection = Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def rq_app(request: pytest.FixtureRequest, redis_url: str) -> Iterator[Flask]:
    """An app in RQ mode on a database a worker process can open too.

    PostgreSQL when `DATABASE_URL` is set (as in production), else a SQLite file.
    """
    if os.environ.get("DATABASE_URL"):
        app = request.getfixturevalue("pg_app")
        app.config["REDIS_URL"] = redis_url
        yield app
        return
    app = request.getfixturevalue("app_factory")(REDIS_URL=redis_url)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def run_worker(
    rq_app: Flask, redis_url: str, tmp_path: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `flask jobs worker --burst` in its own process against the test's database and Redis."""

    def run(*, smtp_url: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env.update(
            MARKETPLACE_ENV="development",
            DATABASE_URL=rq_app.config["SQLALCHEMY_DATABASE_URI"],
            REDIS_URL=redis_url,
            UPLOAD_DIR=str(tmp_path / "worker-uploads"),
            SMTP_URL=smtp_url or "",  # set even when empty, so no .env file can fill it in
        )
        db.session.rollback()  # hold no transaction open while the worker writes
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--burst"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT_SECONDS,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    return run
