"""Commission: what the marketplace keeps of each vendor order, and how we say it to vendors.

The rule, as vendors read it (`RULE_IN_WORDS`): the commission of a vendor order is a
percentage of its items' total plus a fixed fee per vendor order. The rate and fee come from
the most specific rule: the vendor's own rule, else the rule of the product's category or of
its nearest ancestor that has one, else the marketplace default (no rule at all: no
commission). When one vendor order holds items under different category rules, each item is
charged its own rate and the order pays the highest of those rules' fixed fees, once. The
percentage is worked out exactly over the whole vendor order and rounded once, to the nearest
minor unit with halves going to the even unit (banker's rounding: 0.5 → 0, 1.5 → 2, 2.5 → 2).
The commission never exceeds the items' total; shipping and tax are never commissioned. The
fixed fee is set in the marketplace currency (`CURRENCY`) and is charged only on orders in that
currency. Vendor net = items + shipping - commission.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from marketplace.catalog.models import Category
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.payouts.models import CommissionRule, commission_scope
from marketplace.web import format_money

__all__ = [
    "RULE_IN_WORDS",
    "CommissionError",
    "CommissionQuote",
    "CommissionTerms",
    "commission_for",
    "describe_terms",
    "quote_commission",
    "remove_commission_rule",
    "round_half_even",
    "set_commission_rule",
    "vendor_commission_terms",
]

BPS = 10_000
RULE_IN_WORDS = (
    "Commission is a percentage of each order's items (never shipping or tax) plus a fixed fee "
    "per order, rounded once per order to the nearest cent with halves going to the even cent, "
    "and never more than the items' total. You receive items + shipping - commission."
)


class CommissionError(DomainError):
    message = "That commission rule is not valid."


@dataclass(frozen=True)
class CommissionTerms:
    """A rate and fixed fee and where they come from (`vendor`, `category`, `default`, `none`)."""

    rate_bps: int
    fixed_minor: int
    scope: str
    category_id: int | None = None

    @classmethod
    def of(cls, rule: CommissionRule | None) -> CommissionTerms:
        if rule is None:
            return cls(0, 0, "none")
        scope = "vendor" if rule.vendor_id else "category" if rule.category_id else "default"
        return cls(rule.rate_bps, rule.fixed_minor, scope, rule.category_id)


@dataclass(frozen=True)
class CommissionQuote:
    """One vendor order's commission and how it was reached."""

    amount_minor: int
    items_minor: int
    percentage_minor: int  # the rounded percentage part
    fixed_minor: int  # the fixed fee charged (0 in another currency)
    capped: bool  # the items' total, not percentage + fee, is the commission
    terms: tuple[CommissionTerms, ...]  # the rules applied to the order's lines


def round_half_even(numerator: int, denominator: int) -> int:
    """`numerator / denominator` rounded to an integer, ties to even, in exact integers."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def _category_chains(category_ids: set[int]) -> dict[int, list[int]]:
    """Each category's id followed by its ancestors' ids, nearest first (from `path`)."""
    paths = dict(
        db.session.execute(
            select(Category.id, Category.path).where(Category.id.in_(category_ids))
        ).all()
    )
    prefixes = {
        "/".join(path.split("/")[:depth])
        for path in paths.values()
        for depth in range(1, path.count("/") + 2)
    }
    ids_by_path = dict(
        db.session.execute(
            select(Category.path, Category.id).where(Category.path.in_(prefixes))
        ).all()
    )
    chains: dict[int, list[int]] = {}
    for category_id, path in paths.items():
        parts = path.split("/")
        chain = ["/".join(parts[:depth]) for depth in range(len(parts), 0, -1)]
        chains[category_id] = [ids_by_path[p] for p in chain if p in ids_by_path]
    return chains


def _rule(scope: str) -> CommissionRule | None:
    return db.session.scalar(select(CommissionRule).where(CommissionRule.scope == scope))


def _line_terms(vendor_id: int, category_ids: Sequence[int | None]) -> list[CommissionTerms]:
    """The terms that apply to each line: the vendor's rule, else the nearest category rule,
    else the default."""
    vendor_rule = _rule(commission_scope(None, vendor_id))
    if vendor_rule is not None:
        return [CommissionTerms.of(vendor_rule)] * len(category_ids)
    default = CommissionTerms.of(_rule("default"))
    known = {c for c in category_ids if c is not None}
    chains = _category_chains(known) if known else {}
    wanted = {c for chain in chains.values() for c in chain}
    rules = {
        rule.category_id: rule
        for rule in db.session.scalars(
            select(CommissionRule).where(CommissionRule.category_id.in_(wanted))
        )
    }
    terms = []
    for category_id in category_ids:
        chain = chains.get(category_id, []) if category_id is not None else []
        nearest = next((rules[c] for c in chain if c in rules), None)
        terms.append(CommissionTerms.of(nearest) if nearest else default)
    return terms


def quote_commission(
    vendor_id: int, lines: Sequence[tuple[int | None, int]], currency: str
) -> CommissionQuote:
    """The commission of one vendor order from its lines `(category_id, line_total_minor)`."""
    totals = [total for _, total in lines]
    if any(isinstance(t, bool) or not isinstance(t, int) or t < 0 for t in totals):
        raise CommissionError("Line totals must be whole, non-negative minor units.")
    items = sum(totals)
    terms = _line_terms(vendor_id, [category for category, _ in lines]) if lines else []
    exact = sum(total * t.rate_bps for total, t in zip(totals, terms, strict=True))
    percentage = round_half_even(exact, BPS)
    in_home_currency = currency == current_app.config.get("CURRENCY", "USD")
    fixed = max((t.fixed_minor for t in terms), default=0) if in_home_currency else 0
    amount = min(percentage + fixed, items)
    return CommissionQuote(
        amount_minor=amount,
        items_minor=items,
        percentage_minor=percentage,
        fixed_minor=fixed,
        capped=amount < percentage + fixed,
        terms=tuple(dict.fromkeys(terms)),
    )


def commission_for(vendor_id: int, lines: Sequence[tuple[int | None, int]], currency: str) -> int:
    """The commission in minor units of one vendor order (see the module docstring's rule)."""
    return quote_commission(vendor_id, lines, currency).amount_minor


def _percent(rate_bps: int) -> str:
    whole, rest = divmod(rate_bps, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def describe_terms(terms: CommissionTerms, currency: str | None = None) -> str:
    """A rate and fee in words, e.g. "10% of the items plus $0.30 per order"."""
    currency = currency or current_app.config.get("CURRENCY", "USD")
    if terms.scope == "none":
        return "no commission"
    words = f"{_percent(terms.rate_bps)} of the items"
    if terms.fixed_minor:
        words += f" plus {format_money(terms.fixed_minor, currency)} per order"
    return words


def vendor_commission_terms(vendor_id: int) -> list[str]:
    """What a vendor is charged, sentence by sentence, most specific first, then the rule."""
    currency = current_app.config.get("CURRENCY", "USD")
    vendor_rule = _rule(commission_scope(None, vendor_id))
    if vendor_rule is not None:
        lines = [f"Your shop's rate: {describe_terms(CommissionTerms.of(vendor_rule), currency)}."]
    else:
        category_rules = db.session.execute(
            select(CommissionRule, Category.name)
            .join(Category, CommissionRule.category_id == Category.id)
            .order_by(Category.path)
        ).all()
        lines = [
            f"{name} (and its subcategories without a rule of their own): "
            f"{describe_terms(CommissionTerms.of(rule), currency)}."
            for rule, name in category_rules
        ]
        default = describe_terms(CommissionTerms.of(_rule("default")), currency)
        lines.append(f"{'Everything else' if lines else 'All products'}: {default}.")
    return [*lines, RULE_IN_WORDS]


def set_commission_rule(
    rate_bps: int,
    fixed_minor: int = 0,
    *,
    category_id: int | None = None,
    vendor_id: int | None = None,
) -> CommissionRule:
    """Create or change the rule of one scope: the default, a category or a vendor."""
    if category_id is not None and vendor_id is not None:
        raise CommissionError("A rule applies to a category or to a vendor, not both.")
    for value in (rate_bps, fixed_minor):
        if isinstance(value, bool) or not isinstance(value, int):
            raise CommissionError("Rates and fees are whole numbers.")
    if not 0 <= rate_bps <= BPS:
        raise CommissionError("The rate must be between 0% and 100%.")
    if fixed_minor < 0:
        raise CommissionError("The fixed fee cannot be negative.")
    scope = commission_scope(category_id, vendor_id)
    rule = _rule(scope)
    if rule is None:
        rule = CommissionRule(category_id=category_id, vendor_id=vendor_id, scope=scope)
        db.session.add(rule)
    rule.rate_bps = rate_bps
    rule.fixed_minor = fixed_minor
    db.session.flush()
    return rule


def remove_commission_rule(*, category_id: int | None = None, vendor_id: int | None = None) -> bool:
    """Delete the rule of one scope (the next less specific rule then applies)."""
    rule = _rule(commission_scope(category_id, vendor_id))
    if rule is None:
        return False
    db.session.delete(rule)
    db.session.flush()
    return True
