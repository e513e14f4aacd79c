"""The registry of rule kinds (settings, defaults) and the evaluation of standards."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from marketplace.catalog.standards.duplicates import CheckContext
from marketplace.catalog.standards.rules import (
    Rule,
    check_description_length,
    check_min_image_resolution,
    check_min_images,
    check_near_duplicate,
    check_price_bounds,
    check_prohibited_category,
    check_prohibited_words,
    check_required_attributes,
    check_spam_punctuation,
    check_title_caps,
    check_title_length,
    check_variant_price_required,
)
from marketplace.catalog.standards.snapshot import ListingSnapshot, StandardSpec

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace("\n", ",").split(",")
    if not isinstance(value, Iterable):
        return []
    items = (str(item).strip() for item in value)
    return list(dict.fromkeys(item for item in items if item))


# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One setting of a rule kind, described well enough for the admin form to ask for it."""

    name: str
    label: str
    type: str  # int | number | money | words | paths | bool | text
    help: str = ""
    required: bool = True
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Kind:
    """A kind of standard: its check, the field it concerns, its settings and its defaults."""

    name: str
    label: str
    description: str
    field: str
    check: Rule
    params: tuple[Param, ...] = ()
    default_name: str = ""
    default_severity: str = "block"
    default_active: bool = True

    def default_params(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params if p.default is not None}


_KINDS = (
    Kind(
        "required_attributes",
        "Required attributes",
        "The attributes the listing's category requires (and any listed here) are filled in.",
        "attributes",
        check_required_attributes,
        (
            Param(
                "attributes",
                "Also require",
                "words",
                "Attribute names required on top of the category's own, one per line.",
                required=False,
                default=[],
            ),
        ),
        "Required attributes",
    ),
    Kind(
        "title_length",
        "Title length",
        "The title has at least (and at most) this many characters.",
        "title",
        check_title_length,
        (
            Param("min", "Minimum characters", "int", default=15, minimum=1, maximum=200),
            Param(
                "max",
                "Maximum characters",
                "int",
                required=False,
                default=150,
                minimum=1,
                maximum=200,
            ),
        ),
        "Title length",
    ),
    Kind(
        "description_length",
        "Description length",
        "The description has at least this many characters.",
        "description",
        check_description_length,
        (
            Param("min", "Minimum characters", "int", default=50, minimum=1),
            Param("max", "Maximum characters", "int", required=False, minimum=1),
        ),
        "Description length",
    ),
    Kind(
        "title_caps",
        "Title in capitals",
        "The title is not written in capitals (shouting).",
        "title",
        check_title_caps,
        (
            Param(
                "max_ratio",
                "Largest share of words in capitals",
                "number",
                "0.5 allows half of the words; the whole title in capitals always fails.",
                default=0.5,
                minimum=0,
                maximum=1,
            ),
            Param(
                "min_length",
                "Ignore capital words shorter than",
                "int",
                "Letters; shorter words in capitals are taken as acronyms (USB, LED).",
                default=4,
                minimum=1,
                maximum=20,
            ),
        ),
        "No shouting in titles",
    ),
    Kind(
        "spam_punctuation",
        "Spam punctuation",
        "No runs of punctuation or symbols (“!!!”, “$$$”) or strings of emoji.",
        "title",
        check_spam_punctuation,
        (
            Param(
                "repeat",
                "Symbols in a row that count as a run",
                "int",
                default=3,
                minimum=2,
                maximum=10,
            ),
            Param(
                "emoji_run",
                "Emoji in a row that count as a run",
                "int",
                default=3,
                minimum=2,
                maximum=10,
            ),
            Param("check_description", "Check the description too", "bool", default=True),
        ),
        "No spam punctuation or emoji runs",
    ),
    Kind(
        "prohibited_words",
        "Prohibited words",
        "None of these words or phrases appear in the title or description "
        "(whole words, any case).",
        "title",
        check_prohibited_words,
        (
            Param(
                "words",
                "Words and phrases",
                "words",
                "One per line.",
                default=["counterfeit", "replica", "knockoff", "knock-off", "bootleg"],
            ),
        ),
        "Prohibited words",
    ),
    Kind(
        "prohibited_category",
        "Prohibited categories",
        "Products in these categories (or below them) may not be sold.",
        "category",
        check_prohibited_category,
        (
            Param(
                "paths",
                "Category paths",
                "paths",
                "One per line, e.g. outdoors/knives.",
                default=[],
            ),
        ),
        "Prohibited categories",
        default_active=False,  # nothing is prohibited until an admin lists categories
    ),
    Kind(
        "min_images",
        "Minimum images",
        "The listing has at least this many images.",
        "images",
        check_min_images,
        (Param("min", "Minimum images", "int", default=1, minimum=1, maximum=10),),
        "At least one image",
    ),
    Kind(
        "min_image_resolution",
        "Image resolution",
        "Every image is at least this many pixels wide and high.",
        "images",
        check_min_image_resolution,
        (
            Param("min_width", "Minimum width (pixels)", "int", default=500, minimum=1),
            Param("min_height", "Minimum height (pixels)", "int", default=500, minimum=1),
        ),
        "Image resolution",
        "warn",
    ),
    Kind(
        "price_bounds",
        "Price range",
        "Every variant's price lies within this range (usually set per category).",
        "price",
        check_price_bounds,
        (
            Param("min_minor", "Lowest price", "money", required=False, default=50, minimum=0),
            Param(
                "max_minor", "Highest price", "money", required=False, default=1_000_000, minimum=0
            ),
            Param(
                "currency",
                "Currency",
                "text",
                "Three-letter code; only variants priced in it are compared (empty: all).",
                required=False,
            ),
        ),
        "Price range",
        "review",
    ),
    Kind(
        "variant_price_required",
        "Variant price",
        "The listing has variants and each has a price above zero.",
        "variants",
        check_variant_price_required,
        (),
        "Every variant has a price",
    ),
    Kind(
        "near_duplicate",
        "Near-duplicate listings",
        "The listing is not a copy of an earlier listing of the same vendor (near-identical "
        "title or the same description).",
        "title",
        check_near_duplicate,
        (
            Param(
                "threshold",
                "Title similarity",
                "number",
                "Share of title words in common (0.9 = near-identical).",
                default=0.9,
                minimum=0.5,
                maximum=1,
            ),
            Param(
                "compare_descriptions",
                "Identical descriptions are duplicates too",
                "bool",
                default=True,
            ),
        ),
        "Near-duplicate listings",
        "review",
    ),
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in _KINDS}


# --- evaluation ------------------------------------------------------------------------------


def _coerce(param: Param, value: Any) -> Any:
    """A stored setting as the rule expects it; unreadable values fall back to the default."""
    if value is None or value == "":
        return param.default if param.required else None
    try:
        if param.type in ("int", "money"):
            return int(float(value))
        if param.type == "number":
            return float(value)
        if param.type == "bool":
            return value if isinstance(value, bool) else str(value).lower() in TRUE_WORDS
        if param.type in ("words", "paths"):
            return _strings(value)
        return str(value).strip()
    except (TypeError, ValueError):
        return param.default


def clean_params(kind: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """A standard's stored settings, typed, with defaults for the ones it does not set."""
    params = params or {}
    known = KINDS.get(kind)
    if known is None:
        return dict(params)
    return {
        p.name: _coerce(p, params[p.name]) if p.name in params else p.default for p in known.params
    }


def evaluate(
    listing: ListingSnapshot, specs: Iterable[StandardSpec], context: CheckContext
) -> list[dict[str, Any]]:
    """Run every standard that applies to the listing; one result dict per standard.

    `specs` carry parameters as `clean_params` returns them.
    """
    return next(evaluate_many([listing], specs, context))[1]


def evaluate_many(
    listings: Iterable[ListingSnapshot], specs: Iterable[StandardSpec], context: CheckContext
) -> Iterator[tuple[ListingSnapshot, list[dict[str, Any]]]]:
    """`evaluate` for many listings, preparing each standard once: (listing, results) pairs."""
    prepared = []
    for spec in specs:
        kind = KINDS.get(spec.kind)
        if kind is None:
            continue
        base = {
            "standard_id": spec.id,
            "kind": spec.kind,
            "name": spec.name,
            "severity": spec.severity,
        }
        passed = {**base, "passed": True, "field": kind.field, "message": ""}
        scope = spec.scope_path
        prepared.append((kind.check, spec.params, scope, scope and scope + "/", base, passed))
    for listing in listings:
        path = listing.category_path
        results = []
        for check, params, scope, below, base, passed in prepared:
            if scope is not None and path != scope and not path.startswith(below):
                continue
            violation = check(listing, params, context)
            if violation is None:
                results.append(passed.copy())
            else:
                results.append(
                    {
                        **base,
                        "passed": False,
                        "field": violation.field or KINDS[base["kind"]].field,
                        "message": violation.message,
                    }
                )
        yield listing, results


def verdict(results: Iterable[Mapping[str, Any]]) -> str:
    """ "block" if a block standard failed, else "review" if a review one did, else "pass"."""
    failed = {r["severity"] for r in results if not r["passed"]}
    if "block" in failed:
        return "block"
    if "review" in failed:
        return "review"
    return "pass"
