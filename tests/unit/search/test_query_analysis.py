"""Query analysis: folding, plurals, synonym expansion, typo fixes, highlighting."""

from __future__ import annotations

import pytest

from marketplace.search.analysis import (
    ORIGINAL_WEIGHT,
    SYNONYM_WEIGHT,
    TYPO_WEIGHT,
    Vocabulary,
    analyse,
    fold,
    highlight,
    key,
    stem,
    terms,
    words,
)
from marketplace.search.synonyms import parse_rule

RULES = tuple(
    parse_rule(text)
    for text in (
        "couch, sofa, settee",
        "coffee table, cocktail table",
        "blush, pink",
        "denim pants, jean pants => jeans",
        "plates and bowls => dinnerware set",
        "bedside table, nightstand",
    )
)

VOCABULARY = Vocabulary(
    terms={
        "sofa": 40,
        "coffee": 30,
        "table": 90,
        "pink": 25,
        "jean": 12,
        "chair": 60,
        "hair": 1,
        "cotton": 18,
        "sleeping": 9,
        "bag": 30,
        "white": 50,
        "wipe": 0,  # only in descriptions
        "metal": 70,
        "nightstand": 14,
    },
    phrases=frozenset({"coffee table", "sleeping bag"}),
    categories=frozenset({"coffee table", "sofa", "nightstand"}),
)


def alternatives(group):
    return [(a.phrase, a.weight, a.kind) for a in group.alternatives]


def test_folding_lowercases_and_strips_accents():
    assert fold("Crème BRÛLÉE Smørrebrød") == "creme brulee smorrebrod"
    assert words("Men's T-Shirts, 100% Coton!") == ["men", "t", "shirts", "100", "coton"]


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("tables", "table"),
        ("boxes", "box"),
        ("benches", "bench"),
        ("glasses", "glass"),
        ("batteries", "battery"),
        ("hoodies", "hoody"),
        ("hoodie", "hoody"),
        ("shelves", "shelf"),
        ("knives", "knife"),
        ("mice", "mouse"),
        ("shoes", "shoe"),
        ("dress", "dress"),
        ("canvas", "canvas"),
        ("cactus", "cactus"),
        ("gas", "gas"),
    ],
)
def test_plurals_meet_their_singular(plural, singular):
    assert stem(plural) == singular


def test_terms_drop_stop_words_and_stem():
    assert terms("Sofa with Storage and Cushions") == ["sofa", "storage", "cushion"]
    assert key("Coffee Tables") == "coffee table"


def test_an_equivalence_adds_the_other_phrases_below_the_buyers_words():
    (group,) = analyse("couch", RULES).groups
    assert alternatives(group) == [
        ("couch", ORIGINAL_WEIGHT, "original"),
        ("sofa", SYNONYM_WEIGHT, "synonym"),
        ("settee", SYNONYM_WEIGHT, "synonym"),
    ]


def test_a_one_way_rule_replaces_the_words_it_rewrites():
    pink, jeans = analyse("pink denim pants", RULES).groups
    assert alternatives(jeans) == [("jeans", ORIGINAL_WEIGHT, "synonym")]
    assert jeans.span == "denim pants"
    assert [a.phrase for a in pink.alternatives] == ["pink", "blush"]
    # ... and only one way: "jeans" is not rewritten to "denim pants"
    (only,) = analyse("jeans", RULES).groups
    assert alternatives(only) == [("jeans", ORIGINAL_WEIGHT, "original")]


def test_multi_word_rules_match_across_plurals_and_stop_words():
    (group,) = analyse("Plates & Bowls", RULES).groups
    assert [a.phrase for a in group.alternatives] == ["dinnerware set"]
    (tables,) = analyse("cocktail tables", RULES).groups
    assert [a.key for a in tables.alternatives] == ["cocktail table", "coffee table"]


def test_unknown_words_are_fixed_from_the_vocabulary():
    analysed = analyse("outdoor cair", RULES, VOCABULARY)
    fixed = analysed.groups[1]
    assert alternatives(fixed) == [
        ("cair", ORIGINAL_WEIGHT, "original"),
        ("chair", TYPO_WEIGHT, "typo"),
    ]
    assert analysed.corrected == "outdoor chair"


def test_a_swap_of_two_letters_counts_as_one_slip():
    analysed = analyse("cocktali table", RULES, VOCABULARY)
    assert analysed.corrected == "cocktail table"
    (group,) = analysed.groups
    assert ("coffee table", TYPO_WEIGHT * SYNONYM_WEIGHT, "synonym") in alternatives(group)


def test_fixes_prefer_words_buyers_search_for_and_keep_the_typed_plural():
    # "wite" is one edit from "white" and from "wipe"; "wipe" is description filler only.
    analysed = analyse("Wite Sofas", RULES, VOCABULARY)
    assert analysed.corrected == "white Sofas"


def test_a_fix_that_completes_a_known_phrase_wins():
    analysed = analyse("pink denim paants", RULES, VOCABULARY)
    assert analysed.corrected == "pink denim pants"
    assert [a.phrase for a in analysed.groups[1].alternatives] == ["jeans"]


def test_synonym_words_are_not_typos_inside_their_phrase():
    analysed = analyse("bedside tbale", RULES, VOCABULARY)
    assert analysed.corrected == "bedside table"
    (group,) = analysed.groups
    assert "nightstand" in [a.phrase for a in group.alternatives]
    assert group.category  # a nightstand is a category of the catalogue


def test_known_words_short_words_and_numbers_are_left_alone():
    analysed = analyse("hair bgs 2024", RULES, VOCABULARY)
    assert analysed.corrected is None
    assert [g.span for g in analysed.groups] == ["hair", "bgs", "2024"]


def test_catalogue_phrases_are_read_as_one_part():
    analysed = analyse("pink sleeping bags", RULES, VOCABULARY)
    assert [g.span for g in analysed.groups] == ["pink", "sleeping bags"]
    assert [a.terms for a in analysed.groups[1].alternatives] == [("sleeping", "bag")]


def test_without_a_vocabulary_nothing_is_fixed():
    analysed = analyse("outdoor cair", RULES)
    assert analysed.corrected is None
    assert [a.phrase for g in analysed.groups for a in g.alternatives] == ["outdoor", "cair"]


def test_empty_and_stop_word_queries():
    assert analyse("   ", RULES).is_empty
    assert [g.span for g in analyse("the", RULES).groups] == ["the"]


def test_highlight_marks_matches_and_escapes_everything_else():
    marked = highlight('Pink <b>"Sofas"</b> & chairs', {"sofa", "pink"})
    assert marked == (
        "<mark>Pink</mark> &lt;b&gt;&quot;<mark>Sofas</mark>&quot;&lt;/b&gt; &amp; chairs"
    )
    assert highlight("Nothing here", {"sofa"}) is None


def test_highlight_cuts_a_window_around_the_first_match():
    text = " ".join(f"word{i}" for i in range(60)) + " sofa " + " ".join(["tail"] * 40)
    snippet = highlight(text, {"sofa"}, max_words=10)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>sofa</mark>" in snippet
    assert len(snippet.split()) <= 12
