"""Answering a `SearchQuery` from the database index: match, rank, filter, count and facet.

Matching. Each group of the analysed query becomes "any of its alternatives, each with all of
its terms". The strict match asks for every group, in the names of products (category, title,
attributes, vendor) first. When the text finds fewer than `RELAX_BELOW` products, the search
relaxes one group at a time ("all but one", then "all but two"...); a group that names a
category is never dropped, so the kind of product the buyer asked for stays, and the other
words only rank it. Descriptions are searched only when names do not find enough. The level
is chosen from the text alone: filters then narrow it, so a facet's count is what a click on
it gives.

Ranking. For every group, the best of its alternatives scores by where its phrase is found:
the category's own name (strongest: the buyer named the kind of product), an attribute value,
the vendor's or a parent category's name word for word, a word of one of those, the title,
the description (weakest, and only at the levels that search it, with a little of the engine's
own text score: bm25 / ts_rank_cd). A synonym or a typo fix scores its weight's share. The sum
is multiplied by 1 + `BLEND` * the product's quality (rating and sales, `fields.quality`).
Other sorts order by their own measure and break ties by that quality.

One statement per search returns every match that passes the filters (or fails exactly one
of those a facet leaves out of its own counts), with its sort keys and its facet codes (the
numbers of its facet tokens); the page, the total and the facet counts are then made in
Python, the counts as one array operation over every match's codes, which costs far less
than a GROUP BY per facet in SQL. The cost of a search grows with its matches, so each
match is kept cheap: an attribute filter tests the row's own facet tokens for the values'
numbers (not a sub-query collecting every product with a common colour), only rows that pass
every filter are scored, and rows arrive as plain tuples from the driver.

A page without text and without facet filters (a department page) reads none of its products'
rows, and one with a single facet filter only the rows that pass it: see `browse.py`.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

from marketplace.extensions import db
from marketplace.search.analysis import Alternative, AnalysedQuery, highlight
from marketplace.search.database import browse
from marketplace.search.database.dialects import Dialect, rows_of, run
from marketplace.search.database.fields import count_codes, price_token
from marketplace.search.database.vocabulary import Labels
from marketplace.search.types import (
    PRICE_BUCKETS,
    RATING_THRESHOLDS,
    Facet,
    FacetValue,
    Hit,
    SearchQuery,
    Sort,
)

RELAX_BELOW = 50
MAX_COMBINATIONS = 20  # beyond this many ways to drop groups, drop all the droppable ones
MAX_ATTRIBUTE_FACETS = 6
MAX_FACET_VALUES = 12
SNIPPET_WORDS = 30

# Where a phrase is found, and what that is worth (see the module docstring): the category's
# name exactly or a word of it; an attribute value, the vendor's name or a parent category's
# name exactly (TAG) or a word of one (DETAILS); the title; the description.
CATEGORY_EXACT = 20.0
CATEGORY_PART = 15.0
TAG = 10.0
DETAILS = 1.0
TITLE = 1.0
DESCRIPTION = 0.5
ENGINE_RANK = 0.02
BLEND = 0.1
# The facet tokens with a space at each end, so " a:12 " finds value 12 and never 123.
PADDED_TOKENS = "(' ' || d.facet_tokens || ' ')"


# --- filters -------------------------------------------------------------------------------------


@dataclass
class Filters:
    """The query's filters as SQL on `d`. `fixed` always apply; `flags` are the ones a facet
    leaves out of its own counts (by facet name)."""

    fixed: list[str] = field(default_factory=list)
    flags: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def bits(self) -> dict[str, int]:
        """A bit per facet filter, by facet name."""
        return {name: 1 << index for index, name in enumerate(self.flags)}

    def failed_sql(self) -> str:
        """SQL: the sum of the bits of the facet filters `d` fails (0: it passes them all)."""
        if not self.flags:
            return "0"
        bits = self.bits()
        return (
            "("
            + " + ".join(
                f"(CASE WHEN {sql} THEN 0 ELSE {bits[name]} END)"
                for name, sql in self.flags.items()
            )
            + ")"
        )

    def countable_failures(self) -> list[int]:
        """Failing no facet filter, or exactly one (the row counts for that facet only)."""
        return [0, *self.bits().values()]


def compile_filters(dialect: Dialect, query: SearchQuery) -> Filters:
    filters = Filters()
    params = filters.params
    if query.category_path:
        params["f_category"] = query.category_path
        filters.fixed.append(dialect.in_subtree("d.category_path", "f_category", params))
    if query.in_stock:
        params["f_in_stock"] = True
        filters.fixed.append("d.in_stock = :f_in_stock")
    if query.vendor_slugs:
        names = [f"f_vendor_{i}" for i in range(len(query.vendor_slugs))]
        params.update(zip(names, query.vendor_slugs, strict=True))
        filters.flags["vendor"] = "d.vendor_slug IN (" + ", ".join(f":{n}" for n in names) + ")"
    price = []
    if query.price_min_minor is not None:
        params["f_price_min"] = query.price_min_minor
        price.append("d.price_minor >= :f_price_min")
    if query.price_max_minor is not None:
        params["f_price_max"] = query.price_max_minor
        price.append("d.price_minor < :f_price_max")
    if price:
        filters.flags["price"] = " AND ".join(price)
    if query.min_rating is not None:
        params["f_rating"] = query.min_rating
        filters.flags["rating"] = "d.rating_count > 0 AND d.rating_avg >= :f_rating"
    wanted = {name: values for name, values in sorted(query.attributes.items()) if values}
    value_ids = _attribute_value_ids(wanted)
    for index, name in enumerate(wanted):
        tests = []
        for i, value_id in enumerate(value_ids.get(name, ())):
            params[f"f_attr_{index}_{i}"] = f" a:{value_id} "
            tests.append(dialect.contains(PADDED_TOKENS, f"f_attr_{index}_{i}"))
        # A value no indexed product has matches nothing (but still counts for the others).
        filters.flags[f"attr:{name}"] = "(" + " OR ".join(tests) + ")" if tests else "1 = 0"
    return filters


def _attribute_value_ids(wanted: dict[str, tuple[str, ...]]) -> dict[str, list[int]]:
    """The numbers of the attribute values asked for, by attribute name (known ones only).

    An attribute filter tests the candidate's own facet tokens for these numbers: far cheaper
    than collecting every product with the value (thousands, for a common colour or style)."""
    if not wanted:
        return {}
    params: dict[str, Any] = {}
    tests = []
    for index, (name, values) in enumerate(wanted.items()):
        params[f"n{index}"] = name
        listed = []
        for i, value in enumerate(values):
            params[f"n{index}_{i}"] = value
            listed.append(f":n{index}_{i}")
        tests.append(f"(name = :n{index} AND value IN ({', '.join(listed)}))")
    rows = run(
        db.session,
        f"SELECT name, id FROM search_attribute_values WHERE {' OR '.join(tests)} ORDER BY id",
        params,
    )
    found: dict[str, list[int]] = {}
    for name, value_id in rows:
        found.setdefault(name, []).append(int(value_id))
    return found


# --- matching and ranking ------------------------------------------------------------------------


def matchable(analysed: AnalysedQuery, known: Container[str]) -> AnalysedQuery:
    """The query without the synonyms and fixes the index cannot match (a word it does not
    hold): they would only cost time. The buyer's own words always stay in the match (the
    vocabulary may be a few seconds older than the index), but with a word the index does not
    hold they are not scored (weight 0): a phrase no product has would be looked for in every
    match's text, a quarter of the work of a broad query with a typo."""
    groups = []
    for group in analysed.groups:
        kept = []
        for alternative in group.alternatives:
            if all(t in known for t in alternative.terms):
                kept.append(alternative)
            elif alternative.kind == "original":
                kept.append(replace(alternative, weight=0.0))
        groups.append(replace(group, alternatives=tuple(kept) or group.alternatives[:1]))
    return replace(analysed, groups=tuple(groups))


@dataclass(frozen=True)
class Level:
    expression: str  # the engine's query
    scope: str | None  # "names": everything but the description; None: every column


def _group_expressions(dialect: Dialect, analysed: AnalysedQuery, scope: str | None) -> list[str]:
    return [
        dialect.any_of(
            [
                dialect.all_of([dialect.term(t, scope) for t in alt.terms])
                for alt in group.alternatives
            ]
        )
        for group in analysed.groups
    ]


def _at_least(dialect: Dialect, kept: list[str], droppable: list[str], count: int) -> str:
    """Every `kept` group and at least `count` of the `droppable` ones."""
    if count == 0:
        return dialect.all_of(kept)
    if count == 1:
        return dialect.all_of([*kept, dialect.any_of(droppable)])
    chosen = [dialect.all_of(list(c)) for c in combinations(droppable, count)]
    return dialect.all_of([*kept, dialect.any_of(chosen)])


def _levels_in(dialect: Dialect, analysed: AnalysedQuery, scope: str | None) -> list[str]:
    groups = _group_expressions(dialect, analysed, scope)
    heads = [e for e, g in zip(groups, analysed.groups, strict=True) if g.category]
    others = [e for e, g in zip(groups, analysed.groups, strict=True) if not g.category]
    kept, droppable, least = (heads, others, 0) if heads and others else ([], groups, 1)
    levels = [dialect.all_of(groups)]
    for count in range(len(droppable) - 1, least - 1, -1):
        if count > 1 and len(list(combinations(droppable, count))) > MAX_COMBINATIONS:
            continue
        levels.append(_at_least(dialect, kept, droppable, count))
    return levels


def match_levels(dialect: Dialect, analysed: AnalysedQuery) -> list[Level]:
    """The engine queries to try, strictest first (see the module docstring): first in the
    names of products (category, title, attributes, vendor), then in descriptions too."""
    return [
        Level(dialect.scoped(expression, scope), scope)
        for scope in ("names", None)
        for expression in _levels_in(dialect, analysed, scope)
    ]


def _alternative_score(
    dialect: Dialect, alt: Alternative, name: str, params: dict[str, Any], descriptions: bool
) -> str:
    """What one alternative is worth to `d`. Each field is tested once for the phrase; only a
    field that holds it is tested again for the stronger, exact match (most rows hold none)."""
    phrase = " ".join(alt.terms)
    params[f"{name}_pad"] = f" {phrase} "
    params[f"{name}_tag"] = f"| {phrase} |"
    pad, tag = f"{name}_pad", f"{name}_tag"
    exact_category = dialect.flag(f"d.category_key = :{pad}", CATEGORY_EXACT)
    exact_value = dialect.flag(dialect.contains("d.tags_key", tag), TAG)
    parts = [
        dialect.when(
            dialect.contains("d.category_key", pad), f"{CATEGORY_PART!r} + {exact_category}"
        ),
        dialect.when(dialect.contains("d.tags_key", pad), f"{DETAILS!r} + {exact_value}"),
        dialect.flag(dialect.contains("d.title_key", pad), TITLE),
    ]
    if descriptions:
        parts.append(dialect.flag(dialect.contains("d.description_key", pad), DESCRIPTION))
    return f"({alt.weight!r} * (" + " + ".join(parts) + "))"


def score_sql(
    dialect: Dialect, analysed: AnalysedQuery, params: dict[str, Any], descriptions: bool
) -> str:
    """The relevance of `d` to the analysed query (see the module docstring). Descriptions
    (and the engine's own score) count only at levels that search them."""
    group_scores = []
    for g, group in enumerate(analysed.groups):
        alternatives = [
            _alternative_score(dialect, alt, f"s{g}_{a}", params, descriptions)
            for a, alt in enumerate(group.alternatives)
            if alt.weight > 0
        ]
        group_scores.append(dialect.greatest(alternatives) if alternatives else "0")
    text_score = " + ".join(group_scores)
    if descriptions:
        text_score += f" + {ENGINE_RANK!r} * {dialect.rank()}"
    return f"(({text_score}) * (1 + {BLEND!r} * d.quality))"


# --- one statement: every match, then page, total and facets in Python ------------------------

_PRICE_TOKENS = tuple(price_token(b.min_minor or 0) for b in PRICE_BUCKETS)


def _sort_keys(dialect: Dialect, query: SearchQuery, score: str) -> tuple[str, str]:
    """Two SQL numbers to sort on, smallest first (then by product id)."""
    if query.sort == Sort.RELEVANCE:
        return f"-{score}", "0"
    first = {
        Sort.PRICE_ASC: "d.price_minor",
        Sort.PRICE_DESC: "-d.price_minor",
        Sort.NEWEST: "-d.created_epoch",
        Sort.RATING: "-d.rating_score",
        Sort.BEST_SELLING: "-d.sales_count",
    }[query.sort]
    return first, "-d.quality"


def statement(
    dialect: Dialect,
    analysed: AnalysedQuery,
    level: Level | None,
    filters: Filters,
    query: SearchQuery,
) -> tuple[str, dict[str, Any]]:
    """The matches at one level (None: no text, every document) with their sort keys, the
    filters each fails (a bit per facet filter) and, with facets, their facet tokens."""
    params: dict[str, Any] = dict(filters.params)
    source, score = "search_documents d WHERE 1 = 1", "d.quality"
    scored = level is not None and query.sort == Sort.RELEVANCE
    if level is not None:
        params["fts_query"] = level.expression
        source = dialect.matched_from(level.scope)
        if scored:
            score = score_sql(dialect, analysed, params, descriptions=level.scope is None)
    first, second = _sort_keys(dialect, query, score)
    failed = filters.failed_sql()
    if filters.flags and scored:
        # A row failing a facet filter only counts for that facet: never score it (after a
        # click on a facet most matches are such rows, and scoring is most of the work).
        first = dialect.when(f"{failed} = 0", first)
    columns = f"d.product_id, {first} AS k1, {second} AS k2, {failed} AS failed"
    if query.with_facets:
        columns += ", d.facet_codes"
    fixed = "".join(f" AND {sql}" for sql in filters.fixed)
    if filters.flags:
        # Rows failing two facet filters or more count nowhere: leave them in the database.
        fixed += f" AND {failed} IN ({', '.join(map(str, filters.countable_failures()))})"
    return f"SELECT {columns} FROM {source}{fixed}", params


@dataclass
class Answer:
    total: int = 0
    hits: list[tuple[int, float]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # tokens of the rows every filter keeps
    counts_without: dict[str, Counter[str]] = field(default_factory=dict)  # by facet filter

    def count(self, token: str, facet: str) -> int:
        """How many products `token` has with every filter but the facet's own applied."""
        extra = self.counts_without.get(facet)
        return self.counts[token] + (extra[token] if extra is not None else 0)


def _count_tokens(packed: Iterable[bytes], labels: Labels) -> Counter[str]:
    """How many of the rows (their `facet_codes`) count for each facet token."""
    counts = count_codes(packed)
    tokens = labels.facet_tokens(counts)
    return Counter({tokens[code]: n for code, n in counts.items() if code in tokens})


def answer(
    dialect: Dialect,
    analysed: AnalysedQuery,
    level: Level | None,
    filters: Filters,
    query: SearchQuery,
    labels: Labels,
) -> Answer:
    """Run the search at one match level: the page of hits, the total and the facet counts."""
    sql, params = statement(dialect, analysed, level, filters, query)
    rows = rows_of(db.session, sql, params)
    # (first key, second key, id): sorting these tuples gives the page order.
    kept = [(row[1], row[2], row[0]) for row in rows if not row[3]]
    found = Answer(total=len(kept))
    page = heapq.nsmallest(query.offset + query.per_page, kept)[query.offset :]
    relevance = query.sort == Sort.RELEVANCE
    found.hits = [
        (int(pid), float(-first if relevance else -second)) for first, second, pid in page
    ]
    if query.with_facets:
        found.counts = _count_tokens((row[4] for row in rows if not row[3]), labels)
        failing: dict[int, list[bytes]] = {}
        for row in rows:
            if row[3]:
                failing.setdefault(row[3], []).append(row[4])
        for facet, bit in filters.bits().items():
            found.counts_without[facet] = _count_tokens(failing.get(bit, ()), labels)
    return found


def browse_answer(dialect: Dialect, query: SearchQuery) -> Answer:
    """A page without text or facet filters, from the kept facet counts and the page indexes
    (see `browse.py`): the same answer as `answer` gives, without reading the category."""
    counts = browse.facet_counts(query.category_path or "", query.in_stock)
    below = browse.categories_below(counts)
    keys = _sort_keys(dialect, query, "d.quality")
    page = browse.first_of(browse.page_rows(list(below), query, keys), query)
    relevance = query.sort == Sort.RELEVANCE
    hits = [(int(pid), float(-first if relevance else -second)) for first, second, pid in page]
    return Answer(total=sum(below.values()), hits=hits, counts=counts)


def browse_filtered_answer(
    dialect: Dialect, analysed: AnalysedQuery, filters: Filters, query: SearchQuery, labels: Labels
) -> Answer:
    """A page without text and with one facet filter (a click on a department page).

    The general path reads every product of the category: those that fail the filter still
    count for the filter's own facet. Here only the products that pass it are read; the
    filter's facet is counted from the kept counts of the whole category instead. The
    category is asked for as its paths that hold products (from those counts), which any
    index on the path answers (PostgreSQL's `LIKE` needs the "C" collation for that)."""
    ((facet, condition),) = filters.flags.items()
    kept = browse.facet_counts(query.category_path or "", query.in_stock)
    params = dict(filters.params)
    fixed = [condition]
    if query.category_path:
        fixed.append(browse.in_categories(list(browse.categories_below(kept)), params))
    if query.in_stock:
        fixed.append("d.in_stock = :f_in_stock")  # as `compile_filters` binds it
    found = answer(dialect, analysed, None, Filters(fixed=fixed, params=params), query, labels)
    prefix = browse.token_prefix(facet)
    found.counts_without[facet] = Counter(
        {token: n - found.counts[token] for token, n in kept.items() if token.startswith(prefix)}
    )
    return found


def _finds_enough(dialect: Dialect, level: Level) -> bool:
    """Whether the text alone (no filter) matches `RELAX_BELOW` documents at this level."""
    matches = dialect.matches_only(level.scope)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {matches} LIMIT :enough) m"
    params = {"fts_query": level.expression, "enough": RELAX_BELOW}
    return int(run(db.session, sql, params).scalar_one()) >= RELAX_BELOW


def choose_level(levels: Sequence[Level], dialect: Dialect) -> Level:
    return next((lv for lv in levels[:-1] if _finds_enough(dialect, lv)), levels[-1])


def search_answer(
    dialect: Dialect, analysed: AnalysedQuery, filters: Filters, query: SearchQuery, labels: Labels
) -> Answer:
    """The answer at the strictest level whose text finds enough products (or the loosest)."""
    if analysed.is_empty:
        if not filters.flags:
            return browse_answer(dialect, query)
        if len(filters.flags) == 1 and query.with_facets:
            return browse_filtered_answer(dialect, analysed, filters, query, labels)
        return answer(dialect, analysed, None, filters, query, labels)
    levels = match_levels(dialect, analysed)
    if not filters.fixed and not filters.flags:
        # Without filters the strict level's answer counts its own text matches: when they
        # are enough (a broad query), asking the count first would only read them twice.
        found = answer(dialect, analysed, levels[0], filters, query, labels)
        if found.total >= RELAX_BELOW:
            return found
        levels = levels[1:]
    return answer(dialect, analysed, choose_level(levels, dialect), filters, query, labels)


# --- hits and facets from the answer --------------------------------------------------------------


def highlighted_hits(
    page: Sequence[tuple[int, float]], analysed: AnalysedQuery, with_highlights: bool
) -> tuple[Hit, ...]:
    wanted = analysed.all_terms
    if not page or not with_highlights or not wanted:
        return tuple(Hit(product_id, score) for product_id, score in page)
    params = {f"h{i}": product_id for i, (product_id, _) in enumerate(page)}
    listed = ", ".join(f":{name}" for name in params)
    rows = run(
        db.session,
        "SELECT product_id, title, description FROM search_documents "
        f"WHERE product_id IN ({listed})",
        params,
    )
    texts = {int(r[0]): (r[1], r[2]) for r in rows}
    hits = []
    for product_id, score in page:
        title, description = texts.get(product_id, ("", ""))
        marks = {
            "title": highlight(title or "", wanted),
            "description": highlight(description or "", wanted, max_words=SNIPPET_WORDS),
        }
        hits.append(Hit(product_id, score, {k: v for k, v in marks.items() if v}))
    return tuple(hits)


def _tokens(found: Answer, prefix: str) -> dict[str, int]:
    """Values of one kind of token (with every filter applied), e.g. vendor slugs."""
    tokens = set(found.counts)
    for extra in found.counts_without.values():
        tokens.update(extra)
    return {t[len(prefix) :]: 0 for t in tokens if t.startswith(prefix)}


def category_facet(found: Answer, query: SearchQuery, labels: Labels) -> Facet:
    """Children of the category filter (or the top-level categories), each with its count."""
    current = query.category_path
    depth = current.count("/") + 1 if current else 0
    paths = {t[2:]: n for t, n in found.counts.items() if t.startswith("c:")}
    names = labels.category_names(paths)
    counts: Counter[str] = Counter()
    child_names: dict[str, str] = {}
    for path, n in paths.items():
        slugs = path.split("/")
        if len(slugs) <= depth:
            continue
        child = "/".join(slugs[: depth + 1])
        counts[child] += n
        named = names.get(path, ())
        child_names.setdefault(child, named[depth] if depth < len(named) else slugs[depth])
    values = tuple(
        FacetValue(path, child_names[path], n)
        for path, n in sorted(counts.items(), key=lambda item: (-item[1], child_names[item[0]]))
    )
    if not values and current and paths:
        named = names.get(next(iter(paths)), ())
        label = named[-1] if named else current
        values = (FacetValue(current, label, sum(paths.values()), selected=True),)
    return Facet("category", "Category", values)


def vendor_facet(found: Answer, query: SearchQuery, labels: Labels) -> Facet:
    chosen = set(query.vendor_slugs)
    counts = {slug: found.count(f"v:{slug}", "vendor") for slug in _tokens(found, "v:")}
    ordered = sorted(
        ((slug, n) for slug, n in counts.items() if n or slug in chosen),
        key=lambda item: (-item[1], item[0]),
    )
    kept = [v for i, v in enumerate(ordered) if i < MAX_FACET_VALUES or v[0] in chosen]
    names = labels.vendor_names(slug for slug, _ in kept)
    values = tuple(FacetValue(s, names.get(s, s), n, s in chosen) for s, n in kept)
    return Facet("vendor", "Vendor", values)


def price_facet(found: Answer, query: SearchQuery) -> Facet:
    chosen = (query.price_min_minor, query.price_max_minor)
    values = tuple(
        FacetValue(
            bucket.key,
            bucket.label,
            found.count(token, "price"),
            chosen == (bucket.min_minor, bucket.max_minor),
        )
        for bucket, token in zip(PRICE_BUCKETS, _PRICE_TOKENS, strict=True)
    )
    return Facet("price", "Price", values)


def rating_facet(found: Answer, query: SearchQuery) -> Facet:
    stars = {s: found.count(f"r:{s}", "rating") for s in range(6)}
    values = tuple(
        FacetValue(
            str(t),
            f"{t} star{'s' if t != 1 else ''} & up",
            sum(n for s, n in stars.items() if s >= t),
            query.min_rating == t,
        )
        for t in RATING_THRESHOLDS
    )
    return Facet("rating", "Rating", values)


def attribute_facets(found: Answer, query: SearchQuery, labels: Labels) -> list[Facet]:
    """The attributes found in the hits (most common first), each with its values' counts."""
    filtered = [name for name, values in query.attributes.items() if values]
    values_of = labels.attribute_values([int(i) for i in _tokens(found, "a:")])
    per_name: dict[str, list[tuple[str, int]]] = {}
    for value_id, (name, value) in values_of.items():
        n = found.count(f"a:{value_id}", f"attr:{name}")
        if n or value in query.attributes.get(name, ()):
            per_name.setdefault(name, []).append((value, n))
    coverage = {name: sum(n for _, n in values) for name, values in per_name.items()}
    ranked = sorted(per_name, key=lambda name: (name not in filtered, -coverage[name], name))
    facets = []
    for name in ranked[: max(MAX_ATTRIBUTE_FACETS, len(filtered))]:
        chosen = set(query.attributes.get(name, ()))
        ordered = sorted(per_name[name], key=lambda item: (-item[1], item[0]))
        kept = [v for i, v in enumerate(ordered) if i < MAX_FACET_VALUES or v[0] in chosen]
        values = tuple(FacetValue(v, v, n, v in chosen) for v, n in kept)
        facets.append(Facet(f"attr:{name}", name.replace("_", " ").capitalize(), values))
    return facets


def all_facets(found: Answer, query: SearchQuery, labels: Labels) -> tuple[Facet, ...]:
    return (
        category_facet(found, query, labels),
        vendor_facet(found, query, labels),
        price_facet(found, query),
        rating_facet(found, query),
        *attribute_facets(found, query, labels),
    )
