"""Accounts: people who sign in. A user buys; owning a Vendor or `is_admin` adds a role."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from marketplace.vendors.models import Vendor


class User(UserMixin, db.Model):
    """A person with an account. E-mail is stored lower-cased, so uniqueness is case-insensitive."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(email) >= 3", name="email_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vendor: Mapped[Vendor | None] = relationship(back_populates="owner", uselist=False)

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot sign in
        return self.is_active_account

    @property
    def is_vendor_owner(self) -> bool:
        return self.vendor is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
