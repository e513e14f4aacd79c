"""The demo category tree and attribute vocabularies, derived from the department tables."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.demo.departments import DEPARTMENTS, LEAVES, Department, Leaf, slugify
from marketplace.demo.departments._base import COLOURS, SCENTS

# Default values of each variant axis; a leaf may list its own instead.
AXES: dict[str, tuple[str, ...]] = {
    "colour": COLOURS,
    "scent": SCENTS,
    "size": ("XS", "S", "M", "L", "XL", "XXL"),
    "shoe_size": ("US 6", "US 7", "US 8", "US 9", "US 10", "US 11", "US 12"),
    "bed_size": ("Twin", "Full", "Queen", "King"),
    "pet_size": ("Small", "Medium", "Large", "X-Large"),
    "pack": ("Single", "Pack of 2", "Pack of 3", "Pack of 6"),
    "weight": ("5 lb", "10 lb", "15 lb", "20 lb", "25 lb", "30 lb"),
}
# The key a variant's option is stored under, and how a listing names several of them.
AXIS_KEYS = {"shoe_size": "size", "bed_size": "size", "pet_size": "size", "candle_size": "size"}
AXIS_PLURALS = {
    "colour": "colours",
    "finish": "finishes",
    "handle": "handle woods",
    "scent": "scents",
    "size": "sizes",
    "shoe_size": "sizes",
    "bed_size": "bed sizes",
    "candle_size": "sizes",
    "pet_size": "sizes",
    "pack": "pack sizes",
    "weight": "weights",
    "volume": "sizes",
    "pieces": "piece counts",
    "edition": "editions",
    "diameter": "diameters",
}
# How much dearer each step along a graded axis is (a King duvet costs more than a Twin).
AXIS_PRICE_STEPS = {
    "bed_size": 0.18,
    "candle_size": 0.6,
    "pet_size": 0.22,
    "weight": 0.55,
    "volume": 0.55,
    "pieces": 0.35,
    "diameter": 0.45,
}
# Axes whose values are an ordered scale: a product offers a contiguous run of them.
GRADED_AXES = {"size", "shoe_size", "bed_size", "pet_size", "pack", "weight", "volume"} | set(
    AXIS_PRICE_STEPS
)

DEPARTMENT_BY_NAME: dict[str, Department] = {dept.name: dept for dept in DEPARTMENTS}
LEAF_BY_PATH: dict[str, Leaf] = {leaf.path: leaf for leaf in LEAVES}


@dataclass(frozen=True)
class CategorySpec:
    """One node of the category tree, ready to become a Category row."""

    name: str
    slug: str
    path: str
    parent_path: str | None
    required_attributes: tuple[str, ...]
    position: int

    @property
    def is_leaf(self) -> bool:
        return self.path in LEAF_BY_PATH


def category_tree() -> list[CategorySpec]:
    """Every category, parents before their children, positions in storefront order."""
    nodes: list[CategorySpec] = []
    for dept_position, dept in enumerate(DEPARTMENTS):
        nodes.append(CategorySpec(dept.name, dept.slug, dept.slug, None, (), dept_position))
        groups: dict[str, int] = {}
        for position, leaf in enumerate(dept.leaves):
            parent = dept.slug
            if leaf.group:
                parent = f"{dept.slug}/{slugify(leaf.group)}"
                if leaf.group not in groups:
                    groups[leaf.group] = len(groups)
                    nodes.append(
                        CategorySpec(
                            leaf.group, slugify(leaf.group), parent, dept.slug, (), position
                        )
                    )
            nodes.append(
                CategorySpec(leaf.name, leaf.slug, leaf.path, parent, leaf.required, position)
            )
    return nodes


def axis_values(leaf: Leaf) -> tuple[str, ...]:
    """The values a leaf's variants choose from."""
    return leaf.axis_values or AXES[leaf.axis]


def attribute_vocabulary(leaf: Leaf, attribute: str) -> tuple[str, ...]:
    """The values `attribute` may take for products of `leaf`."""
    if attribute == "brand":
        return DEPARTMENT_BY_NAME[leaf.department].brands
    if attribute == leaf.material_key and leaf.materials:
        return leaf.materials
    if attribute == leaf.suffix_attr:
        return leaf.suffix_values
    return leaf.vocab.get(attribute, ())


def vocabularies() -> dict[str, dict[str, tuple[str, ...]]]:
    """Every leaf's required attributes with their allowed values, keyed by category path."""
    return {
        leaf.path: {attr: attribute_vocabulary(leaf, attr) for attr in leaf.required}
        for leaf in LEAVES
    }
