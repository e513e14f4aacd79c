"""The Elasticsearch client, built from settings, and the one place transport errors are caught."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from elastic_transport import HttpHeaders, TransportError, Urllib3HttpNode
from elastic_transport._node import NodeApiResponse
from elasticsearch import ApiError, Elasticsearch

from marketplace.search.types import SearchUnavailable

JSON = "application/json"
NDJSON = "application/x-ndjson"


class PlainJsonNode(Urllib3HttpNode):
    """Sends `application/json` (`application/x-ndjson` for bulk bodies) instead of the
    client's versioned `application/vnd.elasticsearch+json; compatible-with=N`.

    Elasticsearch accepts both; servers that only speak the Elasticsearch API (the one the tests
    run against) answer the versioned type with 406. Off by default: see ELASTICSEARCH_PLAIN_JSON.
    """

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        **kwargs: Any,
    ) -> NodeApiResponse:
        if headers is not None:
            headers = headers.copy()
            for name in ("content-type", "accept"):
                value = headers.get(name)
                if value is not None:
                    headers[name] = NDJSON if "x-ndjson" in value else JSON
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


def build_client(config: Mapping[str, Any]) -> Elasticsearch:
    """A client for ELASTICSEARCH_URL with the configured timeout, retries and API key.

    Building it opens no connection; the first request does.
    """
    url = config.get("ELASTICSEARCH_URL")
    if not url:
        raise SearchUnavailable("ELASTICSEARCH_URL is not set")
    options: dict[str, Any] = {
        "request_timeout": float(config.get("ELASTICSEARCH_TIMEOUT", 2.0)),
        "max_retries": int(config.get("ELASTICSEARCH_MAX_RETRIES", 1)),
        "retry_on_timeout": True,
    }
    if config.get("ELASTICSEARCH_API_KEY"):
        options["api_key"] = config["ELASTICSEARCH_API_KEY"]
    if config.get("ELASTICSEARCH_PLAIN_JSON"):
        options["node_class"] = PlainJsonNode
    return Elasticsearch(url, **options)


def describe(error: Exception) -> str:
    """A short, log-friendly reason: the server's error type and reason when it sent one."""
    if isinstance(error, ApiError):
        body = error.body if isinstance(error.body, dict) else {}
        detail = body.get("error", {})
        if isinstance(detail, dict):
            cause = (detail.get("root_cause") or [detail])[0]
            return f"{error.meta.status} {cause.get('type')}: {cause.get('reason')}"
        return f"{error.meta.status} {detail or error.message}"
    return f"{type(error).__name__}: {error}"


@contextmanager
def unavailable_on_failure(action: str) -> Iterator[None]:
    """Turn any transport or server error into SearchUnavailable, so callers can fall back."""
    try:
        yield
    except (TransportError, ApiError) as error:
        raise SearchUnavailable(f"Elasticsearch could not {action}: {describe(error)}") from error
