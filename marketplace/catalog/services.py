"""Listing services: a vendor's products, variants, images and stock, always scoped to the vendor.

Every function takes the acting vendor and looks records up with `Product.vendor_id == vendor.id`
in the query itself, so an id from a URL or a form that belongs to another shop is simply "not
found". Functions validate everything before writing, flush but never commit.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from marketplace.accounts.models import User
from marketplace.catalog import compliance, images, lifecycle
from marketplace.catalog.models import (
    Category,
    Product,
    ProductImage,
    ProductStatus,
    StockAdjustment,
    Variant,
)
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.notifications.services import send_email
from marketplace.vendors.models import Vendor, VendorStatus
from marketplace.web import minor_unit_exponent

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
VARIANT_NAME_MAX = 120
MAX_VARIANTS = 50
MAX_ATTRIBUTES = 30
ATTRIBUTE_NAME_MAX = 60
ATTRIBUTE_VALUE_MAX = 200
STOCK_MAX = 1_000_000
PRICE_MAX_MINOR = 100_000_000_00
REASON_MAX = 200
SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
PRICE_PATTERN = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+")
LIST_PAGE_SIZE = 25
PATH_SEPARATOR = " \u203a "  # a single right angle quote between category names
# Statuses whose listings a buyer can (or is about to) see: stock alerts matter for these.
ALERTED_STATUSES = (ProductStatus.LIVE, ProductStatus.PENDING_REVIEW)
RESUBMITTED_STATUSES = (ProductStatus.LIVE, ProductStatus.PENDING_REVIEW)


class ListingNotFound(DomainError):
    """The record does not exist or belongs to another vendor (the two are never told apart)."""

    message = "That listing was not found in your shop."


class ListingInvalid(DomainError):
    """Input refused; `errors` maps a form field key to its messages."""

    message = "Some details need fixing before the listing can be saved."

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__()
        self.errors = errors


class PriceInvalid(DomainError):
    """A typed price that is not a non-negative amount in the currency's minor units."""


class StockError(DomainError):
    """A stock change that would leave impossible or unexplained stock."""


class ShopClosed(DomainError):
    message = "Your seller application was rejected, so listings can't be changed."


@dataclass
class VariantInput:
    """One row of the variants editor; `id` is None for a new variant."""

    sku: str
    price_minor: int
    name: str = "Default"
    currency: str = "USD"
    stock_on_hand: int = 0
    reorder_point: int = 0
    allow_backorder: bool = False
    id: int | None = None


@dataclass
class ProductInput:
    """The listing's own fields; `attributes` maps attribute names to values."""

    title: str
    category_id: int | None
    description: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


class Errors(dict[str, list[str]]):
    """Field key → messages, collected before anything is written."""

    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ListingInvalid(dict(self))


# --- money -------------------------------------------------------------------------------------


def listing_currencies() -> tuple[str, ...]:
    """Currencies vendors may price in: the marketplace's own unless configured (one cart)."""
    default = current_app.config.get("CURRENCY", "USD")
    return tuple(current_app.config.get("LISTING_CURRENCIES") or (default,))


def parse_price(text: str, currency: str) -> int:
    """Read a price typed in major units exactly (Decimal, never float): "24.99" USD is 2499."""
    raw = (text or "").strip()
    if not raw:
        raise PriceInvalid("Enter a price, like 24.99.")
    if raw.startswith("-"):
        raise PriceInvalid("A price can't be negative.")
    if not PRICE_PATTERN.fullmatch(raw):
        raise PriceInvalid("Enter the price as a number, like 24.99.")
    exponent = minor_unit_exponent(currency)
    try:
        amount = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise PriceInvalid("Enter the price as a number, like 24.99.") from None
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value():
        places = f"{exponent} decimal place{'s' if exponent != 1 else ''}"
        raise PriceInvalid(
            f"{currency} prices have at most {places}."
            if exponent
            else f"{currency} prices are whole numbers."
        )
    if minor > PRICE_MAX_MINOR:
        raise PriceInvalid("That price is too high.")
    return int(minor)


def format_price_input(minor: int | None, currency: str) -> str:
    """Minor units as the editor shows them: 2499 USD → "24.99" (no symbol, no grouping)."""
    if minor is None:
        return ""
    exponent = minor_unit_exponent(currency)
    return f"{Decimal(minor).scaleb(-exponent):.{exponent}f}"


# --- lookups -----------------------------------------------------------------------------------


def get_product(vendor: Vendor, product_id: int) -> Product:
    """The vendor's own product, or ListingNotFound."""
    product = db.session.scalar(
        select(Product).where(Product.id == product_id, Product.vendor_id == vendor.id)
    )
    if product is None:
        raise ListingNotFound()
    return product


def get_variant(vendor: Vendor, variant_id: int, *, for_update: bool = False) -> Variant:
    """The vendor's own variant (through its product), or ListingNotFound."""
    stmt = (
        select(Variant)
        .join(Product, Product.id == Variant.product_id)
        .where(Variant.id == variant_id, Product.vendor_id == vendor.id)
    )
    if for_update:
        stmt = stmt.with_for_update(of=Variant)
    variant = db.session.scalar(stmt)
    if variant is None:
        raise ListingNotFound()
    return variant


def list_products(
    vendor: Vendor, *, status: str | None = None, query: str = "", page: int = 1
) -> Pagination:
    """One page of the vendor's products, newest change first, filtered by status and text."""
    stmt = (
        select(Product)
        .where(Product.vendor_id == vendor.id)
        .options(selectinload(Product.variants), selectinload(Product.images))
        .order_by(Product.updated_at.desc(), Product.id.desc())
    )
    if status in set(ProductStatus):
        stmt = stmt.where(Product.status == status)
    words = query.strip()[:100]
    if words:
        pattern = f"%{words.lower()}%"
        sku_match = exists().where(
            Variant.product_id == Product.id, func.lower(Variant.sku).like(pattern)
        )
        stmt = stmt.where(or_(func.lower(Product.title).like(pattern), sku_match))
    return db.paginate(stmt, page=page, per_page=LIST_PAGE_SIZE, error_out=False)


def status_counts(vendor: Vendor) -> dict[str, int]:
    """How many of the vendor's products are in each status (every status present)."""
    rows = db.session.execute(
        select(Product.status, func.count())
        .where(Product.vendor_id == vendor.id)
        .group_by(Product.status)
    ).all()
    counts = {status.value: 0 for status in ProductStatus}
    counts.update({status: count for status, count in rows})
    return counts


def leaf_categories() -> list[tuple[Category, str]]:
    """Categories without children (the ones a product is listed in), with their full path names."""
    categories = list(db.session.scalars(select(Category)))
    by_id = {category.id: category for category in categories}
    parents = {category.parent_id for category in categories if category.parent_id}

    def full_name(category: Category) -> str:
        names = []
        node: Category | None = category
        while node is not None:
            names.append(node.name)
            node = by_id.get(node.parent_id) if node.parent_id else None
        return PATH_SEPARATOR.join(reversed(names))

    leaves = [(c, full_name(c)) for c in categories if c.id not in parents]
    return sorted(leaves, key=lambda pair: pair[1].lower())


def find_leaf_category(category_id: int | None) -> Category | None:
    """The category if it exists and has no children; else None."""
    if category_id is None:
        return None
    child = aliased(Category)
    return db.session.scalar(
        select(Category).where(
            Category.id == category_id, ~exists().where(child.parent_id == Category.id)
        )
    )


# --- validation --------------------------------------------------------------------------------


def require_open_shop(vendor: Vendor) -> None:
    if vendor.status == VendorStatus.REJECTED:
        raise ShopClosed()


def validate_product(data: ProductInput, errors: Errors) -> None:
    """Field rules for the listing itself (standards such as minimum lengths come at submission)."""
    data.title = " ".join((data.title or "").split())
    data.description = (data.description or "").strip()
    if not data.title:
        errors.add("title", "Enter a title.")
    elif len(data.title) > TITLE_MAX:
        errors.add("title", f"Use at most {TITLE_MAX} characters.")
    if len(data.description) > DESCRIPTION_MAX:
        errors.add("description", f"Use at most {DESCRIPTION_MAX:,} characters.")
    if find_leaf_category(data.category_id) is None:
        errors.add("category", "Choose a category from the list.")
    cleaned: dict[str, str] = {}
    for name, value in data.attributes.items():
        name, value = " ".join(str(name).split()), str(value).strip()
        if not name or not value:
            continue
        if len(name) > ATTRIBUTE_NAME_MAX or len(value) > ATTRIBUTE_VALUE_MAX:
            errors.add(
                "attributes",
                f"“{name[:30]}”: names have at most {ATTRIBUTE_NAME_MAX} characters and values "
                f"at most {ATTRIBUTE_VALUE_MAX}.",
            )
        cleaned[name] = value
    if len(cleaned) > MAX_ATTRIBUTES:
        errors.add("attributes", f"Use at most {MAX_ATTRIBUTES} attributes.")
    data.attributes = cleaned


def validate_variants(
    vendor: Vendor,
    rows: Sequence[VariantInput],
    errors: Errors,
    *,
    prefix: str = "variants",
    remove_ids: Iterable[int] = (),
) -> None:
    """Row rules, and SKU uniqueness across the vendor's whole catalogue (not just this product)."""
    if len(rows) > MAX_VARIANTS:
        errors.add(prefix, f"A listing has at most {MAX_VARIANTS} variants.")
    seen: dict[str, int] = {}
    currencies = listing_currencies()
    for index, row in enumerate(rows):
        key = f"{prefix}-{index}"
        row.sku = (row.sku or "").strip()
        row.name = " ".join((row.name or "").split()) or "Default"
        row.currency = (row.currency or "").strip().upper()
        if not SKU_PATTERN.fullmatch(row.sku):
            errors.add(
                f"{key}-sku",
                "Use 1 to 64 letters, digits, dots, dashes, underscores or slashes, "
                "starting with a letter or digit.",
            )
        elif row.sku in seen:
            errors.add(f"{key}-sku", f"SKU {row.sku} appears twice in this listing.")
        seen.setdefault(row.sku, index)
        if len(row.name) > VARIANT_NAME_MAX:
            errors.add(f"{key}-name", f"Use at most {VARIANT_NAME_MAX} characters.")
        if row.currency not in currencies:
            errors.add(f"{key}-currency", f"Choose one of: {', '.join(currencies)}.")
        if not 0 <= row.price_minor <= PRICE_MAX_MINOR:
            errors.add(f"{key}-price", "Enter a price of zero or more.")
        for name in ("stock_on_hand", "reorder_point"):
            if not 0 <= getattr(row, name) <= STOCK_MAX:
                errors.add(f"{key}-{name}", f"Enter a whole number from 0 to {STOCK_MAX:,}.")
    own_ids = {row.id for row in rows if row.id is not None} | set(remove_ids)
    _check_sku_owners(vendor, own_ids, seen, errors, prefix)


def _check_sku_owners(
    vendor: Vendor, own_ids: set[int], seen: dict[str, int], errors: Errors, prefix: str
) -> None:
    """A SKU held by another variant of this vendor (not one being edited) is refused."""
    if not seen:
        return
    holders = db.session.execute(
        select(Variant.id, Variant.sku, Product.title)
        .join(Product, Product.id == Variant.product_id)
        .where(Product.vendor_id == vendor.id, Variant.sku.in_(list(seen)))
    ).all()
    for variant_id, sku, title in holders:
        if variant_id in own_ids:
            continue
        errors.add(f"{prefix}-{seen[sku]}-sku", f"SKU {sku} is already used by “{title}”.")


# --- writing listings --------------------------------------------------------------------------


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", " and ")).strip("-")


def _unique_slug(title: str) -> str:
    """A readable slug with a random tail, so two listings with one title never collide."""
    base = _slugify(title)[:80].strip("-") or "listing"
    while True:
        slug = f"{base}-{secrets.token_hex(3)}"
        if db.session.scalar(select(Product.id).where(Product.slug == slug)) is None:
            return slug


def create_product(vendor: Vendor, data: ProductInput) -> Product:
    """A new draft listing of `vendor`."""
    require_open_shop(vendor)
    errors = Errors()
    validate_product(data, errors)
    errors.raise_if_any()
    product = Product(
        vendor_id=vendor.id,
        category_id=data.category_id,
        title=data.title,
        slug=_unique_slug(data.title),
        description=data.description,
        attributes=data.attributes,
        status=ProductStatus.DRAFT,
    )
    db.session.add(product)
    db.session.flush()
    return product


def update_product(vendor: Vendor, product_id: int, data: ProductInput) -> bool:
    """Change a listing's own fields; returns whether buyer-visible content changed."""
    require_open_shop(vendor)
    product = get_product(vendor, product_id)
    errors = Errors()
    validate_product(data, errors)
    errors.raise_if_any()
    new = (data.title, data.description, data.category_id, data.attributes)
    old = (product.title, product.description, product.category_id, product.attributes or {})
    if new == old:
        return False
    product.title, product.description = data.title, data.description
    product.category_id, product.attributes = data.category_id, dict(data.attributes)
    db.session.flush()
    return True


def upsert_variants(
    vendor: Vendor,
    product_id: int,
    rows: Sequence[VariantInput],
    *,
    remove_ids: Iterable[int] = (),
    actor_id: int | None = None,
    reason: str = "Set in the listing editor",
) -> bool:
    """Add, change and remove variants; returns whether buyer-visible content changed.

    A changed stock figure is recorded as a stock adjustment with `reason`.
    """
    require_open_shop(vendor)
    product = get_product(vendor, product_id)
    remove_ids = set(remove_ids)
    errors = Errors()
    validate_variants(vendor, rows, errors, remove_ids=remove_ids)
    errors.raise_if_any()
    current = {variant.id: variant for variant in product.variants}
    for variant_id in [*remove_ids, *(row.id for row in rows if row.id is not None)]:
        if variant_id not in current:
            raise ListingNotFound("That variant was not found in this listing.")
    changed = _remove_variants(product, [current[i] for i in sorted(remove_ids)])
    moves: list[tuple[Variant, int]] = []
    for row in rows:
        variant = current.get(row.id) if row.id is not None else None
        changed |= _write_variant(product, variant, row, moves)
    _flush_skus()
    for variant, delta in moves:
        db.session.add(
            StockAdjustment(variant_id=variant.id, delta=delta, reason=reason, actor_id=actor_id)
        )
    db.session.flush()
    for variant in product.variants:
        review_stock_alert(variant)
    return changed


def _remove_variants(product: Product, variants: list[Variant]) -> bool:
    for variant in variants:
        if variant.stock_reserved:
            raise StockError(
                f"Variant {variant.sku} has units reserved by unpaid orders; "
                "set its stock to zero instead of removing it."
            )
        clear_stock_alert(variant.id)
        product.variants.remove(variant)
    db.session.flush()
    return bool(variants)


def _write_variant(
    product: Product, variant: Variant | None, row: VariantInput, moves: list[tuple[Variant, int]]
) -> bool:
    """Create or update one variant; returns whether buyer-visible content changed."""
    content = (row.sku, row.name, row.price_minor, row.currency)
    if variant is None:
        variant = Variant(vendor_id=product.vendor_id, stock_on_hand=0, stock_reserved=0)
        variant.position = len(product.variants)
        product.variants.append(variant)
        changed = True
    else:
        changed = content != (variant.sku, variant.name, variant.price_minor, variant.currency)
    variant.sku, variant.name, variant.price_minor, variant.currency = content
    variant.reorder_point, variant.allow_backorder = row.reorder_point, row.allow_backorder
    delta = row.stock_on_hand - variant.stock_on_hand
    if delta:
        if row.stock_on_hand < variant.stock_reserved:
            raise StockError(
                f"{variant.sku}: {variant.stock_reserved} units are reserved by unpaid orders, "
                "so stock on hand can't go below that."
            )
        variant.stock_on_hand = row.stock_on_hand
        moves.append((variant, delta))
    return changed


def _flush_skus() -> None:
    """Flush, turning a SKU taken by a concurrent request into a field error, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ListingInvalid(
            {"variants": ["One of these SKUs was just taken by another listing; pick another."]}
        ) from None


def save_listing(
    vendor: Vendor,
    product_id: int | None,
    data: ProductInput,
    rows: Sequence[VariantInput],
    *,
    remove_ids: Iterable[int] = (),
    actor_id: int | None = None,
) -> Product:
    """Create or edit a listing with its variants at once, reporting every field error together.

    Changing what buyers see of a live (or waiting) listing sends it through submission again.
    """
    require_open_shop(vendor)
    if product_id is not None:
        get_product(vendor, product_id)  # someone else's id is "not found" before anything else
    remove_ids = set(remove_ids)
    errors = Errors()
    validate_product(data, errors)
    validate_variants(vendor, rows, errors, remove_ids=remove_ids)
    errors.raise_if_any()
    if product_id is None:
        product, changed = create_product(vendor, data), False
    else:
        changed = update_product(vendor, product_id, data)
        product = get_product(vendor, product_id)
    changed |= upsert_variants(vendor, product.id, rows, remove_ids=remove_ids, actor_id=actor_id)
    if changed:
        resubmit_after_change(vendor, product, actor_id=actor_id)
    return product


def resubmit_after_change(vendor: Vendor, product: Product, *, actor_id: int | None) -> bool:
    """New content on a live or waiting listing is checked again before buyers see it."""
    if product.status not in RESUBMITTED_STATUSES:
        return False
    compliance.submit_listing(product.id, vendor.id)  # a waiting listing is simply checked again
    return True


def submit_for_review(vendor: Vendor, product_id: int) -> Product:
    """Send a listing to the standards check (and review, when needed)."""
    require_open_shop(vendor)
    product = get_product(vendor, product_id)
    if product.status == ProductStatus.PENDING_REVIEW:
        raise DomainError("This listing is already waiting for its check or review.")
    if not product.variants:
        raise ListingInvalid({"variants": ["Add at least one variant with a price to submit."]})
    return compliance.submit_listing(product.id, vendor.id)


def delist_product(vendor: Vendor, product_id: int, *, actor_id: int | None) -> Product:
    """Take the vendor's own live listing off the storefront."""
    product = get_product(vendor, product_id)
    if product.status != ProductStatus.LIVE:
        raise DomainError("Only a live listing can be delisted.")
    lifecycle.change_product_status(product, ProductStatus.DELISTED, actor_id=actor_id)
    db.session.flush()
    return product


# --- images ------------------------------------------------------------------------------------


def max_images() -> int:
    return int(current_app.config.get("MAX_IMAGES_PER_PRODUCT", 10))


def add_images(
    vendor: Vendor, product_id: int, uploads: Sequence[Any], *, actor_id: int | None = None
) -> list[ProductImage]:
    """Check every upload first, then store them all (or none) at the end of the gallery."""
    require_open_shop(vendor)
    product = get_product(vendor, product_id)
    room = max_images() - len(product.images)
    if not uploads:
        raise images.ImageRejected("Choose at least one image to upload.")
    if len(uploads) > room:
        raise images.ImageRejected(
            f"A listing has at most {max_images()} images; you can add {max(room, 0)} more."
        )
    checked = []
    for upload in uploads:
        try:
            checked.append(images.validate_image(upload))
        except images.ImageRejected as error:
            name = (getattr(upload, "filename", None) or "The file")[:80]
            raise images.ImageRejected(f"{name}: {error.message}") from None
    position = max((image.position for image in product.images), default=-1) + 1
    added = []
    for offset, image in enumerate(checked):
        record = ProductImage(
            storage_key=images.store_image(product.id, image),
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            byte_size=image.byte_size,
            position=position + offset,
        )
        product.images.append(record)
        added.append(record)
    db.session.flush()
    resubmit_after_change(vendor, product, actor_id=actor_id)
    return added


def add_image(vendor: Vendor, product_id: int, upload: Any) -> ProductImage:
    """Add one checked image to the vendor's listing."""
    return add_images(vendor, product_id, [upload])[0]


def _get_image(vendor: Vendor, product_id: int, image_id: int) -> ProductImage:
    image = db.session.scalar(
        select(ProductImage)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            ProductImage.id == image_id,
            ProductImage.product_id == product_id,
            Product.vendor_id == vendor.id,
        )
    )
    if image is None:
        raise ListingNotFound("That image was not found in this listing.")
    return image


def remove_image(
    vendor: Vendor, product_id: int, image_id: int, *, actor_id: int | None = None
) -> str:
    """Drop an image from the listing; returns its storage key for deletion after commit."""
    require_open_shop(vendor)
    image = _get_image(vendor, product_id, image_id)
    product = image.product
    key = image.storage_key
    product.images.remove(image)
    for position, other in enumerate(product.images):
        other.position = position
    db.session.flush()
    resubmit_after_change(vendor, product, actor_id=actor_id)
    return key


def move_image(vendor: Vendor, product_id: int, image_id: int, step: int) -> None:
    """Move an image one place earlier (step -1) or later (+1); the first one is the cover."""
    require_open_shop(vendor)
    image = _get_image(vendor, product_id, image_id)
    gallery = list(image.product.images)
    index = gallery.index(image)
    target = min(max(index + (1 if step > 0 else -1), 0), len(gallery) - 1)
    gallery.insert(target, gallery.pop(index))
    for position, other in enumerate(gallery):
        other.position = position
    db.session.flush()
    db.session.expire(image.product, ["images"])  # reload in the new order


def set_alt_texts(vendor: Vendor, product_id: int, texts: dict[int, str]) -> None:
    """Describe images for people using screen readers (and for search engines)."""
    require_open_shop(vendor)
    product = get_product(vendor, product_id)
    by_id = {image.id: image for image in product.images}
    errors = Errors()
    for image_id, text in texts.items():
        if image_id not in by_id:
            raise ListingNotFound("That image was not found in this listing.")
        text = " ".join((text or "").split())
        if len(text) > 200:
            errors.add(f"alt-{image_id}", "Use at most 200 characters.")
        by_id[image_id].alt_text = text
    errors.raise_if_any()
    db.session.flush()


# --- stock -------------------------------------------------------------------------------------


def adjust_stock(
    vendor: Vendor, variant_id: int, delta: int, reason: str, actor_id: int | None
) -> StockAdjustment:
    """Change stock on hand by `delta`, recording why; never below what orders have reserved."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise StockError("Say why the stock changes, like “Delivery from supplier”.")
    if len(reason) > REASON_MAX:
        raise StockError(f"Keep the reason to {REASON_MAX} characters.")
    if delta == 0:
        raise StockError("Enter a change other than zero: 5 adds five units, -2 removes two.")
    variant = get_variant(vendor, variant_id, for_update=True)
    new_on_hand = variant.stock_on_hand + delta
    if new_on_hand < 0:
        raise StockError(f"Only {variant.stock_on_hand} units are on hand to remove.")
    if new_on_hand < variant.stock_reserved:
        raise StockError(
            f"{variant.stock_reserved} units are reserved by unpaid orders; you can remove at "
            f"most {variant.stock_available}."
        )
    if new_on_hand > STOCK_MAX:
        raise StockError(f"Stock on hand can be at most {STOCK_MAX:,}.")
    variant.stock_on_hand = new_on_hand
    adjustment = StockAdjustment(
        variant_id=variant.id, delta=delta, reason=reason, actor_id=actor_id
    )
    db.session.add(adjustment)
    db.session.flush()
    review_stock_alert(variant)
    return adjustment


def stock_history(
    vendor: Vendor, product_id: int, limit: int = 50
) -> list[tuple[StockAdjustment, Variant, str | None]]:
    """The latest stock adjustments of a listing's variants, with who made them."""
    rows = db.session.execute(
        select(StockAdjustment, Variant, User.display_name)
        .join(Variant, Variant.id == StockAdjustment.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .outerjoin(User, User.id == StockAdjustment.actor_id)
        .where(Product.id == product_id, Product.vendor_id == vendor.id)
        .order_by(StockAdjustment.created_at.desc(), StockAdjustment.id.desc())
        .limit(limit)
    ).all()
    return [(adjustment, variant, name) for adjustment, variant, name in rows]


def _alert_key(variant_id: int) -> str:
    return f"low-stock:{variant_id}"


def clear_stock_alert(variant_id: int) -> None:
    """Forget the raised alert, so the next fall to the reorder point alerts again."""
    notice = db.session.scalar(
        select(Notification).where(Notification.dedupe_key == _alert_key(variant_id))
    )
    if notice is not None:
        notice.dedupe_key = None


def review_stock_alert(variant: Variant) -> Notification | None:
    """Alert the owner once when available stock reaches the reorder point; re-arm above it."""
    if not variant.is_low_stock:
        clear_stock_alert(variant.id)
        return None
    product = variant.product
    if product.status not in ALERTED_STATUSES:
        return None
    key = _alert_key(variant.id)
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
        return None
    vendor = product.vendor
    label = product.title if len(product.title) <= 120 else product.title[:119] + "…"
    message = (
        f"Low stock: {label} ({variant.sku}) has {variant.stock_available} available, "
        f"at or below your reorder point of {variant.reorder_point}."
    )
    notice = Notification(
        user_id=vendor.owner_id,
        kind="low_stock",
        message=message,
        link=f"/sell/listings/{product.id}/stock",
        dedupe_key=key,
    )
    try:
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:
        return None  # another request raised the same alert a moment ago
    body = (
        f"{message}\n\nRestock it from your seller dashboard (Listings → {label} → Stock) "
        "so buyers can keep ordering."
    )
    send_email(
        vendor.contact_email,
        f"Low stock: {variant.sku}",
        body,
        kind="low_stock",
        user_id=vendor.owner_id,
    )
    return notice
