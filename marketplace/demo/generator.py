"""Deterministic demo products: believable titles, descriptions, attributes and variants.

Pure Python and no database: `generate_products(count, seed=...)` yields one `ProductSpec`
at a time, so 200,000 products cost no more memory than one. Titles are drawn without
repetition per category (a permutation of every brand, series, spec and so on), so
the same title appears again only once a category's combinations run out.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

from marketplace.demo.departments import Leaf, slugify
from marketplace.demo.people import VENDORS, VendorProfile
from marketplace.demo.taxonomy import (
    AXIS_KEYS,
    AXIS_PLURALS,
    AXIS_PRICE_STEPS,
    DEPARTMENT_BY_NAME,
    GRADED_AXES,
    attribute_vocabulary,
    axis_values,
)

IMAGE_PALETTES = 3  # placeholder images per category, see images.py

_OPENERS = (
    "The {brand} {series} {noun} is made for {use}.",
    "Made for {use}, this {noun_l} from {brand} earns its place quickly.",
    "{brand} designed the {series} {noun_l} with {use} in mind.",
    "Meet the {series} {noun_l} from {brand}: a dependable choice for {use}.",
    "Looking for something for {use}? The {brand} {series} {noun_l} is a good place to start.",
)
_MATERIAL_LINES = (
    "It is made from {material}, chosen to last for years rather than seasons.",
    "We chose {material} for its durability and for the way it ages.",
    "The {material} gives it a finish that only gets better with use.",
    "Good {material} is the heart of it, and you can feel the difference.",
)
_CLOSERS = (
    "It ships in recyclable, plastic-free packaging.",
    "It is backed by a 30-day, no-fuss return policy.",
    "Each one is checked by hand before it is packed.",
    "Questions? Message the shop and we will reply within a day.",
    "",
    "",
)


@dataclass(frozen=True, slots=True)
class VariantSpec:
    """One SKU of a demo product."""

    sku: str
    name: str
    options: dict[str, str]
    price_minor: int
    stock: int
    reorder_point: int
    position: int


@dataclass(frozen=True, slots=True)
class ProductSpec:
    """One demo product, ready to become Product, Variant and ProductImage rows."""

    index: int
    vendor_index: int
    category_path: str
    noun: str
    title: str
    slug: str
    description: str
    attributes: dict[str, str]
    variants: tuple[VariantSpec, ...]
    image_palettes: tuple[int, ...]
    age_days: float

    @property
    def department_slug(self) -> str:
        return self.category_path.split("/", 1)[0]

    @property
    def leaf_slug(self) -> str:
        return self.category_path.rsplit("/", 1)[-1]


@dataclass
class _TitlePlan:
    """Walks a leaf's title combinations in a scrambled order without repeating one."""

    leaf: Leaf
    rng: random.Random
    parts: tuple[tuple[str, ...] | tuple[tuple[str, str], ...], ...] = field(init=False)
    total: int = field(init=False)
    offset: int = field(init=False)
    stride: int = field(init=False)
    drawn: int = 0

    def __post_init__(self) -> None:
        dept = DEPARTMENT_BY_NAME[self.leaf.department]
        pairs = tuple((noun, spec) for noun, specs in self.leaf.nouns for spec in specs or ("",))
        self.parts = (
            dept.brands,
            tuple(f"{s} {m}".strip() for s in dept.series for m in dept.models),
            pairs,
            ("", *self.leaf.adjectives),
            self.leaf.materials or ("",),
            self.leaf.suffix_values or ("",),
        )
        self.total = math.prod(len(p) for p in self.parts)
        self.offset = self.rng.randrange(self.total)
        stride = int(self.total * 0.6180339887) + self.rng.randrange(1, 97)
        while math.gcd(stride, self.total) != 1:
            stride += 1
        self.stride = stride

    def next(self) -> tuple:
        """The next combination: (brand, series, (noun, spec), adjective, material, suffix)."""
        code = (self.offset + self.drawn * self.stride) % self.total
        self.drawn += 1
        picked = []
        for part in self.parts:
            code, digit = divmod(code, len(part))
            picked.append(part[digit])
        return tuple(picked)


@cache
def _lower(text: str) -> str:
    """Lower-case title-cased words for use mid-sentence, keeping acronyms like USB-C."""
    words = []
    for word in text.split(" "):
        pieces = [p.lower() if p[:1].isupper() and p[1:].islower() else p for p in word.split("-")]
        words.append("-".join(pieces))
    return " ".join(words)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _price_minor(rng: random.Random, low: int, high: int) -> int:
    """A shelf price in minor units, skewed towards the cheaper end, with a familiar ending."""
    amount = math.exp(rng.uniform(math.log(low), math.log(high)))
    whole = max(1, round(amount))
    ending = rng.random()
    if ending < 0.7:
        return whole * 100 - 1  # 24.99
    if ending < 0.9:
        return whole * 100  # 25.00
    return whole * 100 - 50  # 24.50


def _variant_values(rng: random.Random, leaf: Leaf) -> list[tuple[int, str]]:
    """1-4 (position-on-axis, value) pairs; graded axes offer a contiguous run."""
    values = axis_values(leaf)
    roll = rng.random()
    wanted = min(len(values), 1 if roll < 0.35 else 2 if roll < 0.65 else 3 if roll < 0.85 else 4)
    if leaf.axis in GRADED_AXES:
        start = rng.randrange(len(values) - wanted + 1)
        return [(start + i, values[start + i]) for i in range(wanted)]
    return sorted((i, values[i]) for i in rng.sample(range(len(values)), wanted))


def _pack_count(value: str) -> int:
    last = value.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 1


def _variants(rng: random.Random, leaf: Leaf, noun: str, sku_stem: str) -> tuple[VariantSpec, ...]:
    base = _price_minor(rng, *leaf.price_range(noun))
    step = AXIS_PRICE_STEPS.get(leaf.axis, 0.0)
    picked = _variant_values(rng, leaf)
    first = picked[0][0]
    key = AXIS_KEYS.get(leaf.axis, leaf.axis)
    variants = []
    for position, (grade, value) in enumerate(picked):
        if leaf.axis == "pack":
            count = _pack_count(value)
            factor = count * (0.92 ** (count - 1))
        else:
            factor = 1 + step * (grade - first)
        price = base if factor == 1 else round(base * factor / 100) * 100 - 1
        stock = 0 if rng.random() < 0.06 else int(rng.triangular(1, 120, 24))
        variants.append(
            VariantSpec(
                sku=f"{sku_stem}-{position + 1}",
                name=value,
                options={key: value},
                price_minor=max(price, 99),
                stock=stock,
                reorder_point=rng.choice((3, 5, 5, 8, 10, 12, 15)),
                position=position,
            )
        )
    return tuple(variants)


def _description(rng: random.Random, leaf: Leaf, words: dict[str, str], variants) -> str:
    dept = DEPARTMENT_BY_NAME[leaf.department]
    features = leaf.features
    pick = rng.randrange(len(features))
    other = (pick + 1 + rng.randrange(len(features) - 1)) % len(features)
    first = [rng.choice(_OPENERS).format(**words), features[pick], features[other]]
    if words["material"]:
        line = rng.choice(_MATERIAL_LINES)
        first.append(line.format(material=_lower(words["material"])))
    if words["spec"]:
        first.append(f"This listing is for the {words['spec']} option.")
    second = []
    if len(variants) > 1:
        names = [v.name for v in variants]
        listed = ", ".join(names[:-1]) + f" and {names[-1]}"
        second.append(f"Available in {len(names)} {AXIS_PLURALS[leaf.axis]}: {listed}.")
    second.append(rng.choice(dept.care))
    closer = rng.choice(_CLOSERS)
    if closer:
        second.append(closer)
    return " ".join(first) + "\n\n" + " ".join(second)


def _attributes(rng: random.Random, leaf: Leaf, brand: str, material: str, suffix: str):
    attributes = {"brand": brand}
    if material:
        attributes[leaf.material_key] = material
    if suffix:
        attributes[leaf.suffix_attr] = suffix
    for attr in leaf.required:
        if attr not in attributes:
            attributes[attr] = rng.choice(attribute_vocabulary(leaf, attr))
    return attributes


def _product(rng: random.Random, plan: _TitlePlan, index: int, vendor_index: int) -> ProductSpec:
    leaf, vendor = plan.leaf, VENDORS[vendor_index]
    brand, series, (noun, spec), adjective, material, suffix = plan.next()
    if adjective.split(" ")[0] in series:
        adjective = ""  # "Power 2.0 Power …" reads as a typo
    title = " ".join(w for w in (brand, series, adjective, spec, material, noun) if w)
    if suffix:
        title += f", {suffix}"
    words = {
        "brand": brand,
        "series": series,
        "noun": noun,
        "noun_l": _lower(noun),
        "use": rng.choice(leaf.uses),
        "material": material,
        "spec": spec,
    }
    variants = _variants(rng, leaf, noun, f"{vendor.code}-{leaf.slug[:4].upper()}-{index:06d}")
    palette = rng.randrange(IMAGE_PALETTES)
    palettes = (palette,) if rng.random() < 0.65 else (palette, (palette + 1) % IMAGE_PALETTES)
    return ProductSpec(
        index=index,
        vendor_index=vendor_index,
        category_path=leaf.path,
        noun=noun,
        title=title,
        slug=f"{slugify(title)[:200]}-{_base36(index)}",
        description=_description(rng, leaf, words, variants),
        attributes=_attributes(rng, leaf, brand, material, suffix),
        variants=variants,
        image_palettes=palettes,
        age_days=round(rng.uniform(0.5, 180.0), 3),
    )


def generate_products(
    count: int,
    seed: int = 7,
    *,
    vendors: Sequence[int] | None = None,
    start: int = 0,
) -> Iterator[ProductSpec]:
    """Yield `count` products for the vendors at indexes `vendors` (all by default).

    Indexes run from `start`, so separate calls with disjoint ranges give unique slugs and SKUs.
    """
    rng = random.Random(seed)
    eligible = list(range(len(VENDORS))) if vendors is None else list(vendors)
    shelves: list[tuple[Leaf, ...]] = [VENDORS[i].leaves() for i in eligible]
    cumulative = list(accumulate(VENDORS[i].weight for i in eligible))
    plans: dict[str, _TitlePlan] = {}
    for index in range(start, start + count):
        pick = bisect(cumulative, rng.random() * cumulative[-1])
        leaf = rng.choice(shelves[pick])
        plan = plans.get(leaf.path)
        if plan is None:
            plan = plans[leaf.path] = _TitlePlan(leaf, random.Random(f"{seed}-{leaf.path}"))
        yield _product(rng, plan, index, eligible[pick])


def vendor_profile(index: int) -> VendorProfile:
    """The vendor profile a product's `vendor_index` refers to."""
    return VENDORS[index]
