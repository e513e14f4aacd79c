"""Orders: carts, one Order per checkout, one VendorOrder per vendor in it, lines with snapshots."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
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
    from marketplace.vendors.models import Vendor

__all__ = [
    "Cart",
    "CartItem",
    "Order",
    "OrderLine",
    "OrderStatus",
    "ShippingRate",
    "TaxRate",
    "VendorOrder",
    "VendorOrderStatus",
]

# The `country` of a shipping rate that applies to every country without a rate of its own.
ANY_COUNTRY = "*"


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    COMPLETED = "completed"


class VendorOrderStatus(StrEnum):
    """Each vendor's part of an order moves on its own: paid → accepted → shipped → delivered."""

    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    ACCEPTED = "accepted"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class Cart(db.Model):
    """A cart: a signed-out visitor's (by token) or a user's (one per user)."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )


class CartItem(db.Model):
    """A variant in a cart, with the price the buyer saw when adding it (to explain changes)."""

    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("seen_price_minor >= 0", name="seen_price_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    seen_price_minor: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="items")


class Order(db.Model):
    """One checkout: what the buyer pays once, split into one VendorOrder per vendor."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(one_of("status", OrderStatus), name="status_valid"),
        CheckConstraint("items_total_minor >= 0", name="items_non_negative"),
        CheckConstraint("shipping_total_minor >= 0", name="shipping_non_negative"),
        CheckConstraint("tax_total_minor >= 0", name="tax_non_negative"),
        CheckConstraint(
            "grand_total_minor = items_total_minor + shipping_total_minor + tax_total_minor",
            name="grand_total_adds_up",
        ),
        CheckConstraint("length(currency) = 3", name="currency_iso"),
        # The expiry sweep looks for unpaid orders whose reservation has run out.
        Index("ix_orders_status_reservation_expires_at", "status", "reservation_expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.PENDING_PAYMENT, index=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    items_total_minor: Mapped[int] = mapped_column(Integer, default=0)
    shipping_total_minor: Mapped[int] = mapped_column(Integer, default=0)
    tax_total_minor: Mapped[int] = mapped_column(Integer, default=0)
    grand_total_minor: Mapped[int] = mapped_column(Integer, default=0)
    email: Mapped[str] = mapped_column(String(254))
    shipping_address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reservation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    buyer: Mapped[User] = relationship()
    vendor_orders: Mapped[list[VendorOrder]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="VendorOrder.id"
    )


class VendorOrder(db.Model):
    """One vendor's part of an order: what it ships, what it earns, and its own state."""

    __tablename__ = "vendor_orders"
    __table_args__ = (
        UniqueConstraint("order_id", "vendor_id"),
        CheckConstraint(one_of("status", VendorOrderStatus), name="status_valid"),
        CheckConstraint("subtotal_minor >= 0", name="subtotal_non_negative"),
        CheckConstraint("shipping_minor >= 0", name="shipping_non_negative"),
        CheckConstraint("tax_minor >= 0", name="tax_non_negative"),
        CheckConstraint("commission_minor >= 0", name="commission_non_negative"),
        CheckConstraint(
            "vendor_net_minor = subtotal_minor + shipping_minor - commission_minor",
            name="net_adds_up",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    status: Mapped[str] = mapped_column(
        String(20), default=VendorOrderStatus.PENDING_PAYMENT, index=True
    )
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    subtotal_minor: Mapped[int] = mapped_column(Integer, default=0)
    shipping_minor: Mapped[int] = mapped_column(Integer, default=0)
    tax_minor: Mapped[int] = mapped_column(Integer, default=0)
    commission_minor: Mapped[int] = mapped_column(Integer, default=0)
    vendor_net_minor: Mapped[int] = mapped_column(Integer, default=0)
    shipping_method: Mapped[str | None] = mapped_column(String(80))
    ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Fulfilment milestones (marketplace.fulfilment): when the shop accepted the order, sent
    # its first parcel, had everything delivered, or cancelled it (and why).
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # When the shop was reminded that its ship-by date is near (once per vendor order).
    ship_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(back_populates="vendor_orders")
    vendor: Mapped[Vendor] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="vendor_order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )


class OrderLine(db.Model):
    """A purchased variant with the title, SKU and price as they were at purchase."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_minor >= 0", name="price_non_negative"),
        CheckConstraint("quantity_shipped BETWEEN 0 AND quantity", name="shipped_within_qty"),
        CheckConstraint("quantity_refunded BETWEEN 0 AND quantity", name="refunded_within_qty"),
        CheckConstraint("line_total_minor = unit_price_minor * quantity", name="total_adds_up"),
        CheckConstraint("tax_minor >= 0", name="tax_non_negative"),
        CheckConstraint("reserved_quantity BETWEEN 0 AND quantity", name="reserved_within_qty"),
        CheckConstraint(
            "quantity_cancelled >= 0 AND quantity_shipped + quantity_cancelled <= quantity",
            name="cancelled_within_unshipped",
        ),
        CheckConstraint(
            "quantity_returned BETWEEN 0 AND quantity_shipped", name="returned_within_shipped"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    # Indexed: the lazy reservation expiry looks lines up by the variants whose stock is read.
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variants.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    variant_name: Mapped[str] = mapped_column(String(120), default="")
    sku: Mapped[str] = mapped_column(String(64))
    unit_price_minor: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total_minor: Mapped[int] = mapped_column(Integer)
    tax_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quantity_shipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quantity_refunded: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Units the shop could not supply (cancelled before shipping, refunded) and units the buyer
    # sent back (refunded when received); see marketplace.fulfilment.
    quantity_cancelled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quantity_returned: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Units held in Variant.stock_reserved for this line while the order awaits payment. Less
    # than `quantity` only for a backorder variant that had fewer units left than were bought.
    reserved_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    vendor_order: Mapped[VendorOrder] = relationship(back_populates="lines")

    @property
    def quantity_to_ship(self) -> int:
        """Units neither shipped nor cancelled yet."""
        return self.quantity - self.quantity_shipped - self.quantity_cancelled


class ShippingRate(db.Model):
    """A vendor's shipping option to one country, or to every other country (`country` "*").

    Flat `rate_minor` per vendor order, free when the vendor order's items reach
    `free_over_minor` (when set). A vendor may offer several options per country (by name).
    """

    __tablename__ = "shipping_rates"
    __table_args__ = (
        UniqueConstraint("vendor_id", "country", "name"),
        CheckConstraint("rate_minor >= 0", name="rate_non_negative"),
        CheckConstraint(
            "free_over_minor IS NULL OR free_over_minor >= 0", name="free_over_non_negative"
        ),
        CheckConstraint("country = '*' OR length(country) = 2", name="country_code"),
        CheckConstraint("length(currency) = 3", name="currency_iso"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(80))
    rate_minor: Mapped[int] = mapped_column(Integer)
    free_over_minor: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_default(self) -> bool:
        return self.country == ANY_COUNTRY


class TaxRate(db.Model):
    """Tax charged on deliveries to a country, or to one region of it (`region` "" = all)."""

    __tablename__ = "tax_rates"
    __table_args__ = (
        UniqueConstraint("country", "region"),
        CheckConstraint("rate_bps BETWEEN 0 AND 10000", name="rate_range"),
        CheckConstraint("length(country) = 2", name="country_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(40), default="", server_default="")
    name: Mapped[str] = mapped_column(String(80))
    rate_bps: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
