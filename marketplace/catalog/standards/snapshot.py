"""What the rules look at: plain snapshots of a listing and of a standard, and word helpers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

FIELDS = ("title", "description", "category", "attributes", "images", "variants", "price")
SEVERITIES = ("block", "review", "warn")

_WORD = re.compile(r"[^\W_]+")

# --- snapshots -------------------------------------------------------------------------------


class ImageInfo(NamedTuple):
    width: int
    height: int


class VariantInfo(NamedTuple):
    name: str
    price_minor: int
    currency: str = "USD"


class ListingSnapshot(NamedTuple):
    """What the rules look at: a listing's own fields, its category, images and variants.

    Images and variants may be any objects with the fields of `ImageInfo` and `VariantInfo`
    (database rows, for a bulk re-check).
    """

    product_id: int
    vendor_id: int
    title: str
    description: str
    category_path: str
    category_name: str = ""
    required_attributes: tuple[str, ...] = ()
    attributes: Mapping[str, Any] = MappingProxyType({})
    images: Sequence[ImageInfo] = ()
    variants: Sequence[VariantInfo] = ()


@dataclass(frozen=True, slots=True)
class StandardSpec:
    """An active standard as the rules see it; `scope_path` limits it to a category subtree."""

    id: int | None
    kind: str
    name: str
    params: Mapping[str, Any]
    severity: str
    scope_path: str | None = None

    def applies_to(self, category_path: str) -> bool:
        """Unscoped standards apply everywhere; scoped ones to their category and below it."""
        scope = self.scope_path
        if scope is None:
            return True
        return category_path == scope or category_path.startswith(scope + "/")


@dataclass(frozen=True, slots=True)
class Violation:
    """Why a listing fails a rule, in words for its vendor, and the field to show it next to."""

    message: str
    field: str | None = None


# --- words -----------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def normalised_words(text: str) -> str:
    """Lower-case words joined by single spaces; several rules compare texts this way."""
    return " ".join(_WORD.findall(text.casefold()))


def title_tokens(title: str) -> frozenset[str]:
    """A title as a set of lower-case words, so word order and punctuation do not matter."""
    return frozenset(_WORD.findall(title.casefold()))


def description_digest(description: str) -> bytes | None:
    """A fingerprint of a description ignoring case, spacing and punctuation (None if empty)."""
    words = normalised_words(description)
    if not words:
        return None
    return hashlib.blake2b(words.encode(), digest_size=16).digest()
