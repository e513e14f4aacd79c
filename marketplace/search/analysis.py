"""Query analysis shared by both search backends: folding, plurals, synonyms and typo fixes.

A buyer types "Blush cocktali tables"; a backend needs to know that this asks for something
pink (or blush) that is a coffee table. `analyse()` turns the text into an `AnalysedQuery`:

    AnalysedQuery(
        text="Blush cocktali tables",
        groups=(
            TermGroup(span="blush", category=False, alternatives=(
                Alternative(phrase="blush", terms=("blush",), weight=1.0, kind="original"),
                Alternative(phrase="pink", terms=("pink",), weight=0.85, kind="synonym"),
            )),
            TermGroup(span="cocktali tables", category=True, alternatives=(
                Alternative("cocktali tables", ("cocktali", "table"), 1.0, "original"),
                Alternative("cocktail tables", ("cocktail", "table"), 0.8, "typo"),
                Alternative("coffee table", ("coffee", "table"), 0.68, "synonym"),
            )),
        ),
        corrected="blush cocktail tables",
    )

- `groups`: the query's parts, in order. A product matches a group when it matches any one of
  the group's alternatives; a strict search asks for every group, a relaxed one for most.
- `Alternative.phrase`: folded words (lower case, accents removed, stop words kept) as one
  string: what an engine with its own analyzer should search (a phrase match scores best).
  `terms`: the same words as this module indexes them (stop words dropped, plurals stemmed by
  `stem`): what the database backend matches against its own index.
- `weight`: how much a match on this alternative is worth next to the buyer's own words:
  `ORIGINAL_WEIGHT` > `SYNONYM_WEIGHT` > `TYPO_WEIGHT` (a synonym of a fixed typo gets the
  product). A one-way rule's right side replaces the buyer's words and keeps the full weight.
- `TermGroup.category`: some alternative names a category of the catalogue (from the
  vocabulary): the part of the query that says what kind of product is wanted.
- `corrected`: the query text with unknown words replaced by their fixes ("did you mean"), or
  None when every word was known (or no vocabulary was given).

Synonym rules come from the admin-edited list (`synonyms.active_rules()`), so both backends
expand them the same way at query time. Typo fixes need a `Vocabulary` of indexed terms, which
the backend supplies (the database backend builds it from its own tables).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from marketplace.search.synonyms import SynonymRule

ORIGINAL_WEIGHT = 1.0
SYNONYM_WEIGHT = 0.85
TYPO_WEIGHT = 0.8
MAX_QUERY_WORDS = 16  # a longer "query" is a pasted paragraph; the rest adds nothing but cost

# Words that carry no meaning on their own in a product search; dropped from the index and from
# queries alike (a phrase such as "with storage" still matches as "storage").
STOP_WORDS = frozenset(
    (
        "a", "an", "and", "are", "as", "at", "by", "for", "from", "in", "into", "is", "it",
        "its", "of", "on", "or", "our", "the", "this", "that", "to", "with",
    )
)  # fmt: skip

# Letters that Unicode does not decompose into a base letter and an accent.
_LETTER_FOLDS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TOKENS = re.compile(r"([^\W_]+)", re.UNICODE)  # the same, kept when splitting
_APOSTROPHE_S = re.compile("['\u2019]s\\b")  # straight and curly apostrophes
_APOSTROPHES = re.compile("['\u2019]")

# Plurals no suffix rule gets right, and words ending in "s" that are not plurals.
_IRREGULAR_PLURALS = {
    "mice": "mouse",
    "feet": "foot",
    "teeth": "tooth",
    "geese": "goose",
    "men": "man",
    "women": "woman",
    "children": "child",
    "people": "person",
    "knives": "knife",
    "wives": "wife",
    "lives": "life",
    "leaves": "leaf",
    "shelves": "shelf",
    "halves": "half",
    "scarves": "scarf",
    "wolves": "wolf",
    "loaves": "loaf",
    "calves": "calf",
    "lenses": "lens",
    "dice": "die",
}
_NOT_PLURAL = frozenset(
    (
        "alias", "atlas", "bias", "bus", "canvas", "chaos", "christmas", "gas", "iris", "lens",
        "news", "series", "species", "texas", "yes", "has", "was", "his", "this", "always",
        "perhaps", "plus",
    )
)  # fmt: skip


def fold(text: str) -> str:
    """Lower-case and strip accents: "Crème Brûlée" → "creme brulee"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_LETTER_FOLDS)


def words(text: str) -> list[str]:
    """The folded words of `text`, stop words included ("Men's T-Shirts" → men, t, shirts)."""
    folded = _APOSTROPHES.sub("", _APOSTROPHE_S.sub("", fold(text)))
    return _WORD.findall(folded)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Reduce an English plural to its singular, lightly: only what a buyer's "s" changes.

    Heavier stemmers also merge words that mean different things in a shop ("organic" and
    "organ"); product search wants "tables" = "table" and little else. Words ending in "ie"
    are written with "y" so that "hoodie", "hoodies" and "hoody" meet.
    """
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if len(word) <= 3 or not word.isalpha() or word in _NOT_PLURAL:
        return word
    if word.endswith("ie"):
        return word[:-2] + "y"
    if not word.endswith("s") or word.endswith(("ss", "us", "is", "ous")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y" if len(word) > 4 else word[:-1]
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    return word[:-1]


def terms(text: str) -> list[str]:
    """What an index holds for `text`: folded words without stop words, plurals stemmed."""
    if len(text) <= _SHORT_TEXT:
        return list(_short_terms(text))
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


_SHORT_TEXT = 80  # names and attribute values: they repeat, so their terms are remembered


@lru_cache(maxsize=32768)
def _short_terms(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in words(text) if word not in STOP_WORDS)


def key(text: str) -> str:
    """`terms` as one string: how phrases are compared ("Coffee Tables" → "coffee table")."""
    return " ".join(terms(text))


# --- the result -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a group: a phrase and what a match on it is worth."""

    phrase: str
    terms: tuple[str, ...]
    weight: float = ORIGINAL_WEIGHT
    kind: str = "original"  # "original", "synonym" or "typo"

    @property
    def key(self) -> str:
        return " ".join(self.terms)


@dataclass(frozen=True)
class TermGroup:
    """A part of the query (one word, or a phrase a synonym rule or the catalogue knows)."""

    span: str
    alternatives: tuple[Alternative, ...]
    category: bool = False


@dataclass(frozen=True)
class AnalysedQuery:
    text: str
    groups: tuple[TermGroup, ...] = ()
    corrected: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def all_terms(self) -> frozenset[str]:
        """Every term any alternative searches: what a highlighter marks."""
        return frozenset(t for g in self.groups for a in g.alternatives for t in a.terms)


# --- vocabulary and typo fixes ----------------------------------------------------------------


def _max_edits(word: str) -> int:
    """Short words have too many neighbours to guess from; long ones survive two slips."""
    if len(word) <= 3:
        return 0
    return 1 if len(word) <= 5 else 2


@dataclass
class Vocabulary:
    """What an index knows, for typo fixes and for reading multi-word phrases as one part.

    `terms`: indexed term (as `terms()` makes them) → how many documents hold it (a backend may
    count only the documents whose names hold it: fixes prefer the words buyers search for).
    `surfaces`: term → a word as written in the catalogue (for "did you mean"); optional.
    `phrases`: keys (see `key`) of multi-word names the catalogue uses: attribute values,
    category and vendor names. `categories`: keys of category names.
    """

    terms: Mapping[str, int] = field(default_factory=dict)
    surfaces: Mapping[str, str] = field(default_factory=dict)
    phrases: Collection[str] = frozenset()
    categories: Collection[str] = frozenset()

    def __post_init__(self) -> None:
        # Terms by length, built once: a typo fix only compares words of nearby lengths.
        self._by_length: dict[int, list[str]] = {}
        for term in self.terms:
            self._by_length.setdefault(len(term), []).append(term)

    def closest(
        self, term: str, typed: str | None = None, extra: Mapping[str, int] | None = None
    ) -> list[str]:
        """Known terms within a few edits of a word (a swap counts as one), best first.

        Both the word as `typed` and its stemmed `term` are compared (a slip can defeat the
        stemmer: "armoie"), with as many edits as the typed word's length allows. Fewer edits
        come first, then a term sharing the first letter (slips rarely hit it), then the more
        used one. `extra`: more known terms (the synonym list's words) with their counts.
        """
        typed = typed or term
        edits = _max_edits(typed)
        if not edits:
            return []
        extra = extra or {}
        ranks: dict[str, tuple[int, int, int]] = {}
        for word in dict.fromkeys((term, typed)):
            for length in range(max(1, len(word) - edits), len(word) + edits + 1):
                choices = list(self._by_length.get(length, ()))
                choices += [
                    t for t in extra if len(t) == length and t not in self.terms and t != term
                ]
                if not choices:
                    continue
                found = process.extract(
                    word, choices, scorer=OSA.distance, score_cutoff=edits, limit=None
                )
                for candidate, distance, _ in found:
                    count = self.terms.get(candidate, 0) or extra.get(candidate, 0)
                    rank = (int(distance), int(candidate[0] != word[0]), -count)
                    ranks[candidate] = min(rank, ranks.get(candidate, rank))
        return sorted(ranks, key=lambda candidate: (ranks[candidate], candidate))

    def surface(self, term: str) -> str:
        return self.surfaces.get(term, term)


# --- synonyms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Expansion:
    replace: bool
    phrases: tuple[str, ...]  # folded phrases, as written in the rule


@dataclass(frozen=True)
class _CompiledRules:
    by_key: Mapping[tuple[str, ...], tuple[_Expansion, ...]]
    longest: int
    words: Mapping[str, int]  # every term the rules use: what a typo may be fixed to
    singles: frozenset[str]  # one-word phrases of the rules: words that need no fixing


@lru_cache(maxsize=16)
def _compile(rules: tuple[SynonymRule, ...]) -> _CompiledRules:
    by_key: dict[tuple[str, ...], list[_Expansion]] = {}
    known: dict[str, int] = {}
    for rule in rules:
        for phrase in rule.left + rule.right:
            for term in terms(phrase):
                known[term] = known.get(term, 0) + 1
        if rule.replace:
            for phrase in rule.left:
                by_key.setdefault(tuple(terms(phrase)), []).append(_Expansion(True, rule.right))
        else:
            for phrase in rule.left:
                others = tuple(p for p in rule.left if p != phrase)
                by_key.setdefault(tuple(terms(phrase)), []).append(_Expansion(False, others))
    by_key.pop((), None)
    longest = max((len(k) for k in by_key), default=0)
    singles = frozenset(k[0] for k in by_key if len(k) == 1)
    return _CompiledRules({k: tuple(v) for k, v in by_key.items()}, longest, known, singles)


# --- analysis -----------------------------------------------------------------------------------


@dataclass
class _Word:
    surface: str  # folded, as typed
    term: str  # stemmed
    fixed_term: str | None = None
    fixed_surface: str | None = None

    @property
    def best(self) -> str:
        return self.fixed_term or self.term


def _rule_spans(items: list[_Word], compiled: _CompiledRules) -> set[int]:
    """Positions of words that a synonym rule matches (with the fixes made so far)."""
    covered: set[int] = set()
    start = 0
    while start < len(items):
        for stop in range(min(len(items), start + compiled.longest), start, -1):
            if tuple(w.best for w in items[start:stop]) in compiled.by_key:
                covered.update(range(start, stop))
                start = stop
                break
        else:
            start += 1
    return covered


def _forms_phrase(
    items: list[_Word], index: int, candidate: str, compiled: _CompiledRules, phrases
) -> bool:
    """Whether `candidate` at `index` makes a known phrase with the word before or after it."""
    for pair in (items[index - 1 : index + 1], items[index : index + 2]):
        if len(pair) != 2:
            continue
        key = tuple(candidate if w is items[index] else w.best for w in pair)
        if key in compiled.by_key or " ".join(key) in phrases:
            return True
    return False


def _fix_word(
    items: list[_Word], index: int, vocabulary: Vocabulary, compiled: _CompiledRules
) -> None:
    """Fix one word to the closest known term; among fixes equally close, one that makes a
    known phrase with a neighbour wins ("denim paants" → "denim pants", not "denim plants")."""
    item = items[index]
    term = item.term
    candidates = vocabulary.closest(term, item.surface, compiled.words)
    if not candidates:
        return
    fix = candidates[0]
    closest = distance_of(fix, term, item.surface)
    for candidate in candidates[:8]:
        if distance_of(candidate, term, item.surface) > closest:
            break
        if _forms_phrase(items, index, candidate, compiled, vocabulary.phrases):
            fix = candidate
            break
    item.fixed_term = fix
    if item.surface.startswith(term) and fix not in vocabulary.surfaces:
        item.fixed_surface = fix + item.surface[len(term) :]  # keep the typed plural
    else:
        item.fixed_surface = vocabulary.surface(fix)


def _fix_typos(items: list[_Word], vocabulary: Vocabulary, compiled: _CompiledRules) -> None:
    """Fix the words the index does not know, in two passes.

    First the words nobody knows (neither the index nor the synonym list). Then the words only
    the synonym list knows, unless they now take part in one of its phrases: "bedside" stays
    in "bedside tbale" (→ "bedside table"), "meal" does not in "silver meal tv stand".
    """

    def indexed(word: _Word) -> bool:
        return word.term in vocabulary.terms or word.term.isdigit()

    for index, item in enumerate(items):
        if not indexed(item) and item.term not in compiled.words:
            _fix_word(items, index, vocabulary, compiled)
    protected = _rule_spans(items, compiled)
    for index, item in enumerate(items):
        if indexed(item) or item.fixed_term or index in protected:
            continue
        if item.term in compiled.words and item.term not in compiled.singles:
            _fix_word(items, index, vocabulary, compiled)


def distance_of(candidate: str, term: str, typed: str) -> int:
    return int(min(OSA.distance(candidate, term), OSA.distance(candidate, typed)))


def _alternatives(
    span: list[_Word], expansions: Sequence[_Expansion], rules_weight: float
) -> tuple[Alternative, ...]:
    """The original words, their typo fix, then synonyms (a one-way rule drops the first two)."""
    typed = Alternative(" ".join(w.surface for w in span), tuple(w.term for w in span))
    fixed = any(w.fixed_term for w in span)
    found: list[Alternative] = []
    if not any(e.replace for e in expansions):
        found.append(typed)
        if fixed:
            found.append(
                Alternative(
                    " ".join(w.fixed_surface or w.surface for w in span),
                    tuple(w.best for w in span),
                    TYPO_WEIGHT,
                    "typo",
                )
            )
    base = TYPO_WEIGHT if fixed else ORIGINAL_WEIGHT
    for expansion in expansions:
        weight = base * (ORIGINAL_WEIGHT if expansion.replace else rules_weight)
        for phrase in expansion.phrases:
            found.append(Alternative(phrase, tuple(terms(phrase)), weight, "synonym"))
    unique: dict[tuple[str, ...], Alternative] = {}
    for alternative in found:
        if not alternative.terms:
            continue
        kept = unique.get(alternative.terms)
        if kept is None or alternative.weight > kept.weight:
            unique[alternative.terms] = alternative
    return tuple(unique.values())


def _segment(
    items: list[_Word], compiled: _CompiledRules, vocabulary: Vocabulary | None
) -> list[TermGroup]:
    """Split the words into groups, longest known phrase first, left to right.

    A span is looked up as typed, then with its typo fixes: "meal prep containers" is a rule
    even if "meal" alone would have been fixed to "metal".
    """
    phrases = vocabulary.phrases if vocabulary else frozenset()
    categories = vocabulary.categories if vocabulary else frozenset()
    longest = max(compiled.longest, 4 if phrases else 1)
    groups: list[TermGroup] = []
    start = 0
    while start < len(items):
        end, expansions, as_typed = start + 1, (), False
        for stop in range(min(len(items), start + longest), start, -1):
            span = items[start:stop]
            typed_key = tuple(w.term for w in span)
            fixed_key = tuple(w.best for w in span)
            if typed_key in compiled.by_key and typed_key != fixed_key:
                end, expansions, as_typed = stop, compiled.by_key[typed_key], True
                break
            if fixed_key in compiled.by_key:
                end, expansions = stop, compiled.by_key[fixed_key]
                break
            if stop - start > 1 and " ".join(fixed_key) in phrases:
                end = stop
                break
        span = items[start:end]
        if as_typed:
            span = [_Word(w.surface, w.term) for w in span]
        alternatives = _alternatives(span, expansions, SYNONYM_WEIGHT)
        names_category = any(a.key in categories for a in alternatives)
        groups.append(TermGroup(" ".join(w.surface for w in span), alternatives, names_category))
        start = end
    return groups


def analyse(
    text: str,
    rules: Iterable[SynonymRule] | None = None,
    vocabulary: Vocabulary | None = None,
) -> AnalysedQuery:
    """Read a buyer's query: see the module docstring for what comes back.

    `rules` defaults to the active synonym list (needs an app context); `vocabulary`, when
    given, lets unknown words be fixed and catalogue phrases be read as one part.
    """
    if rules is None:
        from marketplace.search.synonyms import active_rules

        rules = active_rules()
    compiled = _compile(tuple(rules))
    typed = words(text or "")[: MAX_QUERY_WORDS * 2]
    meaningful = [w for w in typed if w not in STOP_WORDS] or typed
    items = [_Word(w, stem(w)) for w in meaningful[:MAX_QUERY_WORDS]]
    if vocabulary is not None:
        _fix_typos(items, vocabulary, compiled)
    corrected = None
    fixes = {w.surface: w.fixed_surface for w in items if w.fixed_surface}
    if fixes:
        corrected = _TOKENS.sub(lambda m: fixes.get(fold(m[0]), m[0]), (text or "").strip())
    return AnalysedQuery(text or "", tuple(_segment(items, compiled, vocabulary)), corrected)


# --- highlighting -------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _term_of(word: str) -> str:
    return stem(fold(word))


def highlight(text: str, wanted: Collection[str], max_words: int | None = None) -> str | None:
    """`text` as HTML with <mark> around words whose term is wanted, everything else escaped.

    None when no word matches. With `max_words`, a window of about that many words around the
    first match, with "…" where text was cut.
    """
    found = [m for m in _TOKENS.finditer(text) if _term_of(m[0]) in wanted]
    if not found:
        return None
    start, end = 0, len(text)
    if max_words is not None:
        spans = [m.span() for m in _TOKENS.finditer(text)]
        if len(spans) > max_words:
            first = next(i for i, span in enumerate(spans) if span[0] == found[0].start())
            lead = max(0, min(first - max_words // 3, len(spans) - max_words))
            start = spans[lead][0]
            end = spans[min(len(spans), lead + max_words) - 1][1]
    out = ["…" if start > 0 else ""]
    position = start
    for match in found:
        if match.start() < start or match.end() > end:
            continue
        out.append(html.escape(text[position : match.start()]))
        out.append(f"<mark>{html.escape(match[0])}</mark>")
        position = match.end()
    out.append(html.escape(text[position:end]))
    if end < len(text):
        out.append("…")
    return "".join(out).strip()
