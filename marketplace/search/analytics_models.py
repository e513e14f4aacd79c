"""Search analytics tables: one row per buyer search, one per click on a result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, utcnow

__all__ = ["SearchClick", "SearchLog"]


class SearchLog(db.Model):
    """A search a buyer ran: the normalised words, which filters were set, how many results.

    No user id is kept: analytics need what was asked, not who asked it.
    """

    __tablename__ = "search_logs"
    __table_args__ = (Index("ix_search_logs_at_query", "at", "query"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query: Mapped[str] = mapped_column(String(200))
    filters: Mapped[list[str]] = mapped_column(JSON, default=list)
    has_filters: Mapped[bool] = mapped_column(Boolean, default=False)
    total_results: Mapped[int] = mapped_column(Integer)
    backend: Mapped[str] = mapped_column(String(20))
    page: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchClick(db.Model):
    """A buyer followed a result of a logged search (position is 1-based over all pages)."""

    __tablename__ = "search_clicks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(
        ForeignKey("search_logs.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(Integer)  # no FK: delisted/deleted products too
    position: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
