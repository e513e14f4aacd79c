"""From an Elasticsearch answer to `SearchResults`: hits, highlights, facets, suggestions."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from marketplace.search.elastic.facets import ATTRIBUTE_FACETS, ATTRIBUTE_PREFIX
from marketplace.search.elastic.mapping import PAIR_SEPARATOR
from marketplace.search.elastic.query import (
    DID_YOU_MEAN_BELOW,
    HIGHLIGHT_POST,
    HIGHLIGHT_PRE,
    SearchPlan,
)
from marketplace.search.types import (
    PRICE_BUCKETS,
    RATING_THRESHOLDS,
    Facet,
    FacetValue,
    Hit,
    SearchQuery,
    SearchResults,
)

MAX_FACET_VALUES = 12  # values shown per facet (chosen ones are always kept)


def marked(fragment: str) -> str:
    """Escape a highlighted fragment, then turn our markers into <mark> tags: the snippet's
    only markup is ours, whatever the product text holds."""
    return escape(fragment).replace(HIGHLIGHT_PRE, "<mark>").replace(HIGHLIGHT_POST, "</mark>")


def read_hit(raw: Mapping[str, Any]) -> Hit:
    highlights = {
        name: marked(" … ".join(fragments))
        for name, fragments in (raw.get("highlight") or {}).items()
        if fragments
    }
    return Hit(
        product_id=int(raw["_id"]), score=float(raw.get("_score") or 0.0), highlights=highlights
    )


def _buckets(aggregations: Mapping[str, Any], facet: str) -> list[Mapping[str, Any]]:
    """A facet's buckets as a list, each with its `key` (keyed answers are turned into one)."""
    buckets = aggregations.get(facet, {}).get("f", {}).get("buckets", [])
    if isinstance(buckets, Mapping):
        return [{"key": key, **bucket} for key, bucket in buckets.items()]
    return list(buckets)


def _labelled(bucket: Mapping[str, Any]) -> tuple[str, str]:
    """("home/kitchen", "Kitchen") from a "home/kitchen␟Kitchen" bucket."""
    value, _, label = str(bucket["key"]).partition(PAIR_SEPARATOR)
    return value, label or value


def category_facet(aggregations: Mapping[str, Any], query: SearchQuery) -> Facet:
    """Children of the category filter (or the top-level categories), most products first; at
    a leaf, the chosen category itself, selected."""
    values = [
        FacetValue(*_labelled(bucket), int(bucket["doc_count"]))
        for bucket in _buckets(aggregations, "category")
    ]
    values.sort(key=lambda v: (-v.count, v.label))
    here = aggregations.get("category", {}).get("here", {})
    if not values and query.category_path and here.get("doc_count"):
        labels = here.get("label", {}).get("buckets", [])
        label = _labelled(labels[0])[1] if labels else query.category_path.rsplit("/", 1)[-1]
        values = [FacetValue(query.category_path, label, int(here["doc_count"]), selected=True)]
    return Facet("category", "Category", tuple(values))


def _top(values: list[FacetValue]) -> tuple[FacetValue, ...]:
    """The most common values, and every chosen one."""
    values.sort(key=lambda v: (-v.count, v.label))
    return tuple(v for i, v in enumerate(values) if i < MAX_FACET_VALUES or v.selected)


def vendor_facet(aggregations: Mapping[str, Any], query: SearchQuery) -> Facet:
    values = []
    for bucket in _buckets(aggregations, "vendor"):
        slug, name = _labelled(bucket)
        values.append(FacetValue(slug, name, int(bucket["doc_count"]), slug in query.vendor_slugs))
    return Facet("vendor", "Vendor", _top(values))


def price_facet(aggregations: Mapping[str, Any], query: SearchQuery) -> Facet:
    counts = {str(b["key"]): int(b["doc_count"]) for b in _buckets(aggregations, "price")}
    chosen = (query.price_min_minor, query.price_max_minor)
    values = tuple(
        FacetValue(b.key, b.label, counts.get(b.key, 0), chosen == (b.min_minor, b.max_minor))
        for b in PRICE_BUCKETS
    )
    return Facet("price", "Price", values)


def rating_facet(aggregations: Mapping[str, Any], query: SearchQuery) -> Facet:
    counts = {str(b["key"]): int(b["doc_count"]) for b in _buckets(aggregations, "rating")}
    values = tuple(
        FacetValue(
            str(t),
            f"{t} star{'s' if t != 1 else ''} & up",
            counts.get(str(t), 0),
            query.min_rating == t,
        )
        for t in RATING_THRESHOLDS
    )
    return Facet("rating", "Rating", values)


def attribute_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _pairs(buckets: list[Mapping[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    """name -> [(value, count)] from "name␟value" buckets."""
    values: dict[str, list[tuple[str, int]]] = {}
    for bucket in buckets:
        name, _, value = str(bucket["key"]).partition(PAIR_SEPARATOR)
        values.setdefault(name, []).append((value, int(bucket["doc_count"])))
    return values


def attribute_facets(aggregations: Mapping[str, Any], query: SearchQuery) -> list[Facet]:
    """The attributes the buyer filters on (each counted without its own filter), then the
    most common other attributes of the hits, up to ATTRIBUTE_FACETS in all."""
    filtered = sorted(name for name, values in query.attributes.items() if values)
    found = aggregations.get("attributes", {})
    common = [str(b["key"]) for b in found.get("names", {}).get("buckets", [])]
    per_name = _pairs(found.get("pairs", {}).get("buckets", []))
    for name in filtered:
        own = aggregations.get(f"{ATTRIBUTE_PREFIX}{name}", {}).get("pairs", {})
        per_name[name] = _pairs(own.get("buckets", [])).get(name, [])
    ranked = filtered + [name for name in common if name not in filtered]
    facets = []
    for name in ranked[: max(ATTRIBUTE_FACETS, len(filtered))]:
        chosen = set(query.attributes.get(name, ()))
        values = [FacetValue(v, v, n, v in chosen) for v, n in per_name.get(name, [])]
        if values:
            facets.append(Facet(f"{ATTRIBUTE_PREFIX}{name}", attribute_label(name), _top(values)))
    return facets


def read_facets(aggregations: Mapping[str, Any], query: SearchQuery) -> tuple[Facet, ...]:
    return (
        category_facet(aggregations, query),
        vendor_facet(aggregations, query),
        price_facet(aggregations, query),
        rating_facet(aggregations, query),
        *attribute_facets(aggregations, query),
    )


def did_you_mean(response: Mapping[str, Any], text: str) -> tuple[str, ...]:
    """The text with each word the index does not know replaced by its best suggestion."""
    entries = response.get("suggest", {}).get("spelling", [])
    corrected = text
    for entry in sorted(entries, key=lambda e: -int(e.get("offset", 0))):
        options = entry.get("options") or []
        if not options:
            continue
        start, length = int(entry["offset"]), int(entry["length"])
        corrected = corrected[:start] + str(options[0]["text"]) + corrected[start + length :]
    return (corrected,) if corrected.lower() != text.lower() else ()


def suggestions(response: Mapping[str, Any], plan: SearchPlan, total: int) -> tuple[str, ...]:
    """The shared analysis's correction (as the database backend offers it), else, when few
    products were found, the spelling suggester's rewrite."""
    if plan.analysed.corrected:
        return (plan.analysed.corrected,)
    return did_you_mean(response, plan.analysed.text) if total < DID_YOU_MEAN_BELOW else ()


def read_search(
    response: Mapping[str, Any], query: SearchQuery, plan: SearchPlan, backend: str
) -> SearchResults:
    hits = response.get("hits", {})
    total = int(hits.get("total", {}).get("value", 0))
    aggregations = response.get("aggregations", {})
    return SearchResults(
        hits=tuple(read_hit(raw) for raw in hits.get("hits", [])),
        total=total,
        facets=read_facets(aggregations, query) if plan.facets else (),
        suggestions=suggestions(response, plan, total),
        backend=backend,
    )


def read_suggest(response: Mapping[str, Any], limit: int) -> list[str]:
    """Completions first (they start with what was typed), then titles with a matching word."""
    found: list[str] = []
    seen: set[str] = set()
    options = [
        str(option.get("text", ""))
        for entry in response.get("suggest", {}).get("complete", [])
        for option in entry.get("options", [])
    ]
    titles = [
        str(hit.get("_source", {}).get("title", ""))
        for hit in response.get("hits", {}).get("hits", [])
    ]
    for text in options + titles:
        key = text.casefold()
        if text and key not in seen:
            seen.add(key)
            found.append(text)
    return found[:limit]
