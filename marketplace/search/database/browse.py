"""Pages without text: the whole catalogue, a department or a category, in one sort order.

A department page is a search with a category and no text. Answered like any other search it
reads every product of the department (50,000 of 200,000) to count the facets and to sort the
page: about 200 ms on either engine. Without text and without facet filters it needs neither:

- the facet counts are the ones the writer keeps per category (`search_facet_counts`, every
  token of every product counted in its category and each one above it): a few hundred rows,
  summed over in stock and not unless the page is in stock only. The `c:` tokens among them
  say which categories below hold products, and how many: the total;
- the page is the first `offset + per_page` products of each of those categories, each read
  from the index kept for that sort order (a category's products already in that order, see
  `models._PAGE_ORDERS`), merged. Categories are few, so this reads a few hundred index
  entries instead of sorting the department.

With one facet filter (a click on a department page: a vendor, a price, a rating, a colour),
the facets but the filter's own count over the products that pass it, so those are read (and
sorted) as any search's are; the filter's own facet counts the whole category, which the kept
counts give. Two facet filters or more take the general path (`query.answer`).
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Any

from marketplace.extensions import db
from marketplace.search.database.dialects import rows_of
from marketplace.search.types import SearchQuery, Sort

# Each sort's order as the `ix_search_documents_page_*` indexes hold it (after the category).
PAGE_ORDERS: dict[Sort, str] = {
    Sort.RELEVANCE: "d.quality DESC, d.product_id",
    Sort.PRICE_ASC: "d.price_minor, d.quality DESC, d.product_id",
    Sort.PRICE_DESC: "d.price_minor DESC, d.quality DESC, d.product_id",
    Sort.NEWEST: "d.created_epoch DESC, d.quality DESC, d.product_id",
    Sort.RATING: "d.rating_score DESC, d.quality DESC, d.product_id",
    Sort.BEST_SELLING: "d.sales_count DESC, d.quality DESC, d.product_id",
}
CATEGORY_TOKEN = "c:"


def facet_counts(category_path: str, in_stock_only: bool) -> Counter[str]:
    """Every facet token's count over the category's subtree ("" for the whole catalogue)."""
    sql = "SELECT token, SUM(products) FROM search_facet_counts WHERE category_path = :scope"
    params: dict[str, Any] = {"scope": category_path}
    if in_stock_only:
        sql += " AND in_stock = :in_stock"
        params["in_stock"] = True
    rows = rows_of(db.session, sql + " GROUP BY token", params)
    return Counter({token: int(n) for token, n in rows if n})


def page_rows(
    categories: list[str], query: SearchQuery, keys: tuple[str, str]
) -> list[tuple[Any, ...]]:
    """The first `offset + per_page` products of each category (exactly that path), in the
    sort's order, with their two sort keys: one index range read per category."""
    params: dict[str, Any] = {"wanted": query.offset + query.per_page}
    stock = ""
    if query.in_stock:
        params["in_stock"] = True
        stock = " AND d.in_stock = :in_stock"
    parts = []
    for index, path in enumerate(sorted(categories)):
        params[f"c{index}"] = path
        parts.append(
            f"SELECT * FROM (SELECT d.product_id, {keys[0]} AS k1, {keys[1]} AS k2 "
            f"FROM search_documents d WHERE d.category_path = :c{index}{stock} "
            f"ORDER BY {PAGE_ORDERS[query.sort]} LIMIT :wanted) AS p{index}"
        )
    return rows_of(db.session, " UNION ALL ".join(parts), params) if parts else []


def first_of(rows: list[tuple[Any, ...]], query: SearchQuery) -> list[tuple[int, float, float]]:
    """The page among every category's first rows: (first key, second key, id) smallest first."""
    keyed = [(k1, k2, pid) for pid, k1, k2 in rows]
    return heapq.nsmallest(query.offset + query.per_page, keyed)[query.offset :]


def in_categories(paths: list[str], params: dict[str, Any]) -> str:
    """SQL: `d` is in one of these categories (exactly those paths)."""
    if not paths:
        return "1 = 0"
    names = [f"b_category_{i}" for i in range(len(paths))]
    params.update(zip(names, sorted(paths), strict=True))
    return "d.category_path IN (" + ", ".join(f":{n}" for n in names) + ")"


def token_prefix(facet: str) -> str:
    """The start of the facet tokens (see `fields.facet_tokens`) a facet counts."""
    if facet.startswith("attr:"):
        return "a:"
    return {"vendor": "v:", "price": "p:", "rating": "r:"}[facet]


def categories_below(counts: Counter[str]) -> dict[str, int]:
    """The categories holding products in the subtree counted, from the `c:` tokens (a
    category path is made of slugs, so its token is the path itself)."""
    return {
        token.removeprefix(CATEGORY_TOKEN): n
        for token, n in counts.items()
        if token.startswith(CATEGORY_TOKEN) and n > 0
    }
