"""Search state in the URL: read a buyer's query string forgivingly, write the URLs that change it.

Everything a buyer chooses on the search page (text, category, shops, price, rating, stock,
attributes, sort, page) lives in the query string, so every results page can be bookmarked and
shared, and the page works without JavaScript. Reading never fails: a value that cannot be
understood is dropped, because URLs get edited by hand and truncated by chat apps, and a buyer
should see results, not an error.

The query string, canonically written by `query_args`:

    q=…  category=home/kitchen  vendor=kiln (repeatable)  price=<bucket key>
    price_min=25  price_max=49.99 (major units; the maximum is inclusive)  rating=4  in_stock=1
    attr.<name>=value (repeatable)  sort=price_asc  page=2  per_page=48

Filters are addressed like the facets that offer them: "category", "vendor", "price",
"rating", "in_stock" and "attr:<attribute name>".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlencode

from marketplace.search.types import (
    DEFAULT_PER_PAGE,
    MAX_PAGE,
    MAX_PER_PAGE,
    PRICE_BUCKETS,
    RATING_THRESHOLDS,
    SearchQuery,
    Sort,
)
from marketplace.web import format_money, minor_unit_exponent

MAX_QUERY_LENGTH = 200
MAX_CATEGORY_PATH_LENGTH = 400
MAX_CATEGORY_DEPTH = 8
MAX_SLUG_LENGTH = 80
MAX_VENDORS = 20
MAX_ATTRIBUTE_NAMES = 10
MAX_ATTRIBUTE_VALUES = 20
MAX_ATTRIBUTE_NAME_LENGTH = 60
MAX_ATTRIBUTE_VALUE_LENGTH = 100
MAX_PRICE_MINOR = 10**12  # beyond any real price; keeps integers sane for every backend

CATEGORY = "category"
VENDOR = "vendor"
PRICE = "price"
RATING = "rating"
IN_STOCK = "in_stock"
ATTRIBUTE_FACET_PREFIX = "attr:"  # facet names: "attr:colour"
ATTRIBUTE_PARAM_PREFIX = "attr."  # URL parameters: "attr.colour=Red"

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
BUCKETS_BY_KEY = {bucket.key: bucket for bucket in PRICE_BUCKETS}

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
_SPACES = re.compile(r"\s+")
_MAJOR_AMOUNT = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$")
_RANGE_KEY = re.compile(r"^(\d{1,13})-(\d{1,13})?$")


# ---------------------------------------------------------------------------------------------
# Reading


def clean_text(value: str | None, max_length: int) -> str:
    """Printable text with runs of white space folded to one space, trimmed and cut short."""
    if not value:
        return ""
    printable = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in value
    )
    return _SPACES.sub(" ", printable).strip()[:max_length].strip()


def parse_slug(value: str | None) -> str | None:
    """A lower-case URL slug (shops, category steps), or None when it cannot be one."""
    slug = (value or "").strip().lower()
    if len(slug) > MAX_SLUG_LENGTH or not _SLUG.match(slug):
        return None
    return slug


def parse_category_path(value: str | None) -> str | None:
    """A slash-joined path of category slugs ("home/kitchen"), or None."""
    text = (value or "").strip().strip("/")
    if not text or len(text) > MAX_CATEGORY_PATH_LENGTH:
        return None
    steps = [parse_slug(step) for step in text.split("/")]
    if len(steps) > MAX_CATEGORY_DEPTH or any(step is None for step in steps):
        return None
    return "/".join(steps)  # type: ignore[arg-type]


def parse_major_amount(value: str | None, currency: str) -> int | None:
    """An amount in major units ("25", "24.99") as minor units, rounded half up; else None."""
    text = (value or "").strip().replace(",", "")
    if not _MAJOR_AMOUNT.match(text):
        return None
    try:
        minor = (Decimal(text).scaleb(minor_unit_exponent(currency))).to_integral_value(
            ROUND_HALF_UP
        )
    except InvalidOperation:
        return None
    return int(minor) if minor <= MAX_PRICE_MINOR else None


def parse_int(value: str | None, low: int, high: int) -> int | None:
    """An integer within [low, high], or None."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_page(value: str | None) -> int:
    """A 1-based page number: junk means the first page, past the last allowed the last."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    return max(1, min(int(text[:12]), MAX_PAGE))


def parse_sort(value: str | None) -> Sort:
    """A known sort order, or relevance."""
    try:
        return Sort((value or "").strip().lower())
    except ValueError:
        return Sort.RELEVANCE


def parse_price_range(
    bucket_key: str | None, low: str | None, high: str | None, currency: str
) -> tuple[int | None, int | None]:
    """(min inclusive, max exclusive) in minor units from a bucket key or a min/max pair.

    A buyer's maximum includes that price ("up to $50" shows $50.00), so it becomes exclusive
    one minor unit higher. A valid bucket key wins over min/max; a reversed pair is swapped.
    """
    bucket = BUCKETS_BY_KEY.get((bucket_key or "").strip())
    if bucket is not None:
        return bucket.min_minor, bucket.max_minor
    price_min = parse_major_amount(low, currency) or None  # 0 is no minimum
    price_max = parse_major_amount(high, currency)
    if price_min is not None and price_max is not None and price_max < price_min:
        price_min, price_max = price_max or None, price_min
    return price_min, None if price_max is None else price_max + 1


def parse_attributes(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """`attr.<name>=value` parameters as name -> values (distinct, in order, bounded)."""
    attributes: dict[str, list[str]] = {}
    for key, raw_value in pairs:
        if not key.startswith(ATTRIBUTE_PARAM_PREFIX):
            continue
        name = clean_text(key[len(ATTRIBUTE_PARAM_PREFIX) :], MAX_ATTRIBUTE_NAME_LENGTH + 1)
        value = clean_text(raw_value, MAX_ATTRIBUTE_VALUE_LENGTH + 1)
        if not name or not value:
            continue
        if len(name) > MAX_ATTRIBUTE_NAME_LENGTH or len(value) > MAX_ATTRIBUTE_VALUE_LENGTH:
            continue
        if name not in attributes and len(attributes) >= MAX_ATTRIBUTE_NAMES:
            continue
        values = attributes.setdefault(name, [])
        if value not in values and len(values) < MAX_ATTRIBUTE_VALUES:
            values.append(value)
    return {name: tuple(values) for name, values in attributes.items()}


def parse_vendors(values: Iterable[str]) -> tuple[str, ...]:
    """Distinct valid shop slugs, in order, at most MAX_VENDORS."""
    slugs: list[str] = []
    for value in values:
        slug = parse_slug(value)
        if slug and slug not in slugs:
            slugs.append(slug)
    return tuple(slugs[:MAX_VENDORS])


def parse_search_args(
    args: Mapping[str, str],
    *,
    currency: str = "USD",
    per_page: int = DEFAULT_PER_PAGE,
) -> SearchQuery:
    """A validated SearchQuery from request args (a werkzeug MultiDict or a plain mapping)."""
    price_min, price_max = parse_price_range(
        args.get("price"), args.get("price_min"), args.get("price_max"), currency
    )
    rating = parse_int(args.get("rating"), 1, max(RATING_THRESHOLDS))
    return SearchQuery(
        text=clean_text(args.get("q"), MAX_QUERY_LENGTH),
        category_path=parse_category_path(args.get("category")),
        vendor_slugs=parse_vendors(_get_all(args, "vendor")),
        price_min_minor=price_min,
        price_max_minor=price_max,
        min_rating=rating if rating in RATING_THRESHOLDS else None,
        in_stock=(args.get("in_stock") or "").strip().lower() in TRUE_WORDS,
        attributes=parse_attributes(_items(args)),
        sort=parse_sort(args.get("sort")),
        page=parse_page(args.get("page")),
        per_page=parse_int(args.get("per_page"), 1, MAX_PER_PAGE) or per_page,
    )


def _get_all(args: Mapping[str, str], key: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    if getlist is not None:
        return list(getlist(key))
    value = args.get(key)
    return [value] if value is not None else []


def _items(args: Mapping[str, str]) -> list[tuple[str, str]]:
    items = getattr(args, "items", None)
    try:
        return list(items(multi=True))  # type: ignore[misc]  # werkzeug MultiDict
    except TypeError:
        return list(args.items())


# ---------------------------------------------------------------------------------------------
# Changing one thing


def price_key(query: SearchQuery) -> str | None:
    """The price filter as a facet value: "<min>-<max>" in minor units (the bucket key format)."""
    if query.price_min_minor is None and query.price_max_minor is None:
        return None
    low = query.price_min_minor or 0
    high = "" if query.price_max_minor is None else str(query.price_max_minor)
    return f"{low}-{high}"


def _range_from_key(key: str) -> tuple[int | None, int | None] | None:
    match = _RANGE_KEY.match(key)
    if not match:
        return None
    low = int(match.group(1)) or None
    high = int(match.group(2)) if match.group(2) else None
    if high is not None and low is not None and high <= low:
        return None
    return low, high


def attribute_name(facet: str) -> str | None:
    """ "attr:colour" -> "colour"; None for the other facets."""
    if facet.startswith(ATTRIBUTE_FACET_PREFIX):
        return facet[len(ATTRIBUTE_FACET_PREFIX) :] or None
    return None


def has_filter(query: SearchQuery, facet: str, value: str) -> bool:
    """Whether this facet value is one the query filters on."""
    name = attribute_name(facet)
    if name is not None:
        return value in query.attributes.get(name, ())
    selected = {
        CATEGORY: lambda: query.category_path == value,
        VENDOR: lambda: value in query.vendor_slugs,
        PRICE: lambda: price_key(query) == value,
        RATING: lambda: str(query.min_rating) == value,
        IN_STOCK: lambda: query.in_stock,
    }.get(facet)
    return bool(selected and selected())


def with_filter(query: SearchQuery, facet: str, value: str) -> SearchQuery:
    """The query with this facet value chosen (multi-valued facets add to the choice)."""
    changed = query
    name = attribute_name(facet)
    if name is not None and value and value not in query.attributes.get(name, ()):
        attributes = dict(query.attributes)
        attributes[name] = (*attributes.get(name, ()), value)
        changed = replace(query, attributes=attributes)
    elif facet == CATEGORY:
        changed = replace(query, category_path=parse_category_path(value))
    elif facet == VENDOR and parse_slug(value) and value not in query.vendor_slugs:
        changed = replace(query, vendor_slugs=(*query.vendor_slugs, value))
    elif facet == PRICE and (bounds := _range_from_key(value)) is not None:
        changed = replace(query, price_min_minor=bounds[0], price_max_minor=bounds[1])
    elif facet == RATING and value.isdigit() and int(value) in RATING_THRESHOLDS:
        changed = replace(query, min_rating=int(value))
    elif facet == IN_STOCK:
        changed = replace(query, in_stock=True)
    return replace(changed, page=1)


def without_filter(query: SearchQuery, facet: str, value: str | None = None) -> SearchQuery:
    """The query without this facet value (or, with no value, without the whole facet)."""
    changed = query
    name = attribute_name(facet)
    if name is not None:
        kept = tuple(v for v in query.attributes.get(name, ()) if value is not None and v != value)
        attributes = {k: v for k, v in query.attributes.items() if k != name}
        if kept:
            attributes[name] = kept
        changed = replace(query, attributes=attributes)
    elif facet == CATEGORY:
        changed = replace(query, category_path=None)
    elif facet == VENDOR:
        kept_slugs = tuple(s for s in query.vendor_slugs if value is not None and s != value)
        changed = replace(query, vendor_slugs=kept_slugs)
    elif facet == PRICE:
        changed = replace(query, price_min_minor=None, price_max_minor=None)
    elif facet == RATING:
        changed = replace(query, min_rating=None)
    elif facet == IN_STOCK:
        changed = replace(query, in_stock=False)
    return replace(changed, page=1)


def toggled(query: SearchQuery, facet: str, value: str) -> SearchQuery:
    """Choose the value if it isn't chosen, otherwise drop it: what a facet link does."""
    if has_filter(query, facet, value):
        return without_filter(query, facet, value)
    return with_filter(query, facet, value)


def is_category_page(query: SearchQuery) -> bool:
    """Browsing a category without words: the category is the page itself, not a filter on it."""
    return bool(query.category_path) and not query.text


def without_filters(query: SearchQuery) -> SearchQuery:
    """ "Clear all": only the text, sort and page size left (and a category page's category)."""
    category = query.category_path if is_category_page(query) else None
    return SearchQuery(
        text=query.text, category_path=category, sort=query.sort, per_page=query.per_page
    )


def has_any_filter(query: SearchQuery) -> bool:
    """Whether anything narrows the results that "Clear all" would remove."""
    return bool(
        (query.category_path and not is_category_page(query))
        or query.vendor_slugs
        or price_key(query)
        or query.min_rating
        or query.in_stock
        or query.attributes
    )


# ---------------------------------------------------------------------------------------------
# Writing


def _major(minor: int, currency: str) -> str:
    """Minor units as a plain major-unit number for a URL: 2500 -> "25", 2499 -> "24.99"."""
    exponent = minor_unit_exponent(currency)
    amount = Decimal(minor).scaleb(-exponent)
    return f"{amount:.{exponent}f}".removesuffix("." + "0" * exponent) if exponent else str(minor)


def query_args(
    query: SearchQuery, *, currency: str = "USD", per_page: int = DEFAULT_PER_PAGE
) -> list[tuple[str, str]]:
    """The canonical query string of a search as (name, value) pairs; defaults are left out."""
    pairs: list[tuple[str, str]] = []
    if query.text:
        pairs.append(("q", query.text))
    if query.category_path:
        pairs.append(("category", query.category_path))
    pairs.extend(("vendor", slug) for slug in sorted(query.vendor_slugs))
    key = price_key(query)
    if key in BUCKETS_BY_KEY:
        pairs.append(("price", key))
    elif key is not None:
        if query.price_min_minor:
            pairs.append(("price_min", _major(query.price_min_minor, currency)))
        if query.price_max_minor is not None:
            pairs.append(("price_max", _major(query.price_max_minor - 1, currency)))
    if query.min_rating:
        pairs.append(("rating", str(query.min_rating)))
    if query.in_stock:
        pairs.append(("in_stock", "1"))
    for name in sorted(query.attributes):
        pairs.extend((ATTRIBUTE_PARAM_PREFIX + name, value) for value in query.attributes[name])
    if query.sort is not Sort.RELEVANCE:
        pairs.append(("sort", query.sort.value))
    if query.page > 1:
        pairs.append(("page", str(query.page)))
    if query.per_page != per_page:
        pairs.append(("per_page", str(query.per_page)))
    return pairs


def price_label(query: SearchQuery, currency: str = "USD") -> str | None:
    """What a buyer reads for the price filter: a bucket's label or the range they typed."""
    key = price_key(query)
    if key is None:
        return None
    if key in BUCKETS_BY_KEY:
        return BUCKETS_BY_KEY[key].label
    low = query.price_min_minor
    high = None if query.price_max_minor is None else query.price_max_minor - 1
    if low and high is not None:
        return f"{format_money(low, currency)} to {format_money(high, currency)}"
    if low:
        return f"{format_money(low, currency)} and up"
    return f"Up to {format_money(high, currency)}"


def rating_label(stars: int) -> str:
    return f"{stars} stars & up" if stars != 1 else "1 star & up"


def humanise(name: str) -> str:
    """An attribute or slug as words: "screen_size" -> "Screen size"."""
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class Chip:
    """An active filter as the buyer sees it, with the URL that removes it."""

    facet: str
    value: str
    label: str
    remove_url: str


class SearchUrls:
    """The URLs of one results page: each facet value, chip, page and suggestion link.

    `base` is the path of the search page; every URL keeps all other choices, and any change of
    filter goes back to the first page (page 7 of the old results means nothing for the new ones).
    """

    def __init__(
        self,
        query: SearchQuery,
        base: str,
        *,
        currency: str = "USD",
        per_page: int = DEFAULT_PER_PAGE,
    ) -> None:
        self.query = query
        self.base = base
        self.currency = currency
        self.per_page = per_page

    def args(self, query: SearchQuery | None = None) -> list[tuple[str, str]]:
        return query_args(query or self.query, currency=self.currency, per_page=self.per_page)

    def url(self, query: SearchQuery | None = None) -> str:
        pairs = self.args(query)
        return f"{self.base}?{urlencode(pairs, safe='/')}" if pairs else self.base

    def url_kwargs(self) -> dict[str, list[str]]:
        """The current choices but the page, as `url_for` keyword arguments (for pagination)."""
        kwargs: dict[str, list[str]] = {}
        for name, value in self.args():
            if name != "page":
                kwargs.setdefault(name, []).append(value)
        return kwargs

    def is_selected(self, facet: str, value: str) -> bool:
        return has_filter(self.query, facet, value)

    def toggle(self, facet: str, value: str) -> str:
        return self.url(toggled(self.query, facet, value))

    def choose(self, facet: str, value: str) -> str:
        return self.url(with_filter(self.query, facet, value))

    def remove(self, facet: str, value: str | None = None) -> str:
        return self.url(without_filter(self.query, facet, value))

    def page(self, number: int) -> str:
        return self.url(replace(self.query, page=max(1, min(number, MAX_PAGE))))

    def with_text(self, text: str) -> str:
        """The same filters with other words: for did-you-mean links."""
        return self.url(replace(self.query, text=clean_text(text, MAX_QUERY_LENGTH), page=1))

    def clear_all(self) -> str:
        return self.url(without_filters(self.query))

    @property
    def has_filters(self) -> bool:
        return has_any_filter(self.query)

    def hidden_fields(self, *names: str) -> list[tuple[str, str]]:
        """Query-string pairs for a GET form that sets the named parameters itself.

        Page is always dropped (a new choice starts at page one).
        """
        dropped = {*names, "page"}
        if "price" in names:
            dropped |= {"price_min", "price_max"}
        return [(name, value) for name, value in self.args() if name not in dropped]

    def chips(self, labels: Mapping[str, Mapping[str, str]] | None = None) -> list[Chip]:
        """The active filters, in sidebar order, labelled with `labels[facet][value]` if known.

        A category page's own category is its heading, not a chip.
        """
        labels = labels or {}
        query = self.query
        found: list[tuple[str, str, str]] = []
        if query.category_path and not is_category_page(query):
            fallback = humanise(query.category_path.rsplit("/", 1)[-1])
            name = labels.get(CATEGORY, {}).get(query.category_path, fallback)
            found.append((CATEGORY, query.category_path, name))
        for slug in query.vendor_slugs:
            found.append((VENDOR, slug, labels.get(VENDOR, {}).get(slug, slug)))
        key = price_key(query)
        if key is not None:
            found.append((PRICE, key, price_label(query, self.currency) or key))
        if query.min_rating:
            found.append((RATING, str(query.min_rating), rating_label(query.min_rating)))
        if query.in_stock:
            found.append((IN_STOCK, "1", "In stock"))
        for name, values in query.attributes.items():
            facet = ATTRIBUTE_FACET_PREFIX + name
            title = labels.get("attributes", {}).get(name, humanise(name))
            found.extend((facet, value, f"{title}: {value}") for value in values)
        return [
            Chip(facet=facet, value=value, label=label, remove_url=self.remove(facet, value))
            for facet, value, label in found
        ]
