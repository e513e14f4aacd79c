"""Test doubles and helpers for the search pipeline tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.jobs import OutboxJob
from marketplace.search import indexing
from marketplace.search.models import SearchOutboxEntry
from marketplace.search.types import IndexReport, ProductDocument, SearchUnavailable


class MemoryIndex:
    """Holds documents in a dict; `down` makes every call fail, `refuse` refuses some products."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.documents: dict[int, ProductDocument] = {}
        self.down = False
        self.refuse: dict[int, str] = {}
        self.reindexed = 0

    def _answer(self) -> None:
        if self.down:
            raise SearchUnavailable(f"{self.name} is not answering")

    def index(self, documents: Sequence[ProductDocument]) -> IndexReport:
        self._answer()
        report = IndexReport()
        for document in documents:
            if document.product_id in self.refuse:
                report.errors[document.product_id] = self.refuse[document.product_id]
            else:
                self.documents[document.product_id] = document
                report.indexed += 1
        return report

    def delete(self, product_ids: Sequence[int]) -> int:
        self._answer()
        return sum(self.documents.pop(pid, None) is not None for pid in product_ids)

    def reindex(self, documents: Iterable[ProductDocument]) -> IndexReport:
        self._answer()
        self.documents = {}
        report = self.index(list(documents))
        self.reindexed += 1
        return report

    def indexed_versions(self) -> dict[int, str]:
        self._answer()
        return {pid: document.version for pid, document in self.documents.items()}

    def titles(self) -> dict[int, str]:
        return {pid: document.title for pid, document in self.documents.items()}


def outbox_product_ids() -> list[int]:
    """Product ids of the pending outbox rows, in row order, as this session sees them."""
    return list(db.session.scalars(select(SearchOutboxEntry.product_id).order_by("id")))


def drain_jobs() -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxJob).where(OutboxJob.func == indexing.DRAIN_JOB)
    )


@contextmanager
def drains_held() -> Iterator[None]:
    """Drain jobs that run meanwhile do nothing (their rows stay pending)."""
    from marketplace.search import tasks

    original = tasks.drain_search_outbox
    tasks.drain_search_outbox = lambda: None  # type: ignore[assignment]
    try:
        yield
    finally:
        tasks.drain_search_outbox = original  # type: ignore[assignment]
