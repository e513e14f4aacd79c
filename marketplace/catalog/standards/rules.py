"""The rule kinds: each a pure function of a listing snapshot, its settings and the context."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from marketplace.catalog.standards.duplicates import CheckContext
from marketplace.catalog.standards.snapshot import (
    ListingSnapshot,
    VariantInfo,
    Violation,
    normalised_words,
)
from marketplace.web import format_money

_LETTER_RUN = re.compile(r"[^\W\d_]{2,}")
# Same symbol three or more times in a row ("$$$", "***"); "!" and "?" may be mixed ("?!?").
_SYMBOLS = r"$€£¥*#@%&~^+|"
_EMOJI = "[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]"
_EMOJI_GLUE = "[\ufe0f\u200d\u20e3]*"
# Where a run could start: two marks in a row, or any emoji.
_SPAM_START = re.compile(f"[!?{re.escape(_SYMBOLS)}]{{2}}|{_EMOJI}")


def _quoted(items: Sequence[str], limit: int = 5) -> str:
    """“a”, “b” and “c” — at most `limit` of them, then how many more."""
    shown = [f"“{item}”" for item in items[:limit]]
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _images(count: int) -> str:
    return "one image" if count == 1 else f"{count} images"


def _humanise(attribute: str) -> str:
    return attribute.replace("_", " ").strip()


# --- the rules -------------------------------------------------------------------------------

Rule = Callable[[ListingSnapshot, Mapping[str, Any], CheckContext], Violation | None]


def check_required_attributes(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """The category's required attributes, plus any the standard adds, must be filled in."""
    extra = params.get("attributes") or ()
    wanted = list(dict.fromkeys([*listing.required_attributes, *extra]))
    if not wanted:
        return None
    given = {str(k).casefold(): v for k, v in listing.attributes.items()}
    missing = [a for a in wanted if not str(given.get(a.casefold()) or "").strip()]
    if not missing:
        return None
    names = _quoted([_humanise(a) for a in missing])
    where = f" in {listing.category_name}" if listing.category_name else ""
    noun, them = ("attribute", "it") if len(missing) == 1 else ("attributes", "them")
    return Violation(f"Fill in the required {noun} {names}; every listing{where} needs {them}.")


def check_title_length(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """Titles long enough to say what the product is, short enough to read in a result list."""
    length = len(listing.title.strip())
    low, high = params.get("min", 15), params.get("max", 150)
    if low is not None and length < low:
        return Violation(f"Title must be at least {low} characters (it has {length}).")
    if high is not None and length > high:
        return Violation(f"Title must be at most {high} characters (it has {length}).")
    return None


def check_description_length(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """A description that tells buyers enough to decide without asking."""
    length = len(listing.description.strip())
    low, high = params.get("min", 50), params.get("max")
    if low is not None and length < low:
        if length == 0:
            return Violation(f"Add a description of at least {low} characters.")
        return Violation(f"Description must be at least {low} characters (it has {length}).")
    if high is not None and length > high:
        return Violation(f"Description must be at most {high} characters (it has {length}).")
    return None


def check_title_caps(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """No shouting: too many long words in capitals (short acronyms like USB or LED don't count)."""
    words = _LETTER_RUN.findall(listing.title)
    if not words:
        return None
    min_length = max(params.get("min_length", 4), 1)
    max_ratio = params.get("max_ratio", 0.5)
    capitals = [w for w in words if w.isupper()]
    long_words = [w for w in words if len(w) >= min_length]
    shouting = [w for w in capitals if len(w) >= min_length]
    all_capitals = len(capitals) == len(words) and sum(map(len, words)) >= 2 * min_length
    if not all_capitals and len(shouting) <= max_ratio * len(long_words):
        return None
    named = capitals if all_capitals else shouting
    shown = _quoted(list(dict.fromkeys(named)), limit=4)
    return Violation(f"Write the title in normal case rather than capitals ({shown}).")


@lru_cache(maxsize=32)
def _spam_pattern(repeat: int, emoji_run: int) -> re.Pattern[str]:
    repeat, emoji_run = max(repeat, 2), max(emoji_run, 2)
    parts = [
        rf"[!?]{{{repeat},}}",
        rf"([{re.escape(_SYMBOLS)}])\1{{{repeat - 1},}}",
        rf"(?:{_EMOJI}{_EMOJI_GLUE}\s?){{{emoji_run - 1},}}{_EMOJI}{_EMOJI_GLUE}",
    ]
    return re.compile("|".join(parts))


def check_spam_punctuation(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """Runs like “!!!”, “$$$” or a string of emoji read as spam and hide what is for sale."""
    pattern = _spam_pattern(params.get("repeat", 3), params.get("emoji_run", 3))
    places = [("title", listing.title)]
    if params.get("check_description", True):
        places.append(("description", listing.description))
    for place, text in places:
        first = _SPAM_START.search(text)  # one fast scan; most texts have nothing to look at
        found = pattern.search(text, first.start()) if first else None
        if found:
            run = found.group(0).strip()
            what = "emoji" if run[0] not in "!?" + _SYMBOLS else "repeated punctuation"
            return Violation(
                f"Remove the {what} “{run}” from the {place}; it reads as spam.", field=place
            )
    return None


@lru_cache(maxsize=32)
def _padded_words(words: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """Each word as written, its first word (a quick substring test) and its padded form."""
    found = []
    for word in words:
        norm = normalised_words(word)
        if norm:
            found.append((word, norm.split(" ", 1)[0], f" {norm} "))
    return tuple(found)


def check_prohibited_words(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """Words the marketplace does not allow (whole words, any case) in title or description."""
    words = _padded_words(tuple(params.get("words") or ()))
    if not words:
        return None
    places: list[str] = []
    found: list[str] = []
    for place, text in (("title", listing.title), ("description", listing.description)):
        folded = text.casefold()
        maybe = [(word, needle) for word, first, needle in words if first in folded]
        if not maybe:
            continue  # the usual case: no prohibited word even as part of another word
        padded = f" {normalised_words(text)} "
        hits = [word for word, needle in maybe if needle in padded]
        if hits:
            places.append(place)
            found.extend(hits)
    if not places:
        return None
    shown = list(dict.fromkeys(found))
    where = " and ".join(f"the {place}" for place in places)
    noun = "this word is" if len(shown) == 1 else "these words are"
    return Violation(
        f"Remove {_quoted(shown)} from {where}; {noun} not allowed on the marketplace.",
        field=places[0],
    )


def check_prohibited_category(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """Some kinds of product may not be sold here at all, whatever the listing says."""
    path = listing.category_path
    for banned in params.get("paths") or ():
        banned = banned.strip("/")
        if path == banned or path.startswith(banned + "/"):
            name = listing.category_name or path
            return Violation(
                f"Products in “{name}” can't be sold on this marketplace. If that category was "
                "chosen by mistake, pick the one that fits the product."
            )
    return None


def check_min_images(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """Buyers want to see what they buy."""
    wanted = params.get("min", 1)
    count = len(listing.images)
    if count >= wanted:
        return None
    if count == 0:
        return Violation(f"Add at least {_images(wanted)}; this listing has none.")
    return Violation(f"Add at least {_images(wanted)} (it has {count}).")


def check_min_image_resolution(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """Images sharp enough to zoom into."""
    width, height = params.get("min_width", 500), params.get("min_height", 500)
    small = [i for i in listing.images if i.width < width or i.height < height]
    if not small:
        return None
    smallest = min(small, key=lambda i: i.width * i.height)
    which = "it is" if len(listing.images) == 1 else f"{len(small)} of {len(listing.images)} are"
    return Violation(
        f"Images must be at least {width} by {height} pixels; {which} smaller "
        f"(the smallest is {smallest.width} by {smallest.height})."
    )


def check_price_bounds(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """Prices outside the usual range for the category are usually typos (or worse)."""
    low, high = params.get("min_minor", 50), params.get("max_minor", 1_000_000)
    currency = (params.get("currency") or "").upper()
    variants = [v for v in listing.variants if not currency or v.currency.upper() == currency]
    for variant in variants:
        price = variant.price_minor
        if low is not None and price < low:
            return _price_violation(variant, "at least", low, currency)
        if high is not None and price > high:
            return _price_violation(variant, "at most", high, currency)
    return None


def _price_violation(variant: VariantInfo, limit: str, bound: int, currency: str) -> Violation:
    price = format_money(variant.price_minor, variant.currency)
    wanted = format_money(bound, currency or variant.currency)
    return Violation(f"Price must be {limit} {wanted}; “{variant.name}” costs {price}.")


def check_variant_price_required(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """Every variant needs a price above zero before it can be bought."""
    if not listing.variants:
        return Violation("Add at least one variant with a price.")
    unpriced = [v.name for v in listing.variants if v.price_minor <= 0]
    if not unpriced:
        return None
    return Violation(f"Set a price above zero for every variant: {_quoted(unpriced)} has none.")


def check_near_duplicate(
    listing: ListingSnapshot, params: Mapping[str, Any], context: CheckContext
) -> Violation | None:
    """One product, one listing: copies of a vendor's own listing crowd out everyone else."""
    threshold = min(max(params.get("threshold", 0.9), 0.01), 1.0)
    compare = bool(params.get("compare_descriptions", True))
    match = context.peers.find_duplicate(listing, threshold, compare_descriptions=compare)
    if match is None:
        return None
    other = f"your listing “{match.title}” (#{match.product_id})"
    if match.by_description:
        return Violation(
            f"The description is the same as {other}. Describe this product in its own words, "
            "or add it to that listing as a variant.",
            field="description",
        )
    return Violation(
        f"This looks like a copy of {other}. Edit that listing, or add this as one of its "
        "variants, instead of listing the same product twice."
    )
