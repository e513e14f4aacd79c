"""Fulfilment on the real services: PostgreSQL, Redis and RQ worker processes (the jobs
fixtures: a test-only Redis database, an app in RQ mode, `flask jobs worker --burst`)."""

from tests.integration.jobs.conftest import redis_url, rq_app, run_worker  # noqa: F401
