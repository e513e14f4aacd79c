"""Demo search analytics: a month of buyer searches and the results they followed.

Queries are the product types the demo's own titles end with, one or two words (so their
result counts are believable: the live products whose title has the words), and some that
find nothing (misspellings, things no demo shop sells), so the admin's search report has every
column filled. Rows go in with one bulk insert per table; nobody's identity is recorded, as in
the real log.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.search.analytics import normalise_query
from marketplace.search.analytics_models import SearchClick, SearchLog

DAYS = 30
SEARCHES = 400
NOTHING_FOUND = ("bluetooth toaster", "headfones", "snowshoes kids", "cast iron wok lid", "drone")
FILTER_CHOICES = ([], [], [], ["category"], ["price"], ["in_stock"], ["sort"], ["rating"])
WORD = re.compile(r"[a-z]{3,}")


def _product_types(titles: list[str]) -> Counter[str]:
    """What buyers type: a title's closing noun ("socks") or its last two words ("hiking
    socks"), the product type the generator ends every title with."""
    types: Counter[str] = Counter()
    for title in titles:
        words = WORD.findall(title.split(",")[0].lower())  # not the ", Navy" colour
        if words:
            types[words[-1]] += 1
        if len(words) >= 2:
            types[" ".join(words[-2:])] += 1
    return types


def _matching(products: list[tuple[int, str]], query: str) -> list[int]:
    words = query.split()
    return [pid for pid, title in products if all(w in title.lower() for w in words)]


def seed_search_log(*, seed: int, now: datetime, backend: str = "database") -> int:
    """Insert the demo's searches and clicks (flushed, not committed); returns the searches."""
    products = list(
        db.session.execute(
            select(Product.id, Product.title).where(Product.status == ProductStatus.LIVE)
        )
    )
    if not products:
        return 0
    rng = random.Random(f"searches-{seed}")
    common = [words for words, _n in _product_types([t for _id, t in products]).most_common(50)]
    pool = common[:15] * 3 + common + list(NOTHING_FOUND)
    matches = {query: _matching(products, query) for query in set(pool)}
    searches, clicks = [], []
    for number in range(SEARCHES):
        query = normalise_query(rng.choice(pool))
        at = now - timedelta(days=rng.uniform(0, DAYS))
        filters = rng.choice(FILTER_CHOICES)
        found = matches[query]
        searches.append(
            {
                "query": query,
                "filters": filters,
                "has_filters": bool(filters),
                "total_results": len(found),
                "backend": backend,
                "page": 1,
                "at": at,
            }
        )
        if found and rng.random() < 0.45:
            position = min(len(found), rng.choice((1, 1, 1, 2, 2, 3, 4, 7)))
            clicks.append(
                {
                    "search_id": number,
                    "product_id": found[position - 1],
                    "position": position,
                    "at": at + timedelta(seconds=rng.randint(4, 90)),
                }
            )
    ids = db.session.scalars(
        insert(SearchLog).returning(SearchLog.id, sort_by_parameter_order=True), searches
    ).all()
    for click in clicks:
        click["search_id"] = ids[click["search_id"]]
    if clicks:
        db.session.execute(insert(SearchClick), clicks)
    db.session.flush()
    return len(searches)
