"""The search results page: run a buyer's search and turn its hits into what the page shows.

`marketplace.search.service` finds products (and falls back to the database when Elasticsearch
is down); this module loads the found products for their cards in hit order, names the active
filters, and never lets a backend's HTML through unchecked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from markupsafe import Markup, escape
from sqlalchemy import select

from marketplace.buyers.services import category_trail, get_category, sellable_products_query
from marketplace.catalog.models import Category, Product
from marketplace.extensions import db
from marketplace.pagination import Page
from marketplace.search import analytics as search_analytics
from marketplace.search import service as search_service
from marketplace.search.documents import searchable_condition
from marketplace.search.params import ATTRIBUTE_FACET_PREFIX, CATEGORY, VENDOR
from marketplace.search.types import (
    MAX_PAGE,
    Facet,
    Hit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
)
from marketplace.vendors.models import Vendor

log = logging.getLogger(__name__)
T = TypeVar("T")

SUGGESTION_LIMIT = 8
MIN_SUGGEST_PREFIX = 2
SNIPPET_LEAD = 30  # characters of context kept before a description's first match
_MARK_TAG = re.compile(r"</?mark>")


@dataclass(frozen=True)
class ResultPage(Page[T]):
    """A page of search results; links stop at the deepest page search will serve."""

    @property
    def pages(self) -> int:
        return min(super().pages, MAX_PAGE)


@dataclass(frozen=True)
class ResultCard:
    """A found product with its title and (when the description matched) a snippet, as HTML."""

    product: Product
    title_html: Markup
    snippet_html: Markup | None = None


@dataclass(frozen=True)
class SearchPage:
    """Everything the results page shows: the query as run, the backend's answer, the cards."""

    query: SearchQuery
    results: SearchResults
    page: ResultPage[ResultCard]
    category: Category | None = None
    trail: list[Category] = field(default_factory=list)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    unavailable: bool = False  # no backend could answer: say so instead of "no results"
    search_id: int | None = None  # the logged search its result links report clicks to

    def facet(self, name: str) -> Facet | None:
        return next((f for f in self.results.facets if f.name == name), None)

    @property
    def attribute_facets(self) -> list[Facet]:
        return [f for f in self.results.facets if f.name.startswith(ATTRIBUTE_FACET_PREFIX)]


def highlight_html(snippet: str | None, plain: str) -> Markup:
    """The backend's highlighted snippet as HTML, or `plain` escaped.

    The contract says a snippet is escaped text whose only markup is <mark>; anything else
    (a backend bug, a poisoned index) falls back to plain text, so no other tag reaches a page.
    """
    if snippet:
        rest = _MARK_TAG.sub("", snippet)
        balanced = snippet.count("<mark>") == snippet.count("</mark>")
        if balanced and "<" not in rest and ">" not in rest:
            return Markup(snippet)
    return escape(plain)


def lead_to_first_mark(snippet: str, lead: int = SNIPPET_LEAD) -> str:
    """The snippet from a word boundary shortly before its first match, so a card's two lines
    show the matched word rather than the sentence before it. Cuts only at a space, so never
    inside an entity or a tag."""
    first = snippet.find("<mark>")
    if first <= lead:
        return snippet
    cut = snippet.find(" ", first - lead, first)
    return "… " + snippet[(first if cut == -1 else cut + 1) :]


def findable_products_by_id(product_ids: Sequence[int]) -> dict[int, Product]:
    """Those of these products buyers may still find, by id: the index can lag a delisting or a
    sell-out by a moment, and the page must not show what search would no longer find."""
    if not product_ids:
        return {}
    stmt = sellable_products_query().where(Product.id.in_(product_ids), searchable_condition())
    return {product.id: product for product in db.session.scalars(stmt)}


def _result_cards(hits: Sequence[Hit]) -> list[ResultCard]:
    products = findable_products_by_id([hit.product_id for hit in hits])
    cards = []
    for hit in hits:
        product = products.get(hit.product_id)
        if product is None:
            continue
        snippet = hit.highlights.get("description", "")
        cards.append(
            ResultCard(
                product=product,
                title_html=highlight_html(hit.highlights.get("title"), product.title),
                # A description is worth a line only where it matched the words.
                snippet_html=(
                    highlight_html(lead_to_first_mark(snippet), "") if "<mark>" in snippet else None
                ),
            )
        )
    return cards


def _filter_labels(
    query: SearchQuery, results: SearchResults, category: Category | None
) -> dict[str, dict[str, str]]:
    """Names for the active-filter chips: category and shop names, attribute titles."""
    labels: dict[str, dict[str, str]] = {CATEGORY: {}, VENDOR: {}, "attributes": {}}
    if category is not None:
        labels[CATEGORY][category.path] = category.name
    for facet in results.facets:
        if facet.name == VENDOR:
            labels[VENDOR].update({value.value: value.label for value in facet.values})
        elif facet.name.startswith(ATTRIBUTE_FACET_PREFIX):
            labels["attributes"][facet.name[len(ATTRIBUTE_FACET_PREFIX) :]] = facet.label
    missing = [slug for slug in query.vendor_slugs if slug not in labels[VENDOR]]
    if missing:
        stmt = select(Vendor.slug, Vendor.display_name).where(Vendor.slug.in_(missing))
        labels[VENDOR].update({slug: name for slug, name in db.session.execute(stmt)})
    return labels


def search_page(query: SearchQuery) -> SearchPage:
    """Run a buyer's search and gather what its page shows (a fixed number of queries)."""
    category = get_category(query.category_path) if query.category_path else None
    if query.category_path and category is None:
        # A department that was renamed or removed: search everything rather than nothing.
        query = replace(query, category_path=None)
    unavailable = False
    try:
        results = search_service.search(query)
    except SearchUnavailable as error:
        log.error("no search backend could answer %r: %s", query.text, error)
        results = SearchResults(hits=(), total=0, degraded=True)
        unavailable = True
    search_id = None if unavailable else search_analytics.log_search(query, results)
    return SearchPage(
        query=query,
        results=results,
        page=ResultPage(
            items=_result_cards(results.hits),
            total=results.total,
            page=query.page,
            per_page=query.per_page,
        ),
        category=category,
        trail=category_trail(category) if category is not None else [],
        labels=_filter_labels(query, results, category),
        unavailable=unavailable,
        search_id=search_id,
    )


def follow_result(search_id: int, product_id: int, position: int | None) -> str | None:
    """Count a click on a search result; the product's slug to go to, or None if it is gone."""
    slug = db.session.scalar(select(Product.slug).where(Product.id == product_id))
    if slug is not None:
        search_analytics.log_click(search_id, product_id, position)
    return slug


def search_suggestions(prefix: str, limit: int = SUGGESTION_LIMIT) -> list[str]:
    """Autocomplete for what a buyer has typed; nothing for a too-short prefix or no backend."""
    if len(prefix) < MIN_SUGGEST_PREFIX:
        return []
    try:
        return search_service.suggest(prefix, limit=limit)
    except SearchUnavailable:
        log.warning("no search backend could suggest for %r", prefix)
        return []
