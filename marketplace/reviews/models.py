"""Reviews: verified buyers' product reviews and shop ratings, their checks, photos and votes,
reports, the vendor's public reply, review invitations, and the stored rating aggregates."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from marketplace.accounts.models import User
    from marketplace.catalog.models import Product
    from marketplace.orders.models import OrderLine

__all__ = [
    "ProductRatingStats",
    "Review",
    "ReviewCheck",
    "ReviewInvitation",
    "ReviewPhoto",
    "ReviewReport",
    "ReviewStatus",
    "ReviewVote",
    "VendorRating",
    "VendorRatingStats",
    "VendorReply",
]

STAR_VALUES = (1, 2, 3, 4, 5)


class ReviewStatus(StrEnum):
    PENDING = "pending"  # an automatic check failed, or readers reported it: a moderator decides
    PUBLISHED = "published"
    REJECTED = "rejected"  # a moderator refused it before it was shown
    REMOVED = "removed"  # a moderator took a published review down


class Review(db.Model):
    """A review of one delivered order line (so one per line, by the buyer who received it)."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint(one_of("status", ReviewStatus), name="status_valid"),
        CheckConstraint("helpful_count >= 0", name="helpful_non_negative"),
        CheckConstraint("photo_count >= 0", name="photo_count_non_negative"),
        # The product page reads one product's published reviews in each of its sort orders.
        Index("ix_reviews_product_status_created", "product_id", "status", "created_at"),
        Index("ix_reviews_product_status_helpful", "product_id", "status", "helpful_count"),
        Index("ix_reviews_product_status_rating", "product_id", "status", "rating"),
        # The burst check counts one vendor's recent reviews.
        Index("ix_reviews_vendor_created", "vendor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=ReviewStatus.PENDING, index=True)
    # The buyer kept what they reviewed (not returned or refunded in full when last written).
    verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    photo_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    helpful_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Hash of the normalised title and text: the same words posted from several accounts.
    text_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Why a moderator rejected or removed it (shown to the author).
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship()
    product: Mapped[Product] = relationship()
    order_line: Mapped[OrderLine] = relationship()
    photos: Mapped[list[ReviewPhoto]] = relationship(
        back_populates="review",
        cascade="all, delete-orphan",
        order_by="ReviewPhoto.position",
    )
    checks: Mapped[list[ReviewCheck]] = relationship(
        back_populates="review",
        cascade="all, delete-orphan",
        order_by="ReviewCheck.id",
    )
    reply: Mapped[VendorReply | None] = relationship(
        back_populates="review", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def failed_checks(self) -> list[ReviewCheck]:
        return [check for check in self.checks if not check.passed]


class ReviewPhoto(db.Model):
    """A picture attached to a review, checked and re-encoded like listing images."""

    __tablename__ = "review_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(255))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="photos")


class ReviewCheck(db.Model):
    """The outcome of one automatic check on a review's latest text, with its reason."""

    __tablename__ = "review_checks"
    __table_args__ = (UniqueConstraint("review_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="checks")


class VendorReply(db.Model):
    """The vendor's one public reply to a review (editable, never deletes the review)."""

    __tablename__ = "vendor_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), unique=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    review: Mapped[Review] = relationship(back_populates="reply")


class ReviewVote(db.Model):
    """A reader's "helpful" vote; one per reader and review."""

    __tablename__ = "review_votes"
    __table_args__ = (UniqueConstraint("review_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    helpful: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewReport(db.Model):
    """A report that a review breaks the rules, for the moderators."""

    __tablename__ = "review_reports"
    __table_args__ = (UniqueConstraint("review_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class VendorRating(db.Model):
    """The buyer's rating of the shop for one vendor order: three scores from 1 to 5."""

    __tablename__ = "vendor_ratings"
    __table_args__ = (
        CheckConstraint("item_as_described BETWEEN 1 AND 5", name="item_range"),
        CheckConstraint("shipping_speed BETWEEN 1 AND 5", name="shipping_range"),
        CheckConstraint("communication BETWEEN 1 AND 5", name="communication_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE"), unique=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    item_as_described: Mapped[int] = mapped_column(Integer)
    shipping_speed: Mapped[int] = mapped_column(Integer)
    communication: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReviewInvitation(db.Model):
    """The one review invitation e-mailed for a delivered vendor order."""

    __tablename__ = "review_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE"), unique=True
    )
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class _StarCounts:
    """Five star counters: the histogram that count, sum and average are computed from."""

    stars_1: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_2: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_3: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_4: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_5: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def histogram(self) -> dict[int, int]:
        return {stars: getattr(self, f"stars_{stars}") for stars in STAR_VALUES}


class ProductRatingStats(_StarCounts, db.Model):
    """A product's published reviews per star (Product.rating_count/rating_sum follow them)."""

    __tablename__ = "product_rating_stats"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )


class VendorRatingStats(_StarCounts, db.Model):
    """A shop's published product reviews per star, and the sums of its shop ratings."""

    __tablename__ = "vendor_rating_stats"

    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    ratings_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    item_as_described_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    shipping_speed_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    communication_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
