"""What the Elasticsearch client sends: the plain JSON switch, and the settings it is built with."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from elasticsearch import helpers

from marketplace.search.elastic.client import build_client
from marketplace.search.types import SearchUnavailable


class RecordingHandler(BaseHTTPRequestHandler):
    """Answers every request like Elasticsearch would, and keeps the headers it was sent."""

    seen: list[dict[str, str]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        body = {"took": 1, "errors": False, "items": []} if "_bulk" in self.path else {}
        if self.path == "/":
            body = {"version": {"number": "9.0.0"}, "tagline": "You Know, for Search"}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args) -> None:  # keep test output quiet
        return


@pytest.fixture
def recording_url() -> Iterator[str]:
    RecordingHandler.seen = []
    server = HTTPServer(("127.0.0.1", 0), RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def settings(url: str, **overrides) -> dict:
    return {"ELASTICSEARCH_URL": url, **overrides}


def test_plain_json_sends_application_json_and_ndjson_for_bulk(recording_url):
    client = build_client(settings(recording_url, ELASTICSEARCH_PLAIN_JSON=True))
    client.info()
    list(helpers.streaming_bulk(client, [{"_index": "products", "_id": "1", "_source": {}}]))

    info, bulk = RecordingHandler.seen[0], RecordingHandler.seen[-1]
    assert info["accept"] == "application/json"
    assert bulk["content-type"] == "application/x-ndjson"
    assert bulk["accept"] == "application/json"


def test_without_plain_json_the_client_keeps_its_versioned_media_type(recording_url):
    client = build_client(settings(recording_url))
    client.info()

    assert "compatible-with=" in RecordingHandler.seen[0]["accept"]


def test_the_api_key_is_sent(recording_url):
    client = build_client(settings(recording_url, ELASTICSEARCH_API_KEY="c2VjcmV0"))
    client.info()

    assert RecordingHandler.seen[0]["authorization"] == "ApiKey c2VjcmV0"


def test_a_client_needs_a_url():
    with pytest.raises(SearchUnavailable, match="ELASTICSEARCH_URL"):
        build_client({"ELASTICSEARCH_URL": ""})
