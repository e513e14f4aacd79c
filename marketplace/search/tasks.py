"""Search jobs, run through `marketplace.jobs` on the `search` queue.

Both are safe to run twice or side by side: they work from the outbox and the database's
current state, delete outbox rows by id only once applied, and serialise their index writes
(see `marketplace.search.indexing`). A failure (a search server that is down) raises, so the
job system retries the run with backoff; nothing is lost meanwhile.
"""

from __future__ import annotations

import logging

from marketplace.search import indexing
from marketplace.search.types import SearchUnavailable

log = logging.getLogger(__name__)


def drain_search_outbox() -> None:
    """Apply every pending product change to the search indexes."""
    report = indexing.drain()
    log.info(
        "search outbox drained: indexed=%s deleted=%s errors=%s",
        report.indexed,
        report.deleted,
        len(report.errors),
    )


def repair_search_index() -> None:
    """Find and fix drift between the database and the search indexes (the admin button)."""
    report = indexing.repair(dry_run=False)
    log.info("search index repaired: %s", report.summary())
    unavailable = [d for d in report.backends if d.unavailable]
    if unavailable:
        raise SearchUnavailable("; ".join(f"{d.backend}: {d.unavailable}" for d in unavailable))
