"""Filters and facets as Elasticsearch sees them.

The buyer's filters are keyed by the facet that offers them ("category", "vendor", "price",
"rating", "attr:<name>"; "in_stock" has no facet). In a search they go in `post_filter`, and
each facet is a `filter` aggregation with every *other* filter applied, so a facet shows how many
hits each of its choices would give: the database backend's semantics.
"""

from __future__ import annotations

import re
from typing import Any

from marketplace.search.elastic.mapping import PAIR_SEPARATOR, labelled
from marketplace.search.types import PRICE_BUCKETS, RATING_THRESHOLDS, SearchQuery

ATTRIBUTE_FACETS = 6
FACET_VALUES_FETCHED = 50  # values asked per attribute; results.py keeps the top 12 + chosen
ATTRIBUTE_PAIRS_FETCHED = 1000  # name/value pairs of the hits, most common first
TERMS_FACET_SIZE = 100
ATTRIBUTE_PREFIX = "attr:"


# --- filters ---------------------------------------------------------------------------------


def attribute_filter(name: str, values: tuple[str, ...]) -> dict[str, Any]:
    return {"terms": {"attribute_pairs": [labelled(name, value) for value in values]}}


def filters(query: SearchQuery) -> dict[str, dict[str, Any]]:
    """Facet name (or "in_stock") -> the filter it applies; only the ones the buyer chose."""
    chosen: dict[str, dict[str, Any]] = {}
    if query.category_path:
        chosen["category"] = {"term": {"category_ancestors": query.category_path}}
    if query.vendor_slugs:
        chosen["vendor"] = {"terms": {"vendor_slug": list(query.vendor_slugs)}}
    if query.price_min_minor is not None or query.price_max_minor is not None:
        bounds: dict[str, int] = {}
        if query.price_min_minor is not None:
            bounds["gte"] = query.price_min_minor
        if query.price_max_minor is not None:
            bounds["lt"] = query.price_max_minor
        chosen["price"] = {"range": {"price_minor": bounds}}
    if query.min_rating is not None:
        chosen["rating"] = rating_filter(query.min_rating)
    if query.in_stock:
        chosen["in_stock"] = {"term": {"in_stock": True}}
    for name, values in sorted(query.attributes.items()):
        if values:
            chosen[f"{ATTRIBUTE_PREFIX}{name}"] = attribute_filter(name, tuple(values))
    return chosen


def rating_filter(threshold: int) -> dict[str, Any]:
    """Average rating at least `threshold`, among products that have reviews."""
    return {
        "bool": {
            "filter": [
                {"range": {"rating_avg": {"gte": threshold}}},
                {"range": {"rating_count": {"gte": 1}}},
            ]
        }
    }


def all_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def others(chosen: dict[str, dict[str, Any]], facet: str) -> dict[str, Any]:
    """Every chosen filter but the facet's own."""
    return all_of([clause for name, clause in chosen.items() if name != facet])


# --- facets ----------------------------------------------------------------------------------


def lucene_regex_escape(text: str) -> str:
    """Escape the regex operators for a terms aggregation's `include` pattern."""
    return re.sub(r"""([.?+*|{}\[\]()"\\#@&<>~^$/-])""", r"\\\1", text)


def category_facet(query: SearchQuery, chosen: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Children of the chosen category (or the top-level ones) from the "path␟name" labels;
    `here` counts the chosen category itself, for when it has no children."""
    child = f"[^/{PAIR_SEPARATOR}]+{PAIR_SEPARATOR}.*"
    aggs: dict[str, Any] = {
        "f": {"terms": {"field": "category_labels", "include": child, "size": TERMS_FACET_SIZE}}
    }
    if query.category_path:
        path = lucene_regex_escape(query.category_path)
        aggs["f"]["terms"]["include"] = f"{path}/{child}"
        aggs["here"] = {
            "filter": chosen["category"],
            "aggs": {
                "label": {
                    "terms": {
                        "field": "category_labels",
                        "include": f"{path}{PAIR_SEPARATOR}.*",
                        "size": 1,
                    }
                }
            },
        }
    return {"filter": others(chosen, "category"), "aggs": aggs}


def facet_aggregations(query: SearchQuery, chosen: dict[str, dict[str, Any]]) -> dict[str, Any]:
    price_ranges = [
        {
            "key": bucket.key,
            **({"from": bucket.min_minor} if bucket.min_minor is not None else {}),
            **({"to": bucket.max_minor} if bucket.max_minor is not None else {}),
        }
        for bucket in PRICE_BUCKETS
    ]
    aggs: dict[str, Any] = {
        "category": category_facet(query, chosen),
        "vendor": {
            "filter": others(chosen, "vendor"),
            "aggs": {
                "f": {"terms": {"field": "vendor_label", "size": TERMS_FACET_SIZE}},
            },
        },
        "price": {
            "filter": others(chosen, "price"),
            "aggs": {"f": {"range": {"field": "price_minor", "ranges": price_ranges}}},
        },
        # "N stars & up" among reviewed products: overlapping ranges, counted in one pass.
        "rating": {
            "filter": all_of(
                [clause for name, clause in chosen.items() if name != "rating"]
                + [{"range": {"rating_count": {"gte": 1}}}]
            ),
            "aggs": {
                "f": {
                    "range": {
                        "field": "rating_avg",
                        "ranges": [{"key": str(t), "from": t} for t in RATING_THRESHOLDS],
                    }
                }
            },
        },
        # Attribute names in the hits (every filter applied), and their values as pairs.
        "attributes": {
            "filter": all_of(list(chosen.values())),
            "aggs": {
                "names": {
                    "terms": {
                        "field": "attribute_names",
                        "size": ATTRIBUTE_FACETS + len(query.attributes),
                    }
                },
                "pairs": {"terms": {"field": "attribute_pairs", "size": ATTRIBUTE_PAIRS_FETCHED}},
            },
        },
    }
    for name in sorted(query.attributes):
        facet = f"{ATTRIBUTE_PREFIX}{name}"
        prefix = lucene_regex_escape(labelled(name, ""))
        aggs[facet] = {
            "filter": others(chosen, facet),
            "aggs": {
                "pairs": {
                    "terms": {
                        "field": "attribute_pairs",
                        "include": f"{prefix}.*",
                        "size": FACET_VALUES_FETCHED,
                    }
                }
            },
        }
    return aggs
