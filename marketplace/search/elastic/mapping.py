"""The index: analysis settings, the explicit mapping, and how a product becomes a document.

Text is analysed with `folded_english` (accents folded, English stems), so "sofas" finds "sofa"
and "cafe" finds "café"; `keyword` sub-fields hold whole names (folded) for exact matches and
sorting; `spelling` keeps unstemmed words, so the spelling suggester proposes real words.
Nothing here relies on index-time synonyms: synonyms are expanded at query time (see
`query.py`), so an edit of the synonym list applies without re-indexing.
"""

from __future__ import annotations

from typing import Any

from marketplace.search import analysis
from marketplace.search.types import ProductDocument

AUTOCOMPLETE_MAX_GRAM = 20

SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "max_result_window": 10_000,
    "analysis": {
        "char_filter": {
            # "bench's" -> "bench". A regex rather than the `possessive_english` stemmer because
            # some Elasticsearch-API servers mis-handle that stemmer (see the README).
            "strip_possessive": {
                "type": "pattern_replace",
                "pattern": "(\\w)['\\x{2019}]s\\b",  # a straight or a curly apostrophe
                "replacement": "$1",
            },
        },
        "filter": {
            "english_stop": {"type": "stop", "stopwords": "_english_"},
            "english_stemmer": {"type": "stemmer", "language": "english"},
            "autocomplete_edge": {
                "type": "edge_ngram",
                "min_gram": 1,
                "max_gram": AUTOCOMPLETE_MAX_GRAM,
            },
        },
        "normalizer": {
            "folded_keyword": {"type": "custom", "filter": ["lowercase", "asciifolding"]},
        },
        "analyzer": {
            "folded_english": {
                "type": "custom",
                "tokenizer": "standard",
                "char_filter": ["strip_possessive"],
                "filter": ["lowercase", "asciifolding", "english_stop", "english_stemmer"],
            },
            "folded": {
                "type": "custom",
                "tokenizer": "standard",
                "char_filter": ["strip_possessive"],
                "filter": ["lowercase", "asciifolding"],
            },
            "autocomplete": {
                "type": "custom",
                "tokenizer": "standard",
                "char_filter": ["strip_possessive"],
                "filter": ["lowercase", "asciifolding", "autocomplete_edge"],
            },
        },
    },
}


def _text(copy: bool = True, **fields: dict[str, Any]) -> dict[str, Any]:
    """A stemmed, accent-folded text field (with these sub-fields), copied into
    `product_text` unless `copy` is off."""
    field: dict[str, Any] = {"type": "text", "analyzer": "folded_english"}
    if fields:
        field["fields"] = fields
    if copy:
        field["copy_to"] = "product_text"
    return field


# Exact match and sorting on whole names: lower-cased and accent-folded, so "Café" = "cafe".
FOLDED_KEYWORD = {"type": "keyword", "normalizer": "folded_keyword", "ignore_above": 256}

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "product_id": {"type": "long"},
        "slug": {"type": "keyword", "index": False},
        "title": _text(
            keyword=FOLDED_KEYWORD,
            autocomplete={
                "type": "text",
                "analyzer": "autocomplete",
                "search_analyzer": "folded",
            },
        ),
        "description": _text(copy=False),
        "vendor_id": {"type": "long"},
        "vendor_slug": {"type": "keyword"},
        "vendor_name": _text(keyword=FOLDED_KEYWORD),
        # Facet values with their labels ("slug␟name", "path␟name"), so that one terms
        # aggregation gives both.
        "vendor_label": {"type": "keyword"},
        "category_labels": {"type": "keyword"},
        # The category as a keyword, and every ancestor path of it ("home", "home/furniture",
        # "home/furniture/sofas") so that a subtree filter is one exact term.
        "category_path": {"type": "keyword"},
        "category_ancestors": {"type": "keyword"},
        "category_names": _text(),
        # Attributes as "name␟value" pairs, so that a filter on colour=red never matches a
        # product whose red is its material, and their names, for the facets; their values are
        # also searchable text.
        "attribute_names": {"type": "keyword"},
        "attribute_pairs": {"type": "keyword"},
        "attribute_values": _text(),
        # What the product itself is called and described as: title, shop, category names and
        # attribute values in one field, so that each part of the buyer's text is one match.
        "product_text": {"type": "text", "analyzer": "folded_english"},
        "price_minor": {"type": "long"},
        "currency": {"type": "keyword"},
        "rating_avg": {"type": "float"},
        "rating_count": {"type": "integer"},
        "rating_score": {"type": "float"},
        "sales_count": {"type": "integer"},
        "in_stock": {"type": "boolean"},
        "created_at": {"type": "date"},
        "version": {"type": "keyword", "index": False},
        # Autocomplete from the start of a title or a category name, most sold first.
        "suggest": {"type": "completion", "analyzer": "folded", "max_input_length": 100},
        # The words of titles, categories and attributes, unstemmed: the did-you-mean source.
        "spelling": {"type": "text", "analyzer": "folded"},
        # Attribute values and (below) category names as the shared analysis keys them
        # (folded, plurals stemmed): an exact match on them outranks a partial one. With the
        # terms and multi-word names, the vocabulary `text.py` reads back for typo fixes.
        "attribute_keys": {"type": "keyword"},
        "vocabulary_terms": {"type": "keyword"},
        "vocabulary_phrases": {"type": "keyword"},
        "vocabulary_categories": {"type": "keyword"},
    },
}


PAIR_SEPARATOR = "\u241f"  # ␟, the symbol for "unit separator": never part of a name


def labelled(value: str, label: str) -> str:
    """A keyword holding two strings: a facet value and its label, or an attribute's name and
    value."""
    return f"{value}{PAIR_SEPARATOR}{label}"


def category_ancestors(path: str) -> list[str]:
    """ "home/furniture/sofas" -> ["home", "home/furniture", "home/furniture/sofas"]."""
    parts = [part for part in path.split("/") if part]
    return ["/".join(parts[: depth + 1]) for depth in range(len(parts))]


def suggestion_weight(document: ProductDocument) -> int:
    """Completion weight: best sellers first, then better rated (an integer, as required)."""
    return min(document.sales_count, 1_000_000) * 10 + round(document.rating_score)


def document_body(document: ProductDocument) -> dict[str, Any]:
    """The indexed form of a product document."""
    attribute_values = list(document.attributes.values())
    leaf_name = document.category_names[-1] if document.category_names else ""
    return {
        "product_id": document.product_id,
        "slug": document.slug,
        "title": document.title,
        "description": document.description,
        "vendor_id": document.vendor_id,
        "vendor_slug": document.vendor_slug,
        "vendor_name": document.vendor_name,
        "category_path": document.category_path,
        "category_ancestors": category_ancestors(document.category_path),
        "category_labels": [
            labelled(path, name)
            for path, name in zip(
                category_ancestors(document.category_path), document.category_names, strict=False
            )
        ],
        "vendor_label": labelled(document.vendor_slug, document.vendor_name),
        "category_names": list(document.category_names),
        "attribute_names": sorted(document.attributes),
        "attribute_pairs": sorted(labelled(n, v) for n, v in document.attributes.items()),
        "attribute_values": attribute_values,
        "price_minor": document.price_minor,
        "currency": document.currency,
        "rating_avg": document.rating_avg,
        "rating_count": document.rating_count,
        "rating_score": document.rating_score,
        "sales_count": document.sales_count,
        "in_stock": document.in_stock,
        "created_at": document.created_at.isoformat(),
        "version": document.version,
        "suggest": {
            "input": [text for text in (document.title, leaf_name) if text],
            "weight": suggestion_weight(document),
        },
        "spelling": [document.title, *document.category_names, *attribute_values],
        **vocabulary_fields(document),
    }


def vocabulary_fields(document: ProductDocument) -> dict[str, list[str]]:
    """The document's share of the catalogue vocabulary, written by the shared analysis."""
    names = [*document.category_names, *document.attributes.values(), document.vendor_name]
    words = " ".join([document.title, *names])
    phrases = {analysis.key(name) for name in names}
    return {
        "attribute_keys": sorted({analysis.key(value) for value in document.attributes.values()}),
        "vocabulary_terms": sorted(set(analysis.terms(words))),
        "vocabulary_phrases": sorted(p for p in phrases if " " in p),
        "vocabulary_categories": sorted(
            {analysis.key(name) for name in document.category_names} - {""}
        ),
    }
