"""One page of a longer list, shaped like Flask-SQLAlchemy's Pagination so templates share it."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results, shaped like Flask-SQLAlchemy's Pagination so templates share it."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def first(self) -> int:
        """1-based position of the first item on this page (0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    def iter_pages(
        self, left_edge: int = 1, left_current: int = 2, right_current: int = 2, right_edge: int = 1
    ) -> Iterator[int | None]:
        """Page numbers to link, with None where a gap ("…") belongs."""
        last_shown = 0
        for number in range(1, self.pages + 1):
            near_edge = number <= left_edge or number > self.pages - right_edge
            near_current = self.page - left_current <= number <= self.page + right_current
            if near_edge or near_current:
                if last_shown and number - last_shown > 1:
                    yield None
                yield number
                last_shown = number
