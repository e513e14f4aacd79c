"""What a search asks and what it answers: the contract every search backend implements.

Both backends (database, Elasticsearch) take a `SearchQuery` and return `SearchResults` built
from these types, and both pass the same contract tests, so the buyer pages never know which one
answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

DEFAULT_PER_PAGE = 24
MAX_PER_PAGE = 96
MAX_PAGE = 400  # deep pages are never what a buyer wants; they are what a scraper wants


class Sort(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NEWEST = "newest"
    RATING = "rating"
    BEST_SELLING = "best_selling"


SORT_LABELS = {
    Sort.RELEVANCE: "Best match",
    Sort.PRICE_ASC: "Price: low to high",
    Sort.PRICE_DESC: "Price: high to low",
    Sort.NEWEST: "Newest",
    Sort.RATING: "Top rated",
    Sort.BEST_SELLING: "Best selling",
}


@dataclass(frozen=True)
class PriceBucket:
    """A price facet value: [min_minor, max_minor) in minor units; None is open-ended."""

    key: str
    label: str
    min_minor: int | None
    max_minor: int | None

    def contains(self, price_minor: int) -> bool:
        low_ok = self.min_minor is None or price_minor >= self.min_minor
        high_ok = self.max_minor is None or price_minor < self.max_minor
        return low_ok and high_ok


# The price facet's buckets, shared by both backends so their counts agree.
PRICE_BUCKETS: tuple[PriceBucket, ...] = (
    PriceBucket("0-2500", "Under $25", None, 2500),
    PriceBucket("2500-5000", "$25 to $50", 2500, 5000),
    PriceBucket("5000-10000", "$50 to $100", 5000, 10000),
    PriceBucket("10000-20000", "$100 to $200", 10000, 20000),
    PriceBucket("20000-", "$200 and up", 20000, None),
)

# The rating facet: "N stars & up", on the average rating of products with reviews.
RATING_THRESHOLDS: tuple[int, ...] = (4, 3, 2, 1)


@dataclass(frozen=True)
class SearchQuery:
    """One search as a buyer asked it (already validated: see `marketplace.search.params`).

    Filters narrow the hits; every facet is counted with all the *other* filters applied, so a
    buyer sees how many results each choice would give.
    """

    text: str = ""
    category_path: str | None = None  # the category and everything below it
    vendor_slugs: tuple[str, ...] = ()  # any of these vendors
    price_min_minor: int | None = None  # inclusive
    price_max_minor: int | None = None  # exclusive, like the price buckets
    min_rating: int | None = None  # average rating at least this (products with reviews)
    in_stock: bool = False  # only products with stock on hand (not only backorder)
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name -> any of
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    with_facets: bool = True
    with_highlights: bool = True

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Hit:
    """One found product. `highlights` maps a field (title, description) to an HTML snippet
    whose only markup is <mark>…</mark> around matched words (everything else escaped)."""

    product_id: int
    score: float
    highlights: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FacetValue:
    value: str  # what goes in the URL
    label: str  # what the buyer reads
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Facet:
    """`name` is `category`, `vendor`, `price`, `rating` or `attr:<attribute name>`."""

    name: str
    label: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class SearchResults:
    hits: tuple[Hit, ...]
    total: int
    facets: tuple[Facet, ...] = ()
    suggestions: tuple[str, ...] = ()  # "did you mean" rewrites of the query text
    backend: str = ""
    degraded: bool = False  # True when the configured backend failed and another answered


@dataclass(frozen=True)
class ProductDocument:
    """Everything search knows about one product: built from the database, fed to an index."""

    product_id: int
    slug: str
    title: str
    description: str
    vendor_id: int
    vendor_slug: str
    vendor_name: str
    category_path: str  # slug path, e.g. "home/furniture/sofas"
    category_names: tuple[str, ...]  # names from the top down, e.g. ("Home", "Furniture", "Sofas")
    attributes: Mapping[str, str]  # attribute name -> value, as the vendor entered them
    price_minor: int  # the lowest price of a purchasable variant
    currency: str
    rating_avg: float  # 0.0 without reviews
    rating_count: int
    rating_score: float  # Bayesian average: what ranking and the rating sort use
    sales_count: int
    in_stock: bool  # some variant has stock on hand (others may be backorder only)
    created_at: datetime  # when it went live (or was created)
    version: str  # changes whenever anything above changes: how drift is found


@dataclass
class IndexReport:
    """What an index run did; `errors` maps a product id to why it was refused."""

    indexed: int = 0
    deleted: int = 0
    errors: dict[int, str] = field(default_factory=dict)

    def merge(self, other: IndexReport) -> None:
        self.indexed += other.indexed
        self.deleted += other.deleted
        self.errors.update(other.errors)


class SearchUnavailable(Exception):
    """The backend cannot answer now (down, timed out, refused); another one may."""


@runtime_checkable
class SearchBackend(Protocol):
    """DESIGN.md §5. Both implementations pass `tests/contract/test_search_backend.py`."""

    name: str

    def index(self, documents: Sequence[ProductDocument]) -> IndexReport:
        """Add or replace these documents."""
        ...

    def delete(self, product_ids: Sequence[int]) -> int:
        """Remove these products (missing ones are fine); returns how many were removed."""
        ...

    def search(self, query: SearchQuery) -> SearchResults:
        """Hits for one page, the total, facets and (when few hits) did-you-mean suggestions."""
        ...

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Autocomplete: completions of what the buyer has typed so far."""
        ...

    def reindex(self, documents: Iterable[ProductDocument]) -> IndexReport:
        """Rebuild the whole index from these documents, answering searches meanwhile."""
        ...

    def indexed_versions(self) -> dict[int, str]:
        """Product id -> document version of everything in the index (for `search repair`)."""
        ...
