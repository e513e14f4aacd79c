"""From a `SearchQuery` to an Elasticsearch request body.

- Text: the shared analysis (`marketplace.search.analysis`) splits the text into parts, each
  with its alternatives (the words typed, their typo fix, synonyms from the admin's list); a
  part matches when any alternative does, and a product matching more parts ranks higher.
- Ranking: `function_score` multiplies the text score by a blend of the Bayesian rating and
  sales (field_value_factor; no scripts), so a best seller with good reviews wins a tie.
- Filters and facets: see `facets.py`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from marketplace.search.analysis import Alternative, AnalysedQuery, TermGroup
from marketplace.search.elastic.facets import all_of, facet_aggregations, filters
from marketplace.search.types import SearchQuery, Sort

FUZZY_MIN_LENGTH = 4  # shorter words are matched exactly: "bag" must not find "bar"
FUZZY_EXPANSIONS = 30
FUZZY_WEIGHT = 0.7  # an unknown word matched within an edit or two: below a known typo fix
MATCH_SCORE = 20.0  # for matching a part of the text at all: coordination above text scores
DESCRIPTION_MATCH = 5.0  # ... when only the description has it
TITLE_SCORE = 0.3  # times the title's BM25 score
EXACT_ATTRIBUTE = 4.0  # the part is exactly one of the product's attribute values
EXACT_CATEGORY = 4.0  # ... or exactly the name of its category (or of a parent)
EXACT_NAME = 10.0  # the whole text is the product's title or its shop's name
PHRASE_BOOST = 2.0  # the whole text as a phrase in the title
# Relevance = text score x (1 + rating part + sales part).
RATING_WEIGHT = 0.3  # times rating_score / 5 (the Bayesian average, 1..5)
SALES_WEIGHT = 0.03  # times log10(1 + units sold)
RATING_PRIOR = 3.8  # for documents indexed before rating_score existed

RELAX_BELOW = 50  # products: with fewer, the next match level is tried (see match_levels)
DID_YOU_MEAN_BELOW = 5  # hits: with fewer, a spelling suggestion is offered
HIGHLIGHT_PRE = "\ue000"  # private-use characters: unambiguous markers, escaped to <mark> later
HIGHLIGHT_POST = "\ue001"
DESCRIPTION_FRAGMENT = 160


@dataclass
class SearchPlan:
    """The request body, and what `results.py` needs to read the answer."""

    body: dict[str, Any]
    analysed: AnalysedQuery
    facets: bool = True


# --- text ------------------------------------------------------------------------------------


def _match(field: str, alternative: Alternative, fuzzy: bool = False) -> dict[str, Any]:
    """Every word of the alternative in `field` (within an edit or two when `fuzzy`)."""
    params: dict[str, Any] = {"query": alternative.phrase, "operator": "and"}
    if fuzzy:
        params.update(fuzziness="AUTO", prefix_length=1, max_expansions=FUZZY_EXPANSIONS)
    return {"match": {field: params}}


def _constant(query: dict[str, Any], score: float) -> dict[str, Any]:
    return {"constant_score": {"filter": query, "boost": round(score, 4)}}


def alternative_query(alternative: Alternative, weight: float, fuzzy: bool) -> dict[str, Any]:
    """A product's score for one alternative of a part of the text.

    - A fixed amount for matching it at all, so that a product matching every part of the text
      outranks one matching fewer, however often the words repeat: MATCH_SCORE when the words
      are in the product's own text (title, category, attributes, shop), DESCRIPTION_MATCH
      when only its description has them (descriptions mention other products).
    - A bonus when the alternative is exactly one of the product's attribute values or
      category names ("green", not "sage green"; "table lamp", not "lamp table runner").
    - The title's text score, a little, to order products that match alike.
    """
    matched = {
        "dis_max": {
            "queries": [
                _constant(_match("product_text", alternative, fuzzy), MATCH_SCORE * weight),
                _constant(_match("description", alternative, fuzzy), DESCRIPTION_MATCH * weight),
            ]
        }
    }
    title = _match("title", alternative, fuzzy)
    title["match"]["title"]["boost"] = round(TITLE_SCORE * weight, 4)
    should = [matched, title]
    if not fuzzy:
        key = alternative.key
        should += [
            _constant({"term": {"attribute_keys": key}}, EXACT_ATTRIBUTE * weight),
            _constant({"term": {"vocabulary_categories": key}}, EXACT_CATEGORY * weight),
        ]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _is_unknown_word(alternative: Alternative, known: Collection[str]) -> bool:
    """The buyer's own word, long enough for a typo, and not a word of the catalogue."""
    return (
        alternative.kind == "original"
        and len(alternative.terms) == 1
        and len(alternative.phrase) >= FUZZY_MIN_LENGTH
        and alternative.terms[0] not in known
    )


def group_query(group: TermGroup, known: Collection[str]) -> dict[str, Any]:
    """A part of the text: any of its alternatives (as typed, the typo fix, synonyms) will do,
    and the best one counts. A word the catalogue does not know also matches within a small
    edit distance (fuzziness AUTO, first letter fixed), for less than a known fix."""
    options = [alternative_query(a, a.weight, fuzzy=False) for a in group.alternatives]
    options += [
        alternative_query(a, a.weight * FUZZY_WEIGHT, fuzzy=True)
        for a in group.alternatives
        if _is_unknown_word(a, known)
    ]
    return options[0] if len(options) == 1 else {"dis_max": {"queries": options}}


@dataclass(frozen=True)
class MatchLevel:
    """How much of the text a product must match: `required` groups always, and at least
    `at_least` of the others (the rest only rank)."""

    required: tuple[int, ...]
    at_least: int


def match_levels(analysed: AnalysedQuery) -> list[MatchLevel]:
    """Strict first: every part of the text. When that finds fewer than RELAX_BELOW products,
    relax as the database backend does: when a part names a category, products of that kind
    with the other words only ranking them; otherwise all parts but one, then any part."""
    count = len(analysed.groups)
    levels = [MatchLevel(required=tuple(range(count)), at_least=0)]
    kinds = tuple(i for i, group in enumerate(analysed.groups) if group.category)
    if kinds and len(kinds) < count:
        levels.append(MatchLevel(required=kinds, at_least=0))
    elif not kinds:
        levels += [MatchLevel((), n) for n in (count - 1, 1) if 0 < n < count]
    unique: list[MatchLevel] = []
    for level in levels:
        if level not in unique:
            unique.append(level)
    return unique


def text_query(
    analysed: AnalysedQuery, known: Collection[str], level: MatchLevel
) -> dict[str, Any]:
    """The groups at one match level, plus a bonus for the whole text as a title phrase."""
    groups = [group_query(group, known) for group in analysed.groups]
    matched: dict[str, Any] = {
        "must": [groups[i] for i in level.required],
        "should": [q for i, q in enumerate(groups) if i not in level.required],
    }
    if level.at_least:
        matched["minimum_should_match"] = level.at_least
    if len(groups) == 1:
        return {"bool": {"must": [{"bool": matched}], "should": [exact_name(analysed)]}}
    phrase = " ".join(g.alternatives[0].phrase for g in analysed.groups if g.alternatives)
    in_title = {"match_phrase": {"title": {"query": phrase, "slop": 2, "boost": PHRASE_BOOST}}}
    return {"bool": {"must": [{"bool": matched}], "should": [in_title, exact_name(analysed)]}}


def exact_name(analysed: AnalysedQuery) -> dict[str, Any]:
    """The text is a product's or a shop's whole name, as typed (case and accents aside)."""
    names = [
        {"match": {"title.keyword": analysed.text}},
        {"match": {"vendor_name.keyword": analysed.text}},
    ]
    return _constant({"bool": {"should": names}}, EXACT_NAME)


def ranking(query: dict[str, Any]) -> dict[str, Any]:
    """Blend: text score x (1 + RATING_WEIGHT * rating/5 + SALES_WEIGHT * log10(1 + sales))."""
    return {
        "function_score": {
            "query": query,
            "functions": [
                {"weight": 1},
                {
                    "field_value_factor": {
                        "field": "rating_score",
                        "factor": 1 / 5,
                        "missing": RATING_PRIOR,
                    },
                    "weight": RATING_WEIGHT,
                },
                {
                    "field_value_factor": {
                        "field": "sales_count",
                        "modifier": "log1p",
                        "missing": 0,
                    },
                    "weight": SALES_WEIGHT,
                },
            ],
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }


# --- the request -----------------------------------------------------------------------------

SORTS: dict[Sort, list[dict[str, Any]]] = {
    Sort.RELEVANCE: [],  # the tie-break below: score, then id
    Sort.PRICE_ASC: [{"price_minor": "asc"}],
    Sort.PRICE_DESC: [{"price_minor": "desc"}],
    Sort.NEWEST: [{"created_at": "desc"}],
    Sort.RATING: [{"rating_score": "desc"}],
    Sort.BEST_SELLING: [{"sales_count": "desc"}],
}
# Ties go to the better rated and selling (the blend alone, see build_search), then the older id.
TIE_BREAK = [{"_score": "desc"}, {"product_id": "asc"}]


def highlight() -> dict[str, Any]:
    """Title and a description snippet, marking every word the query matched wherever it
    matched it (`require_field_match` off: the text is matched in a combined field)."""
    return {
        "require_field_match": False,
        "pre_tags": [HIGHLIGHT_PRE],
        "post_tags": [HIGHLIGHT_POST],
        "fields": {
            "title": {"number_of_fragments": 0},
            "description": {"fragment_size": DESCRIPTION_FRAGMENT, "number_of_fragments": 1},
        },
    }


def build_search(
    query: SearchQuery,
    analysed: AnalysedQuery,
    known: Collection[str] = frozenset(),
    level: MatchLevel | None = None,
) -> SearchPlan:
    """The request body for one results page (and how to read its answer) at one match level
    (strict when None); `known` holds the catalogue's terms, which need no typo tolerance."""
    has_text = not analysed.is_empty
    if has_text:
        base = text_query(analysed, known, level or match_levels(analysed)[0])
    else:
        base = {"match_all": {}}
    if query.sort != Sort.RELEVANCE:
        base = {"constant_score": {"filter": base}}  # the text only selects; no scoring
    chosen = filters(query)
    body: dict[str, Any] = {
        "query": ranking(base),
        "from": query.offset,
        "size": query.per_page,
        "sort": [*SORTS[query.sort], *TIE_BREAK],
        "track_total_hits": True,
        "_source": False,
    }
    # Filters no facet leaves out narrow the query itself; the others wait in `post_filter`,
    # so that each facet can count without its own.
    faceted = {name: c for name, c in chosen.items() if name != "in_stock"}
    narrowing = [c for name, c in chosen.items() if name == "in_stock" or not query.with_facets]
    if narrowing:
        body["query"] = {"bool": {"must": [body["query"]], "filter": narrowing}}
    if query.with_facets:
        body["post_filter"] = all_of(list(faceted.values()))
        body["aggs"] = facet_aggregations(query, faceted)
    if has_text and query.with_highlights:
        body["highlight"] = highlight()
    if has_text:
        body["suggest"] = {
            "text": query.text,
            "spelling": {
                "term": {"field": "spelling", "suggest_mode": "missing", "min_word_length": 3}
            },
        }
    return SearchPlan(body=body, analysed=analysed, facets=query.with_facets)


def build_suggest(prefix: str, limit: int) -> dict[str, Any] | None:
    """Completion suggester for the start of titles and category names, plus titles with a
    word starting with what was typed (edge n-grams), best sellers first."""
    prefix = " ".join(prefix.split())
    if not prefix:
        return None
    return {
        "size": limit,
        "_source": ["title"],
        "query": ranking({"match": {"title.autocomplete": {"query": prefix, "operator": "and"}}}),
        "suggest": {
            "complete": {
                "prefix": prefix,
                "completion": {"field": "suggest", "size": limit, "skip_duplicates": True},
            }
        },
    }
