"""The shopping cart: one per signed-in buyer, or per browser for visitors (by a random token).

A visitor's cart is found by `Cart.token`, kept in a signed, HttpOnly cookie (the web layer sets
it); on sign-in it is merged into the account's cart. Only purchasable variants of products that
buyers may find can be added. Stock and prices are re-checked whenever the cart is shown
(`review`): lines that can no longer be bought are removed, quantities above the stock left are
lowered, and changed prices are taken over, each with a notice that tells the buyer what changed.
Services flush and never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload

from marketplace.catalog.models import Product, Variant
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders.exceptions import (
    CartItemNotFound,
    InvalidQuantity,
    ItemUnavailable,
    MixedCurrencies,
)
from marketplace.orders.models import Cart, CartItem
from marketplace.orders.pricing import LineInput
from marketplace.orders.reservations import expire as expire_reservations
from marketplace.search.documents import searchable_condition
from marketplace.vendors.models import Vendor
from marketplace.web import format_money

CART_COOKIE = "cart"
CART_COOKIE_SALT = "cart-token"
CART_COOKIE_MAX_AGE = 60 * 60 * 24 * 30  # a visitor's cart is kept a month
MAX_LINE_QUANTITY = 99


@dataclass(frozen=True)
class Notice:
    """A change the buyer must be told about: `kind` is removed, reduced, price_up, price_down,
    capped or merged."""

    kind: str
    message: str
    variant_id: int | None = None


@dataclass
class CartLine:
    """A cart item with the variant, product and vendor it stands for."""

    item: CartItem
    variant: Variant

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def vendor(self) -> Vendor:
        return self.variant.product.vendor

    @property
    def unit_price_minor(self) -> int:
        return self.variant.price_minor

    @property
    def line_total_minor(self) -> int:
        return self.variant.price_minor * self.item.quantity

    @property
    def max_quantity(self) -> int:
        """The most the buyer may have of it: the stock left, unless the vendor backorders."""
        if self.variant.allow_backorder:
            return MAX_LINE_QUANTITY
        return max(0, min(self.variant.stock_available, MAX_LINE_QUANTITY))

    @property
    def label(self) -> str:
        return describe(self.variant)

    def as_input(self) -> LineInput:
        return LineInput(
            vendor_id=self.vendor.id,
            vendor_name=self.vendor.display_name,
            variant_id=self.variant.id,
            product_id=self.product.id,
            category_id=self.product.category_id,
            title=self.product.title,
            variant_name=self.variant.name,
            sku=self.variant.sku,
            unit_price_minor=self.variant.price_minor,
            quantity=self.item.quantity,
        )


@dataclass
class VendorGroup:
    vendor: Vendor
    lines: list[CartLine] = field(default_factory=list)

    @property
    def subtotal_minor(self) -> int:
        return sum(line.line_total_minor for line in self.lines)


@dataclass
class CartReview:
    """The cart after its re-check: lines grouped by vendor, and what changed."""

    cart: Cart | None
    groups: list[VendorGroup]
    notices: list[Notice]

    @property
    def lines(self) -> list[CartLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def count(self) -> int:
        return sum(line.item.quantity for line in self.lines)

    @property
    def currencies(self) -> list[str]:
        return sorted({line.variant.currency for line in self.lines})

    @property
    def currency(self) -> str:
        """The cart's one currency; raises MixedCurrencies when it has several."""
        found = self.currencies
        if len(found) > 1:
            raise MixedCurrencies()
        return found[0] if found else current_app.config.get("CURRENCY", "USD")

    @property
    def subtotal_minor(self) -> int:
        return sum(group.subtotal_minor for group in self.groups)

    def inputs(self) -> list[LineInput]:
        return [line.as_input() for line in self.lines]


def describe(variant: Variant) -> str:
    """How a buyer recognises a line: the product title, with the option when it has one."""
    if variant.name and variant.name != "Default":
        return f"{variant.product.title} ({variant.name})"
    return variant.product.title


# ---------------------------------------------------------------------------------------------
# The visitor's cookie


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=CART_COOKIE_SALT)


def sign_token(token: str) -> str:
    """The cookie value for a cart token (signed: a visitor can't guess another's cart)."""
    return _serializer().dumps(token)


def read_token(cookie_value: str | None) -> str | None:
    """The cart token in a cookie, or None when absent or tampered with."""
    if not cookie_value:
        return None
    try:
        token = _serializer().loads(cookie_value)
    except BadSignature:
        return None
    return token if isinstance(token, str) and 20 <= len(token) <= 64 else None


def new_token() -> str:
    return secrets.token_urlsafe(32)


# ---------------------------------------------------------------------------------------------
# Finding carts


def find_cart(user_id: int | None, token: str | None) -> Cart | None:
    """The signed-in buyer's cart, or the visitor's by token (never an account's by token)."""
    if user_id is not None:
        return db.session.scalars(select(Cart).where(Cart.user_id == user_id)).first()
    if token:
        stmt = select(Cart).where(Cart.token == token, Cart.user_id.is_(None))
        return db.session.scalars(stmt).first()
    return None


def get_or_create_cart(user_id: int | None, token: str | None) -> Cart:
    """The cart to add to; a new one gets a fresh token (the caller sets the visitor's cookie)."""
    cart = find_cart(user_id, token)
    if cart is None:
        cart = Cart(user_id=user_id, token=new_token())
        db.session.add(cart)
        db.session.flush()
    return cart


def item_count(user_id: int | None, token: str | None) -> int:
    """Units in the cart, for the header (one query)."""
    stmt = select(func.coalesce(func.sum(CartItem.quantity), 0)).join(Cart)
    if user_id is not None:
        stmt = stmt.where(Cart.user_id == user_id)
    elif token:
        stmt = stmt.where(Cart.token == token, Cart.user_id.is_(None))
    else:
        return 0
    return int(db.session.scalar(stmt) or 0)


# ---------------------------------------------------------------------------------------------
# Changing the cart


def _variant(variant_id: int) -> Variant | None:
    stmt = (
        select(Variant)
        .where(Variant.id == variant_id)
        .options(joinedload(Variant.product).joinedload(Product.vendor))
        .execution_options(populate_existing=True)  # stock moves under us: read it fresh
    )
    return db.session.scalars(stmt).first()


def sellable_variant_ids(variant_ids: Sequence[int]) -> set[int]:
    """Which of these variants can be bought now: purchasable, of a product buyers may find."""
    if not variant_ids:
        return set()
    # An alias: the searchable condition's own EXISTS over variants must not correlate to ours.
    wanted = aliased(Variant)
    stmt = (
        select(wanted.id)
        .join(Product, Product.id == wanted.product_id)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(
            wanted.id.in_(variant_ids),
            searchable_condition(),
            or_(wanted.allow_backorder.is_(True), wanted.stock_on_hand > wanted.stock_reserved),
        )
    )
    return set(db.session.scalars(stmt))


def _parse_quantity(quantity: object) -> int:
    try:
        value = int(str(quantity).strip())
    except (TypeError, ValueError):
        raise InvalidQuantity("Enter the quantity as a whole number.") from None
    if value < 0:
        raise InvalidQuantity()
    return value


def add_item(cart: Cart, variant_id: int, quantity: object = 1) -> Notice:
    """Put `quantity` more of a variant in the cart (capped by the stock left)."""
    wanted = _parse_quantity(quantity)
    if wanted < 1:
        raise InvalidQuantity()
    expire_reservations(utcnow(), variant_ids=[variant_id])
    variant = _variant(variant_id)
    if variant is None or variant.id not in sellable_variant_ids([variant_id]):
        raise ItemUnavailable()
    item = next((i for i in cart.items if i.variant_id == variant.id), None)
    existing = item.quantity if item else 0
    line = CartLine(item or CartItem(quantity=0), variant)
    new_quantity = min(existing + wanted, line.max_quantity)
    if new_quantity <= existing:
        raise ItemUnavailable(
            f"You already have {existing} of {describe(variant)} in your cart: that's all there is."
        )
    if item is None:
        item = CartItem(cart=cart, variant_id=variant.id, quantity=new_quantity)
        db.session.add(item)
    item.quantity = new_quantity
    item.seen_price_minor = variant.price_minor  # the price on the page the buyer added from
    cart.updated_at = utcnow()
    db.session.flush()
    if new_quantity < existing + wanted:
        return Notice(
            "capped",
            f"Only {new_quantity} of {describe(variant)} can be bought, so your cart has "
            f"{new_quantity}.",
            variant.id,
        )
    return Notice("added", f"Added {describe(variant)} to your cart.", variant.id)


def _item(cart: Cart, item_id: int) -> CartItem:
    item = next((i for i in cart.items if i.id == item_id), None)
    if item is None:
        raise CartItemNotFound()
    return item


def set_quantity(cart: Cart, item_id: int, quantity: object) -> Notice:
    """Change a line's quantity (0 removes it), capped by the stock left."""
    wanted = _parse_quantity(quantity)
    item = _item(cart, item_id)
    if wanted == 0:
        return remove_item(cart, item_id)
    variant = _variant(item.variant_id)
    if variant is None:
        raise CartItemNotFound()
    expire_reservations(utcnow(), variant_ids=[variant.id])
    variant = _variant(item.variant_id) or variant
    line = CartLine(item, variant)
    new_quantity = min(wanted, line.max_quantity)
    if new_quantity < 1:
        raise ItemUnavailable(f"{describe(variant)} is sold out. Remove it from your cart.")
    item.quantity = new_quantity
    cart.updated_at = utcnow()
    db.session.flush()
    if new_quantity < wanted:
        return Notice(
            "capped",
            f"Only {new_quantity} of {describe(variant)} can be bought, so your cart has "
            f"{new_quantity}.",
            variant.id,
        )
    return Notice("updated", f"{describe(variant)}: quantity {new_quantity}.", variant.id)


def remove_item(cart: Cart, item_id: int) -> Notice:
    item = _item(cart, item_id)
    variant = _variant(item.variant_id)
    label = describe(variant) if variant else "The item"
    cart.items.remove(item)
    cart.updated_at = utcnow()
    db.session.flush()
    return Notice("removed", f"Removed {label} from your cart.", item.variant_id)


# ---------------------------------------------------------------------------------------------
# Re-checking


def _money(minor: int, currency: str) -> str:
    return format_money(minor, currency)


def _recheck(line: CartLine, sellable: set[int]) -> Notice | None:
    """Bring one line in line with the catalog; the notice says what changed (None: nothing)."""
    item, variant = line.item, line.variant
    label = describe(variant)
    if variant.id not in sellable:
        return Notice("removed", f"{label} is no longer available and was removed.", variant.id)
    notice = None
    if item.quantity > line.max_quantity:
        before, item.quantity = item.quantity, line.max_quantity
        notice = Notice(
            "reduced",
            f"Only {item.quantity} of {label} left: your quantity went from {before} to "
            f"{item.quantity}.",
            variant.id,
        )
    if variant.price_minor != item.seen_price_minor:
        went = "went up" if variant.price_minor > item.seen_price_minor else "went down"
        message = (
            f"The price of {label} {went} from {_money(item.seen_price_minor, variant.currency)}"
            f" to {_money(variant.price_minor, variant.currency)}."
        )
        item.seen_price_minor = variant.price_minor  # told now; not again
        if notice is not None:
            message = f"{notice.message} {message}"
        notice = Notice("price_up" if went == "went up" else "price_down", message, variant.id)
    return notice


def load_lines(cart: Cart) -> list[CartLine]:
    """The cart's items with their variants, products and vendors (one query for all)."""
    variant_ids = [item.variant_id for item in cart.items]
    if not variant_ids:
        return []
    stmt = (
        select(Variant)
        .where(Variant.id.in_(variant_ids))
        .options(
            joinedload(Variant.product).joinedload(Product.vendor),
            joinedload(Variant.product).selectinload(Product.images),
        )
        .execution_options(populate_existing=True)  # stock moves under us: read it fresh
    )
    variants = {variant.id: variant for variant in db.session.scalars(stmt)}
    return [CartLine(item, variants[item.variant_id]) for item in cart.items]


def review(cart: Cart | None) -> CartReview:
    """Re-check stock and prices, fix the cart to match, and group what is left by vendor."""
    if cart is None or not cart.items:
        return CartReview(cart, [], [])
    expire_reservations(utcnow(), variant_ids=[item.variant_id for item in cart.items])
    lines = load_lines(cart)
    sellable = sellable_variant_ids([line.variant.id for line in lines])
    notices: list[Notice] = []
    kept: list[CartLine] = []
    for line in lines:
        notice = _recheck(line, sellable)
        if notice is not None:
            notices.append(notice)
        if notice is not None and notice.kind == "removed":
            cart.items.remove(line.item)
        else:
            kept.append(line)
    if notices:
        cart.updated_at = utcnow()
    db.session.flush()
    return CartReview(cart, group_lines(kept), notices)


def group_lines(lines: Sequence[CartLine]) -> list[VendorGroup]:
    """Lines per vendor, vendors in the order their first line was added."""
    groups: dict[int, VendorGroup] = {}
    for line in lines:
        groups.setdefault(line.vendor.id, VendorGroup(line.vendor)).lines.append(line)
    return list(groups.values())


# ---------------------------------------------------------------------------------------------
# Sign-in


def merge_guest_cart(token: str | None, user_id: int) -> list[Notice]:
    """Move a visitor's cart into the account's on sign-in: quantities add up, capped by stock.

    Without an account cart the visitor's simply becomes the account's. What can no longer be
    bought is left for `review` to remove and explain when the cart is next shown.
    """
    guest = find_cart(None, token)
    if guest is None or not guest.items:
        return []
    mine = find_cart(user_id, None)
    if mine is None:
        guest.user_id = user_id
        guest.updated_at = utcnow()
        db.session.flush()
        return [Notice("merged", "Your cart from before you signed in is kept.")]
    notices = []
    lines = {line.variant.id: line for line in load_lines(guest)}
    for guest_item in list(guest.items):
        line = lines[guest_item.variant_id]
        existing = next((i for i in mine.items if i.variant_id == guest_item.variant_id), None)
        total = guest_item.quantity + (existing.quantity if existing else 0)
        capped = max(1, min(total, line.max_quantity))
        if existing is None:
            existing = CartItem(
                variant_id=guest_item.variant_id,
                quantity=capped,
                seen_price_minor=guest_item.seen_price_minor,
            )
            mine.items.append(existing)
        existing.quantity = capped
        if capped < total:
            notices.append(
                Notice(
                    "capped",
                    f"Only {capped} of {line.label} can be bought, so your cart has {capped}.",
                    line.variant.id,
                )
            )
    db.session.delete(guest)  # its items go with it
    mine.updated_at = utcnow()
    db.session.flush()
    notices.insert(
        0, Notice("merged", "We added the items from before you signed in to your cart.")
    )
    return notices


def empty(cart: Cart) -> None:
    """Take every item out (after the order that bought them is placed)."""
    cart.items.clear()
    cart.updated_at = utcnow()
    db.session.flush()
