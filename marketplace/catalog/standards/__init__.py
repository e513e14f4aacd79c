"""Product-standard rule kinds: pure checks over a plain snapshot of a listing.

A rule never touches the database. `compliance` loads listings into `ListingSnapshot`s and the
admin-configured `ProductStandard` rows into `StandardSpec`s, then calls `evaluate()`. That keeps
each rule easy to test and lets a re-check of every live listing run in bulk.
"""

from marketplace.catalog.standards.duplicates import CheckContext, DuplicateMatch, PeerIndex
from marketplace.catalog.standards.registry import (
    KINDS,
    Kind,
    Param,
    clean_params,
    evaluate,
    evaluate_many,
    verdict,
)
from marketplace.catalog.standards.rules import Rule
from marketplace.catalog.standards.snapshot import (
    FIELDS,
    SEVERITIES,
    ImageInfo,
    ListingSnapshot,
    StandardSpec,
    VariantInfo,
    Violation,
    description_digest,
    normalised_words,
    title_tokens,
)

__all__ = [
    "FIELDS",
    "KINDS",
    "SEVERITIES",
    "CheckContext",
    "DuplicateMatch",
    "ImageInfo",
    "Kind",
    "ListingSnapshot",
    "Param",
    "PeerIndex",
    "Rule",
    "StandardSpec",
    "VariantInfo",
    "Violation",
    "clean_params",
    "description_digest",
    "evaluate",
    "evaluate_many",
    "normalised_words",
    "title_tokens",
    "verdict",
]
