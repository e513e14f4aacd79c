"""Search's own tables: the synonym list admins curate, and the outbox of products to re-index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, utcnow

__all__ = ["SearchOutboxEntry", "SearchSynonym"]


class SearchSynonym(db.Model):
    """One synonym rule, written as search engines write them.

    `couch, sofa, settee` makes the words equivalent; `denim pants => jeans` rewrites the left
    side to the right one only. Rules are expanded at query time, so both backends share them and
    a change applies at once, without re-indexing.
    """

    __tablename__ = "search_synonyms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SearchOutboxEntry(db.Model):
    """A product whose search document may be stale, written in the transaction that changed it.

    The indexing job drains these rows; a row is deleted only once the index has taken the
    change, so a search server that is down loses nothing: the rows wait until it is back.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(Integer, index=True)  # no FK: deleted products too
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
