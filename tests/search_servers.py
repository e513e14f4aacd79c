"""Start an Elasticsearch-API server for tests and bench scripts: `osmem-server`, in memory.

No Elasticsearch can be installed where the tests run, so the test suite and the bench scripts
start the `osmem-server` binary that the `osmem-server` dev dependency bundles. Each server
listens on a free port, exits with the process that started it (`-parent-pid`), and does not
watch its standard input (CI runs without one).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STARTUP_TIMEOUT = 30.0


class SearchServerUnavailable(RuntimeError):
    """The server binary is not installed, or it did not start."""


@dataclass
class SearchServer:
    """A running server: its URL, and how to stop it."""

    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the process (and wait for it), so the port is free again."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def server_binary() -> str:
    """The osmem-server binary of the installed package (or OSMEM_SERVER_BIN)."""
    try:
        from osmem_server import OsmemError, resolve_binary
    except ImportError as error:
        raise SearchServerUnavailable(
            "osmem-server is not installed (pip install -e '.[dev]')"
        ) from error
    try:
        return resolve_binary()
    except OsmemError as error:
        raise SearchServerUnavailable(str(error)) from error


def _read_ready_line(log: Path, process: subprocess.Popen[bytes]) -> dict[str, object]:
    """Wait for the JSON line the server prints once it listens (it carries the URL)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and "url" in message:
                return message
        if process.poll() is not None:
            raise SearchServerUnavailable(f"osmem-server exited with code {process.returncode}")
        time.sleep(0.02)
    process.kill()
    raise SearchServerUnavailable(f"osmem-server did not start within {STARTUP_TIMEOUT:.0f} s")


def start_search_server(parent_pid: int | None = None) -> SearchServer:
    """Start a server on a free port of 127.0.0.1; it exits when `parent_pid` (us) does."""
    binary = server_binary()
    with tempfile.TemporaryDirectory(prefix="search-server-") as folder:
        log = Path(folder) / "stdout"
        with log.open("wb") as stdout:
            process = subprocess.Popen(
                [
                    binary,
                    "-addr",
                    "127.0.0.1:0",
                    "-no-stdin-watch",
                    "-no-ja",
                    "-parent-pid",
                    str(parent_pid or os.getpid()),
                ],
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=subprocess.DEVNULL,
            )
        ready = _read_ready_line(log, process)
    return SearchServer(url=str(ready["url"]), process=process)


@contextmanager
def running_search_server() -> Iterator[str]:
    """`with running_search_server() as url:` — a server for the block, stopped after it."""
    server = start_search_server()
    try:
        yield server.url
    finally:
        server.stop()


def drop_test_indices(url: str, alias: str) -> None:
    """Delete the versioned indices a test made behind `alias` (by name: real Elasticsearch
    refuses wildcard deletes by default)."""
    from marketplace.search.elastic.client import build_client

    client = build_client({"ELASTICSEARCH_URL": url, "ELASTICSEARCH_PLAIN_JSON": True})
    try:
        names = client.options(ignore_status=404).indices.get(index=f"{alias}-*").body
        for name in names:
            if name.startswith(f"{alias}-"):
                client.options(ignore_status=404).indices.delete(index=name)
    finally:
        client.close()
