"""The synonym list: parsing and checking rules, and reading the active ones cheaply.

A rule is written the way search engines write them:

- `couch, sofa, settee` — equivalent: a query with any of them also finds the others;
- `denim pants, jean pants => jeans` — one-way: the left phrases are searched as the right ones.

Phrases are lower-cased with runs of white space folded. Rules are applied at query time by
`marketplace.search.analysis`, so both backends share them and an edit applies at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.search.models import SearchSynonym

MAX_PHRASES = 30
MAX_PHRASE_LENGTH = 60
ARROW = "=>"
_SPACES = re.compile(r"\s+")
_ALLOWED = re.compile(r"^[\w][\w '&.-]*$", re.UNICODE)


class InvalidSynonymRule(DomainError):
    """A rule that cannot be used; the message says what to change."""


@dataclass(frozen=True)
class SynonymRule:
    """`replace` False: every phrase of `left` is equivalent (`right` is empty).
    `replace` True: each phrase of `left` is searched as the phrases of `right`."""

    left: tuple[str, ...]
    right: tuple[str, ...] = ()

    @property
    def replace(self) -> bool:
        return bool(self.right)

    def __str__(self) -> str:
        text = ", ".join(self.left)
        return f"{text} {ARROW} {', '.join(self.right)}" if self.right else text


def _phrases(text: str, where: str) -> tuple[str, ...]:
    phrases: list[str] = []
    for raw in text.split(","):
        phrase = _SPACES.sub(" ", raw).strip().lower()
        if not phrase:
            continue
        if len(phrase) > MAX_PHRASE_LENGTH:
            raise InvalidSynonymRule(
                f"“{phrase[:20]}…” is too long: "
                f"a phrase has at most {MAX_PHRASE_LENGTH} characters."
            )
        if not _ALLOWED.match(phrase):
            raise InvalidSynonymRule(
                f"“{phrase}” has characters a synonym can't use: keep to letters, digits, "
                "spaces, hyphens, apostrophes, dots and &."
            )
        if phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        raise InvalidSynonymRule(f"The {where} of the rule names no word or phrase.")
    return tuple(phrases)


def parse_rule(text: str) -> SynonymRule:
    """Read one rule; raises InvalidSynonymRule with a message a person can act on."""
    text = (text or "").strip()
    if not text:
        raise InvalidSynonymRule("Write a rule, like “couch, sofa” or “denim pants => jeans”.")
    if text.count(ARROW) > 1:
        raise InvalidSynonymRule(f"A rule has at most one “{ARROW}”.")
    if ARROW in text:
        left_text, right_text = text.split(ARROW)
        rule = SynonymRule(_phrases(left_text, "left side"), _phrases(right_text, "right side"))
        if set(rule.left) & set(rule.right):
            raise InvalidSynonymRule("A phrase can't be rewritten to itself.")
    else:
        rule = SynonymRule(_phrases(text, "rule"))
        if len(rule.left) < 2:
            raise InvalidSynonymRule(
                "An equivalence needs at least two phrases separated by commas, like “couch, sofa”."
            )
    if len(rule.left) + len(rule.right) > MAX_PHRASES:
        raise InvalidSynonymRule(f"A rule has at most {MAX_PHRASES} phrases; split it in two.")
    return rule


def _list_stamp() -> tuple[int, object]:
    """Changes whenever a rule is added, edited, switched or removed (cheap to ask)."""
    row = db.session.execute(
        select(func.count(SearchSynonym.id), func.max(SearchSynonym.updated_at))
    ).one()
    return int(row[0]), row[1]


def active_rules() -> tuple[SynonymRule, ...]:
    """The active rules, parsed; re-read only when the list changed since the last call."""
    stamp = _list_stamp()
    cached = current_app.extensions.get("search_synonyms")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rules: list[SynonymRule] = []
    for text in db.session.scalars(
        select(SearchSynonym.rule)
        .where(SearchSynonym.is_active.is_(True))
        .order_by(SearchSynonym.id)
    ):
        try:
            rules.append(parse_rule(text))
        except InvalidSynonymRule:
            continue  # saved before a stricter check; the admin page shows it as invalid
    current_app.extensions["search_synonyms"] = (stamp, tuple(rules))
    return tuple(rules)
