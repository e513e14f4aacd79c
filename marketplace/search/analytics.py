"""Search analytics: what buyers search for, what finds nothing, and what they click.

Logging is one insert in its own short transaction (a search page is a GET whose request never
commits), and a failure is logged and swallowed: analytics never break the search page.

Only searches with words typed are logged, and only their first page: paging through results
is not a new search. A click is recorded against the logged search it came from.

Figures, per normalised query (lower-case, accents folded, spaces collapsed):
- searches: how many first pages of results were served for the query;
- no-result searches: of those, how many found nothing;
- click-through rate: the share of the searches after which the buyer followed at least one
  result (clicks on the first page's results; several clicks on one search count once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.search.analysis import fold
from marketplace.search.analytics_models import SearchClick, SearchLog
from marketplace.search.types import SearchQuery, SearchResults, Sort

log = logging.getLogger(__name__)

QUERY_MAX_LENGTH = 200
MAX_POSITION = 10_000
REPORT_LIMIT = 50


def normalise_query(text: str) -> str:
    """The form queries are counted under: "  Crème  BRÛLÉE " → "creme brulee"."""
    return " ".join(fold(text or "").split())[:QUERY_MAX_LENGTH]


def filters_present(query: SearchQuery) -> list[str]:
    """Names of the filters the buyer set (values are not kept: they add little and vary)."""
    present = []
    if query.category_path:
        present.append("category")
    if query.vendor_slugs:
        present.append("vendor")
    if query.price_min_minor is not None or query.price_max_minor is not None:
        present.append("price")
    if query.min_rating is not None:
        present.append("rating")
    if query.in_stock:
        present.append("in_stock")
    present.extend(f"attr:{name}" for name in sorted(query.attributes))
    if query.sort != Sort.RELEVANCE:
        present.append("sort")
    return present


def _enabled() -> bool:
    return bool(current_app.config.get("SEARCH_ANALYTICS_ENABLED", True))


def log_search(query: SearchQuery, results: SearchResults) -> int | None:
    """Record a first page of results for typed words; its id (for click links), or None."""
    text = normalise_query(query.text)
    if not text or query.page != 1 or not _enabled():
        return None
    filters = filters_present(query)
    row = {
        "query": text,
        "filters": filters,
        "has_filters": bool(filters),
        "total_results": int(results.total),
        "backend": (results.backend or "unknown")[:20],
        "page": 1,
        "at": utcnow(),
    }
    try:
        with db.engine.begin() as connection:
            inserted = connection.execute(insert(SearchLog).values(**row))
            return int(inserted.inserted_primary_key[0])
    except SQLAlchemyError:
        log.warning("search analytics: could not log a search", exc_info=True)
        return None


def log_click(search_id: int, product_id: int, position: int | None) -> bool:
    """Record that a result of a logged search was followed; False when it could not be."""
    if not _enabled():
        return False
    if position is not None and not 1 <= position <= MAX_POSITION:
        position = None
    try:
        with db.engine.begin() as connection:
            known = connection.scalar(select(SearchLog.id).where(SearchLog.id == search_id))
            if known is None:
                return False
            connection.execute(
                insert(SearchClick).values(
                    search_id=search_id, product_id=product_id, position=position, at=utcnow()
                )
            )
        return True
    except SQLAlchemyError:
        log.warning("search analytics: could not log a click", exc_info=True)
        return False


# --- reports ------------------------------------------------------------------------------------


class _SearchRates:
    """Click-through and no-result rates of a set of searches (none when there were none)."""

    searches: int
    no_result_searches: int
    clicked_searches: int

    @property
    def click_through_rate(self) -> float | None:
        return self.clicked_searches / self.searches if self.searches else None

    @property
    def no_result_rate(self) -> float | None:
        return self.no_result_searches / self.searches if self.searches else None


@dataclass(frozen=True)
class QueryStats(_SearchRates):
    """One normalised query's figures over a period."""

    query: str
    searches: int
    no_result_searches: int
    clicked_searches: int
    clicks: int
    average_results: float


@dataclass(frozen=True)
class SearchTotals(_SearchRates):
    searches: int
    distinct_queries: int
    no_result_searches: int
    clicked_searches: int


def _clicks_per_search():
    return (
        select(SearchClick.search_id, func.count(SearchClick.id).label("clicks"))
        .group_by(SearchClick.search_id)
        .subquery()
    )


def _in_window(since: datetime, until: datetime):
    return (SearchLog.at >= since, SearchLog.at < until)


def _query_stats(since: datetime, until: datetime, *, no_results_only: bool, limit: int):
    clicks = _clicks_per_search()
    no_result = func.sum(case((SearchLog.total_results == 0, 1), else_=0))
    searches = func.count(SearchLog.id)
    stmt = (
        select(
            SearchLog.query,
            searches.label("searches"),
            no_result.label("no_result"),
            func.sum(case((clicks.c.clicks > 0, 1), else_=0)).label("clicked"),
            func.coalesce(func.sum(clicks.c.clicks), 0).label("clicks"),
            func.avg(SearchLog.total_results).label("average_results"),
        )
        .outerjoin(clicks, clicks.c.search_id == SearchLog.id)
        .where(*_in_window(since, until))
        .group_by(SearchLog.query)
    )
    if no_results_only:
        stmt = stmt.having(no_result > 0).order_by(no_result.desc(), searches.desc())
    else:
        stmt = stmt.order_by(searches.desc(), SearchLog.query)
    rows = db.session.execute(stmt.limit(limit)).all()
    return [
        QueryStats(
            query=row.query,
            searches=int(row.searches),
            no_result_searches=int(row.no_result or 0),
            clicked_searches=int(row.clicked or 0),
            clicks=int(row.clicks or 0),
            average_results=float(row.average_results or 0),
        )
        for row in rows
    ]


def top_queries(since: datetime, until: datetime, limit: int = REPORT_LIMIT) -> list[QueryStats]:
    """The most searched queries in [since, until), with their click-through."""
    return _query_stats(since, until, no_results_only=False, limit=limit)


def no_result_queries(
    since: datetime, until: datetime, limit: int = REPORT_LIMIT
) -> list[QueryStats]:
    """Queries that found nothing at least once, those failing most often first."""
    return _query_stats(since, until, no_results_only=True, limit=limit)


def totals(since: datetime, until: datetime) -> SearchTotals:
    """All logged searches in [since, until) together."""
    clicks = _clicks_per_search()
    row = db.session.execute(
        select(
            func.count(SearchLog.id),
            func.count(func.distinct(SearchLog.query)),
            func.coalesce(func.sum(case((SearchLog.total_results == 0, 1), else_=0)), 0),
            func.coalesce(func.sum(case((clicks.c.clicks > 0, 1), else_=0)), 0),
        )
        .outerjoin(clicks, clicks.c.search_id == SearchLog.id)
        .where(*_in_window(since, until))
    ).one()
    return SearchTotals(*(int(value or 0) for value in row))


def prune(before: datetime) -> int:
    """Delete searches (and their clicks) logged before `before`; how many searches went."""
    old = select(SearchLog.id).where(SearchLog.at < before)
    db.session.execute(delete(SearchClick).where(SearchClick.search_id.in_(old)))
    removed = db.session.execute(delete(SearchLog).where(SearchLog.at < before))
    return int(removed.rowcount or 0)
