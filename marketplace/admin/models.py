"""Admin console tables: the audit log of admin actions, and settings admins change at runtime."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, utcnow

__all__ = ["AdminAction", "AdminSetting"]


class AdminAction(db.Model):
    """One thing an admin did: who, what, to which record, when, and the state before and after.

    Rows are only ever added. `target_id` is a string so any key fits (a vendor id, a synonym
    id, a tax-rate code); `before`/`after` hold the fields the action changed, as JSON.
    """

    __tablename__ = "admin_actions"
    __table_args__ = (
        Index("ix_admin_actions_target", "target_type", "target_id"),
        Index("ix_admin_actions_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<AdminAction {self.id} {self.action} {self.target_type}:{self.target_id}>"


class AdminSetting(db.Model):
    """A setting admins edit from the console (e.g. scorecard thresholds), stored as JSON."""

    __tablename__ = "admin_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
