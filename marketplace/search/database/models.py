"""The database backend's tables: one denormalised row per searchable product, and what
filters, facets, typo fixes and autocomplete read next to it.

The full-text index itself is engine-specific and lives beside these tables, created by the
migration: an FTS5 table `search_fts` on SQLite (rowid = product id; columns category, title,
details, description), and a generated `search_vector` tsvector column with a GIN index on
PostgreSQL (weights A-D in that order), plus `names_vector` without the description. Alembic's
autogenerate is told to ignore them.

A page without text (a department or a category, in some sort order) reads neither: its facet
counts come from `SearchFacetCount`, and its page from the `ix_search_documents_page_*`
indexes, one per sort order, each a category's products already in that order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    desc,
)
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, utcnow

__all__ = [
    "SearchAttribute",
    "SearchAttributeValue",
    "SearchDocumentRow",
    "SearchFacetCode",
    "SearchFacetCount",
    "SearchIndexState",
    "SearchPhrase",
    "SearchTerm",
]


class SearchDocumentRow(db.Model):
    """A product as search sees it (a `ProductDocument`), plus its analysed text.

    The `*_key` columns hold the analysed words (see `analysis.terms`) padded with spaces, so
    ranking can test a phrase with a plain substring search; `tags_key` holds every attribute
    value, the vendor's name and the parent categories' names as whole phrases between bars
    (see `fields.tags`), so one short string answers "this value exactly" and "a word of it".
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_price_minor", "price_minor"),
        Index("ix_search_documents_vendor_slug", "vendor_slug"),
    )

    # The columns a search reads for every match come first, fixed-width ones ahead of the
    # rest: a row is read column by column up to the last one asked for, and with the long
    # texts first, reaching `quality` or the facet codes cost more than matching the row.
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    price_minor: Mapped[int] = mapped_column(Integer)
    rating_count: Mapped[int] = mapped_column(Integer)
    sales_count: Mapped[int] = mapped_column(Integer)
    vendor_id: Mapped[int] = mapped_column(Integer)
    rating_avg: Mapped[float] = mapped_column(Float)
    rating_score: Mapped[float] = mapped_column(Float)
    created_epoch: Mapped[float] = mapped_column(Float)  # when it went live, as UTC seconds
    quality: Mapped[float] = mapped_column(Float)  # rating and sales on a 0..1 scale
    in_stock: Mapped[bool] = mapped_column(Boolean)
    facet_codes: Mapped[bytes] = mapped_column(LargeBinary, default=b"")  # see `fields.pack_codes`
    category_key: Mapped[str] = mapped_column(Text)
    tags_key: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(Text)
    facet_tokens: Mapped[str] = mapped_column(Text, default="")  # see `fields.facet_tokens`
    vendor_slug: Mapped[str] = mapped_column(String(80))
    category_path: Mapped[str] = mapped_column(String(400))
    description_key: Mapped[str] = mapped_column(Text)
    details_key: Mapped[str] = mapped_column(Text)
    # What only the page of hits, the writer and the labels read.
    version: Mapped[str] = mapped_column(String(40))
    slug: Mapped[str] = mapped_column(String(240))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    vendor_name: Mapped[str] = mapped_column(String(80))
    category_names: Mapped[str] = mapped_column(Text)  # names from the top, joined by " > "
    attributes: Mapped[str] = mapped_column(Text, default="{}")  # JSON, as the vendor wrote it
    currency: Mapped[str] = mapped_column(String(3))
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# A page without text lists one category's products in one sort order (ties: better `quality`
# first, then product id). Each index holds a category's products in exactly that order, with
# `in_stock` for the in-stock filter, so a page reads its rows and stops (see
# `database/browse.py`). They also serve the category filter of text searches.
_PAGE_ORDERS = {
    "relevance": (),
    "price_asc": (SearchDocumentRow.price_minor,),
    "price_desc": (desc(SearchDocumentRow.price_minor),),
    "newest": (desc(SearchDocumentRow.created_epoch),),
    "rating": (desc(SearchDocumentRow.rating_score),),
    "best_selling": (desc(SearchDocumentRow.sales_count),),
}
for _order, _keys in _PAGE_ORDERS.items():
    Index(
        f"ix_search_documents_page_{_order}",
        SearchDocumentRow.category_path,
        *_keys,
        desc(SearchDocumentRow.quality),
        SearchDocumentRow.product_id,
        SearchDocumentRow.in_stock,
    )
# A page without text but with a facet filter (a click on a department page) reads every
# product of the category: this index holds all that such a page reads (filters, sort keys,
# facet tokens and codes), so it is read instead of the wide rows, ten times faster. Its entries stay
# far below PostgreSQL's limit (about 2,700 bytes): a path, a slug and at most 30 attributes.
Index(
    "ix_search_documents_browse",
    SearchDocumentRow.category_path,
    SearchDocumentRow.in_stock,
    SearchDocumentRow.vendor_slug,
    SearchDocumentRow.price_minor,
    SearchDocumentRow.rating_count,
    SearchDocumentRow.rating_avg,
    SearchDocumentRow.quality,
    SearchDocumentRow.created_epoch,
    SearchDocumentRow.rating_score,
    SearchDocumentRow.sales_count,
    SearchDocumentRow.product_id,
    SearchDocumentRow.facet_tokens,
    SearchDocumentRow.facet_codes,
)


class SearchFacetCount(db.Model):
    """How many indexed products of a category and everything below it (`category_path` "":
    the whole catalogue), in stock or not, count for one facet token (see
    `fields.facet_tokens`).

    The writer keeps these in the same transaction as the documents, so a page without text
    counts its facets by reading a few hundred of these rows instead of every product of a
    department (50,000 at 200,000 products)."""

    __tablename__ = "search_facet_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    category_path: Mapped[str] = mapped_column(String(400), primary_key=True)
    in_stock: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    token: Mapped[str] = mapped_column(String(410), primary_key=True)
    products: Mapped[int] = mapped_column(Integer, default=0)


class SearchFacetCode(db.Model):
    """A facet token (see `fields.facet_tokens`) numbered once. Each document keeps its
    tokens' numbers packed in `facet_codes`, and a search counts thousands of those numbers in
    one array operation where counting the token strings took a dictionary update each (a
    fifth of a broad search's time). A number never changes its token."""

    __tablename__ = "search_facet_codes"

    code: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(410), unique=True)


class SearchAttributeValue(db.Model):
    """An attribute name and value some indexed product has, numbered once: facets count
    numbers, which is much cheaper than counting strings."""

    __tablename__ = "search_attribute_values"
    __table_args__ = (UniqueConstraint("name", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(String(200))


class SearchAttribute(db.Model):
    """That an indexed product has an attribute value: what attribute filters and facets read.
    On SQLite the rows are stored in key order (no rowid), so a product's values sit together.
    """

    __tablename__ = "search_attributes"
    __table_args__ = (
        Index("ix_search_attributes_value_id", "value_id", "product_id"),
        {"sqlite_with_rowid": False},
    )

    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class SearchTerm(db.Model):
    """An indexed term and how many documents hold it: the vocabulary typo fixes choose from.

    `name_count` counts only documents whose name fields (category, title, attributes, vendor)
    hold it: buyers search for those words, so a fix prefers them to description filler.
    """

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(String(120), primary_key=True)
    doc_count: Mapped[int] = mapped_column(Integer, default=0)
    name_count: Mapped[int] = mapped_column(Integer, default=0)


class SearchPhrase(db.Model):
    """A name the catalogue uses (category, attribute value, vendor, product title) and how
    many documents use it: what autocomplete offers, and the phrases analysis reads as one."""

    __tablename__ = "search_phrases"
    __table_args__ = (Index("ix_search_phrases_key", "key"),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # folded words
    text: Mapped[str] = mapped_column(String(200))  # as first written
    doc_count: Mapped[int] = mapped_column(Integer, default=0)


class SearchIndexState(db.Model):
    """One row whose generation goes up with every change to the index, so a process knows
    when its cached vocabulary is stale without reading the vocabulary."""

    __tablename__ = "search_index_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
