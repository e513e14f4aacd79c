"""Smoke test: boot the marketplace exactly as `make run` does, on SQLite, with no services."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 240) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(1)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def test_make_run_serves_the_demo_marketplace(tmp_path: Path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "MARKETPLACE_ENV"}
    }
    # The same Makefile target; only where the database and uploads live differs.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'marketplace.db'}"
    env["UPLOAD_DIR"] = str(tmp_path / "uploads")
    log = (tmp_path / "make-run.log").open("w")
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        home = wait_for(f"http://127.0.0.1:{port}/", process)
        product_links = set(re.findall(r'href="(/products/[^"]+)"', home))
        assert len(product_links) >= 4
        product_page = wait_for(f"http://127.0.0.1:{port}{sorted(product_links)[0]}", process)
        assert "/vendors/" in product_page
        health = wait_for(f"http://127.0.0.1:{port}/healthz", process)
        assert '"status": "ok"' in health or '"status":"ok"' in health
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
    output = (tmp_path / "make-run.log").read_text()
    assert "admin@example.com" in output  # the demo credentials are printed
