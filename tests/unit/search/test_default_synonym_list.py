"""The default synonym list: every rule parses, and installing it twice adds nothing twice."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.search.analysis import analyse
from marketplace.search.default_synonyms import (
    DEFAULT_NOTE,
    DEFAULT_SYNONYM_RULES,
    install_default_synonyms,
)
from marketplace.search.models import SearchSynonym
from marketplace.search.synonyms import active_rules, parse_rule


def test_every_default_rule_parses_and_none_is_listed_twice():
    parsed = [str(parse_rule(text)) for text in DEFAULT_SYNONYM_RULES]
    assert len(parsed) == len(set(parsed))
    assert len(parsed) > 200


def test_the_list_covers_product_types_across_departments_and_colour_names():
    phrases = {phrase for text in DEFAULT_SYNONYM_RULES for phrase in parse_rule(text).left}
    for expected in (
        "couch",  # furniture
        "nightstand",
        "floor lamp",  # lighting
        "area rug",  # home
        "skillet",  # kitchen
        "jumper",  # apparel
        "trainers",  # shoes
        "power bank",  # electronics
        "barbecue",  # outdoor
        "moisturizer",  # beauty
        "plush toy",  # toys
        "navy",  # colours
        "blush",
        "sage",
        "charcoal",
        "grey",
    ):
        assert expected in phrases, expected


def test_install_adds_every_rule_once(app):
    added = install_default_synonyms()
    assert added == len(DEFAULT_SYNONYM_RULES)
    db.session.commit()
    assert install_default_synonyms() == 0
    count = db.session.scalar(select(func.count(SearchSynonym.id)))
    assert count == len(DEFAULT_SYNONYM_RULES)
    notes = set(db.session.scalars(select(SearchSynonym.note)))
    assert notes == {DEFAULT_NOTE}


def test_install_keeps_an_admins_rules_and_adds_only_what_is_missing(app):
    first = DEFAULT_SYNONYM_RULES[0]
    db.session.add(SearchSynonym(rule=first.replace(", ", ",   ").upper()))  # same, respelled
    db.session.add(SearchSynonym(rule="zafu, meditation cushion", note="an admin's own"))
    db.session.flush()
    added = install_default_synonyms()
    assert added == len(DEFAULT_SYNONYM_RULES) - 1
    rules = [str(parse_rule(r)) for r in db.session.scalars(select(SearchSynonym.rule))]
    assert "zafu, meditation cushion" in rules
    assert rules.count(str(parse_rule(first))) == 1


def test_installed_rules_expand_queries(app):
    install_default_synonyms()
    db.session.commit()
    (group,) = analyse("couch", active_rules()).groups
    assert "sofa" in [a.phrase for a in group.alternatives]
    (colour,) = analyse("blush", active_rules()).groups
    assert "pink" in [a.phrase for a in colour.alternatives]
