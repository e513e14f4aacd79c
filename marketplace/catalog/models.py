"""Catalog: categories, products, variants (SKUs), images, stock, and listing compliance."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
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
    from marketplace.vendors.models import Vendor

__all__ = [
    "Category",
    "CheckSeverity",
    "ListingCheck",
    "ModerationDecision",
    "Product",
    "ProductImage",
    "ProductStandard",
    "ProductStatus",
    "StockAdjustment",
    "Variant",
]


class ProductStatus(StrEnum):
    """draft → pending_review → live | rejected; live → delisted."""

    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    LIVE = "live"
    REJECTED = "rejected"
    DELISTED = "delisted"


class CheckSeverity(StrEnum):
    BLOCK = "block"
    REVIEW = "review"
    WARN = "warn"


class Category(db.Model):
    """A node of the category tree; `path` is the slash-joined slugs from the root."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    path: Mapped[str] = mapped_column(String(400), unique=True)
    required_attributes: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.position"
    )

    @property
    def depth(self) -> int:
        return self.path.count("/")


class Product(db.Model):
    """A listing by one vendor. Buyers see it only while live and its vendor can sell."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(one_of("status", ProductStatus), name="status_valid"),
        CheckConstraint("sales_count >= 0", name="sales_non_negative"),
        CheckConstraint(
            "rating_count >= 0 AND rating_sum >= rating_count AND rating_sum <= 5 * rating_count",
            name="rating_totals_valid",
        ),
        Index("ix_products_vendor_status", "vendor_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(240), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=ProductStatus.DRAFT, index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sales_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Totals of the published reviews, kept by the reviews service: listing pages and search
    # rank by rating without reading every review.
    rating_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    vendor: Mapped[Vendor] = relationship()
    category: Mapped[Category] = relationship()
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.position", cascade="all, delete-orphan"
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )

    @property
    def lowest_price_minor(self) -> int | None:
        prices = [v.price_minor for v in self.variants]
        return min(prices) if prices else None

    @property
    def in_stock(self) -> bool:
        return any(v.is_purchasable for v in self.variants)

    @property
    def rating_avg(self) -> float:
        """The mean star rating of the published reviews (0.0 without any)."""
        return self.rating_sum / self.rating_count if self.rating_count else 0.0


class Variant(db.Model):
    """A purchasable SKU. Stock on hand includes units reserved by unpaid orders."""

    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("vendor_id", "sku"),
        CheckConstraint("price_minor >= 0", name="price_non_negative"),
        CheckConstraint("stock_on_hand >= 0", name="stock_non_negative"),
        CheckConstraint("stock_reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("stock_reserved <= stock_on_hand", name="reserved_within_stock"),
        CheckConstraint("reorder_point >= 0", name="reorder_point_non_negative"),
        CheckConstraint("length(currency) = 3", name="currency_iso"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    # Denormalised from the product so a SKU can be unique per vendor in the schema itself.
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120), default="Default")
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    stock_on_hand: Mapped[int] = mapped_column(Integer, default=0)
    stock_reserved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reorder_point: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    allow_backorder: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    product: Mapped[Product] = relationship(back_populates="variants")

    @property
    def stock_available(self) -> int:
        return self.stock_on_hand - self.stock_reserved

    @property
    def is_purchasable(self) -> bool:
        return self.allow_backorder or self.stock_available > 0

    @property
    def is_low_stock(self) -> bool:
        return self.stock_available <= self.reorder_point


class ProductImage(db.Model):
    """An image stored through the storage interface, checked on upload."""

    __tablename__ = "product_images"
    __table_args__ = (
        CheckConstraint("width > 0 AND height > 0", name="dimensions_positive"),
        CheckConstraint("byte_size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    alt_text: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    product: Mapped[Product] = relationship(back_populates="images")


class StockAdjustment(db.Model):
    """Every change of stock on hand, with its reason, so stock can be explained."""

    __tablename__ = "stock_adjustments"
    __table_args__ = (CheckConstraint("delta <> 0", name="delta_non_zero"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProductStandard(db.Model):
    """An admin-configured listing rule: `kind` names the check, `params` configure it."""

    __tablename__ = "product_standards"
    __table_args__ = (CheckConstraint(one_of("severity", CheckSeverity), name="severity_valid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    severity: Mapped[str] = mapped_column(String(10), default=CheckSeverity.BLOCK)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingCheck(db.Model):
    """The result of running every applicable standard against one submission of a listing."""

    __tablename__ = "listing_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(16))
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModerationDecision(db.Model):
    """An admin's decision on a listing: who, when, what and why."""

    __tablename__ = "moderation_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
