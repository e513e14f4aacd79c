"""Near-duplicate listings: each vendor's listings indexed by rare title words and description."""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field

from marketplace.catalog.standards.snapshot import ListingSnapshot, description_digest, title_tokens


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    product_id: int
    title: str
    by_description: bool


@dataclass(slots=True)
class _VendorListings:
    """One vendor's indexed listings; `prefixes` is built on the first lookup."""

    titles: dict[int, str] = field(default_factory=dict)
    tokens: dict[int, frozenset[str]] = field(default_factory=dict)
    digests: dict[int, bytes | None] = field(default_factory=dict)
    by_digest: dict[bytes, list[int]] = field(default_factory=dict)
    frequency: dict[str, int] = field(default_factory=dict)
    threshold: float | None = None
    rank: dict[str, int] = field(default_factory=dict)
    prefix_of: dict[int, list[str]] = field(default_factory=dict)
    prefixes: dict[str, list[int]] = field(default_factory=dict)


def _prefix_length(size: int, threshold: float) -> int:
    return size - math.ceil(threshold * size - 1e-9) + 1


class PeerIndex:
    """Each vendor's listings indexed by rare title words and by description fingerprint.

    A listing is a near duplicate of an *earlier* listing (lower id) of the same vendor, so of
    two live copies only the newer one is flagged. Title candidates come from prefix filtering:
    with every title's words ordered rarest first (one order per vendor), two titles with
    Jaccard similarity ≥ t share a word among their first |A| - ceil(t * |A|) + 1 words, so
    only titles sharing such a rare word are ever compared. A listing already in the index is
    looked up as it was indexed.
    """

    def __init__(self) -> None:
        self._vendors: dict[int, _VendorListings] = {}

    def add(self, product_id: int, vendor_id: int, title: str, description: str) -> None:
        """Index one listing the vendor still offers (anything but delisted)."""
        listings = self._vendors.setdefault(vendor_id, _VendorListings())
        tokens = title_tokens(title)
        listings.titles[product_id] = title
        listings.tokens[product_id] = tokens
        frequency = listings.frequency
        for token in tokens:
            frequency[token] = frequency.get(token, 0) + 1
        digest = description_digest(description)
        listings.digests[product_id] = digest
        if digest is not None:
            listings.by_digest.setdefault(digest, []).append(product_id)
        listings.threshold = None  # the prefixes are built again on the next lookup

    def find_duplicate(
        self, listing: ListingSnapshot, threshold: float, *, compare_descriptions: bool = True
    ) -> DuplicateMatch | None:
        """The earliest listing this one copies, by title similarity or identical description."""
        listings = self._vendors.get(listing.vendor_id)
        if listings is None:
            return None
        match = self._by_title(listings, listing, threshold)
        if match is None and compare_descriptions:
            match = self._by_description(listings, listing)
        return match

    @staticmethod
    def _prefix(listings: _VendorListings, tokens: frozenset[str], threshold: float) -> list[str]:
        """The rarest words of a title; words the vendor never used are the rarest of all."""
        rank = listings.rank
        unseen = sorted(token for token in tokens if token not in rank)
        seen = sorted((token for token in tokens if token in rank), key=rank.__getitem__)
        return (unseen + seen)[: _prefix_length(len(tokens), threshold)]

    def _build_prefixes(self, listings: _VendorListings, threshold: float) -> None:
        frequency = listings.frequency
        vocabulary = sorted(frequency, key=lambda token: (frequency[token], token))
        listings.rank = {token: position for position, token in enumerate(vocabulary)}
        prefixes: dict[str, list[int]] = {}
        prefix_of = {}
        for product_id, tokens in listings.tokens.items():
            prefix = prefix_of[product_id] = self._prefix(listings, tokens, threshold)
            for token in prefix:
                prefixes.setdefault(token, []).append(product_id)
        for ids in prefixes.values():
            ids.sort()  # so a lookup can cut each list at the listing's own id
        listings.prefixes, listings.prefix_of = prefixes, prefix_of
        listings.threshold = threshold

    def _by_title(
        self, listings: _VendorListings, listing: ListingSnapshot, threshold: float
    ) -> DuplicateMatch | None:
        if listings.threshold != threshold:
            self._build_prefixes(listings, threshold)
        own_id = listing.product_id
        tokens = listings.tokens.get(own_id)
        if tokens is None:
            tokens = title_tokens(listing.title)
            prefix = self._prefix(listings, tokens, threshold)
        else:
            prefix = listings.prefix_of[own_id]
        if not tokens:
            return None
        size = len(tokens)
        candidates: set[int] = set()
        for token in prefix:
            ids = listings.prefixes.get(token, ())
            candidates.update(ids[: bisect_left(ids, own_id)])  # earlier listings only
        best: tuple[float, int] | None = None
        for other_id in candidates:
            other = listings.tokens[other_id]
            length = len(other)
            if length < threshold * size - 1e-9 or length * threshold > size + 1e-9:
                continue  # sizes this far apart cannot reach the threshold
            common = len(tokens & other)
            similarity = common / (size + length - common)
            if similarity >= threshold and (best is None or (-similarity, other_id) < best):
                best = (-similarity, other_id)
        if best is None:
            return None
        return DuplicateMatch(best[1], listings.titles[best[1]], by_description=False)

    @staticmethod
    def _by_description(
        listings: _VendorListings, listing: ListingSnapshot
    ) -> DuplicateMatch | None:
        if listing.product_id in listings.digests:
            digest = listings.digests[listing.product_id]
        else:
            digest = description_digest(listing.description)
        if digest is None:
            return None
        earlier = [i for i in listings.by_digest.get(digest, ()) if i < listing.product_id]
        if not earlier:
            return None
        first = min(earlier)
        return DuplicateMatch(first, listings.titles[first], by_description=True)


@dataclass(slots=True)
class CheckContext:
    """What a rule may know beyond the listing itself: the vendor's other listings."""

    peers: PeerIndex = field(default_factory=PeerIndex)
