"""Building blocks of the demo catalogue: departments, leaf categories and their vocabularies.

Lists are written as "a|b|c" strings so the department tables stay readable. A noun may carry
its own specs ("Skillet=8-Inch/10-Inch"), so a title never pairs a noun with a spec that does
not fit it. Prices are whole-currency ranges; the generator turns them into minor units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property


def split(values: str) -> tuple[str, ...]:
    """The items of an "a|b|c" string, stripped, empty ones dropped."""
    return tuple(v.strip() for v in values.split("|") if v.strip())


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """A URL slug: lower-case ASCII words joined by hyphens."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("é", "e")
    return _NOT_SLUG.sub("-", text).strip("-")


COLOURS = split(
    "Black|Graphite|Stone|Ivory|Sand|Olive|Sage|Forest Green|Navy|Slate Blue|Terracotta|Rust"
    "|Mustard|Blush|Plum|Charcoal"
)
SCENTS = split(
    "Cedar & Sage|Fig & Black Pepper|Sea Salt & Driftwood|Wild Lavender|Orange Blossom"
    "|Tomato Leaf|Bergamot & Vetiver|Unscented"
)
SUFFIXES: dict[str, tuple[str, ...]] = {"colour": COLOURS, "scent": SCENTS}


@dataclass(frozen=True)
class Leaf:
    """A leaf category: what its products are called, made of, used for and cost."""

    name: str
    required: tuple[str, ...]
    nouns: tuple[tuple[str, tuple[str, ...]], ...]
    adjectives: tuple[str, ...]
    materials: tuple[str, ...]
    material_key: str
    features: tuple[str, ...]
    uses: tuple[str, ...]
    price: tuple[int, int]
    axis: str
    axis_values: tuple[str, ...]
    suffix_attr: str
    suffix_values: tuple[str, ...]
    group: str | None = None
    vocab: dict[str, tuple[str, ...]] = field(default_factory=dict)
    noun_prices: dict[str, tuple[int, int]] = field(default_factory=dict)
    department: str = ""

    @cached_property
    def slug(self) -> str:
        return slugify(self.name)

    def price_range(self, noun: str) -> tuple[int, int]:
        """The whole-currency price range of one noun of this leaf."""
        return self.noun_prices.get(noun, self.price)

    @cached_property
    def path(self) -> str:
        parts = [slugify(self.department)]
        if self.group:
            parts.append(slugify(self.group))
        return "/".join([*parts, self.slug])


@dataclass(frozen=True)
class Department:
    """A top-level category, the brands and words its products share, and its leaves."""

    name: str
    brands: tuple[str, ...]
    series: tuple[str, ...]
    care: tuple[str, ...]
    pictogram: str
    leaves: tuple[Leaf, ...]
    models: tuple[str, ...] = ("",)

    @property
    def slug(self) -> str:
        return slugify(self.name)


def _nouns(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    nouns = []
    for item in split(text):
        noun, _, specs = item.partition("=")
        nouns.append((noun.strip(), tuple(s.strip() for s in specs.split("/") if s.strip())))
    return tuple(nouns)


def leaf(
    name: str,
    *,
    required: str,
    nouns: str,
    features: str,
    uses: str,
    price: tuple[int, int],
    axis: str,
    axis_values: str = "",
    adjectives: str = "",
    materials: str = "",
    material_key: str = "material",
    suffix: str | None = None,
    group: str | None = None,
    vocab: dict[str, str] | None = None,
    noun_prices: dict[str, tuple[int, int]] | None = None,
) -> Leaf:
    """A leaf from the compact table form the department modules use.

    `price` is the leaf's range; `noun_prices` narrows it for nouns that cost much less or
    more (socks and tents are both camping gear, at very different prices).
    """
    if suffix is None:
        suffix = "" if axis in {"colour", "scent"} else "colour"
    return Leaf(
        name=name,
        required=split(required),
        nouns=_nouns(nouns),
        adjectives=split(adjectives),
        materials=split(materials),
        material_key=material_key,
        features=split(features),
        uses=split(uses),
        price=price,
        axis=axis,
        axis_values=split(axis_values),
        suffix_attr=suffix,
        suffix_values=SUFFIXES.get(suffix, ()),
        group=group,
        vocab={key: split(values) for key, values in (vocab or {}).items()},
        noun_prices=dict(noun_prices or {}),
    )


def department(
    name: str,
    *,
    brands: str,
    series: str,
    care: str,
    pictogram: str,
    leaves: list[Leaf],
    models: str = "",
) -> Department:
    """A department whose leaves know which department they belong to.

    `models` are marks that follow a series name ("Pulse 2", "Calm No. 5"); a product may
    also have none.
    """
    return Department(
        name=name,
        brands=split(brands),
        series=split(series),
        care=split(care),
        pictogram=pictogram,
        leaves=tuple(replace(item, department=name) for item in leaves),
        models=("", *split(models)),
    )
