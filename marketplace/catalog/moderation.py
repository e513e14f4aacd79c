"""Listing moderation: the review queue and an admin's approve, reject and delist decisions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.catalog.compliance import (
    ListingNotFound,
    latest_checks,
    listing_link,
    notify_vendor,
)
from marketplace.catalog.lifecycle import change_product_status, ensure_transition
from marketplace.catalog.models import ListingCheck, ModerationDecision, Product, ProductStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.vendors import onboarding

REASON_MAX = 1000


class ReasonRequired(DomainError):
    """Rejecting or delisting needs a reason, because the vendor is told it."""

    message = "Give a reason; the seller sees it."


class VendorCannotSell(DomainError):
    """A listing of a shop that is not approved and payable cannot go live."""


def moderation_queue() -> list[tuple[Product, ListingCheck | None]]:
    """Listings waiting for review with their latest check, the longest-waiting first."""
    products = list(
        db.session.scalars(
            select(Product)
            .where(Product.status == ProductStatus.PENDING_REVIEW)
            .options(
                joinedload(Product.vendor),
                joinedload(Product.category),
                selectinload(Product.variants),
                selectinload(Product.images),
            )
            .order_by(Product.updated_at, Product.id)
        )
    )
    checks = latest_checks([p.id for p in products])
    return [(product, checks.get(product.id)) for product in products]


def _clean_reason(reason: str | None) -> str:
    cleaned = (reason or "").strip()
    if not cleaned:
        raise ReasonRequired()
    if len(cleaned) > REASON_MAX:
        raise ReasonRequired(f"Keep the reason under {REASON_MAX} characters.")
    return cleaned


def _listing(product_id: int, to_status: ProductStatus) -> Product:
    """The listing, refused before anything changes when it cannot move to `to_status`."""
    product = db.session.scalars(
        select(Product).where(Product.id == product_id).options(joinedload(Product.vendor))
    ).first()
    if product is None:
        raise ListingNotFound()
    ensure_transition(product, to_status)
    return product


def _decide(product: Product, moderator_id: int, decision: str, reason: str | None) -> None:
    db.session.add(
        ModerationDecision(
            product_id=product.id,
            moderator_id=moderator_id,
            decision=decision,
            reason=reason,
            created_at=utcnow(),
        )
    )


def approve_listing(product_id: int, moderator_id: int) -> Product:
    """Publish a listing waiting for review, if its shop can sell."""
    product = _listing(product_id, ProductStatus.LIVE)
    vendor = product.vendor
    if not vendor.can_sell:
        raise VendorCannotSell(
            f"{vendor.display_name} can't sell yet (the shop must be approved and able to "
            "receive payouts), so this listing cannot go live; it stays in the queue."
        )
    change_product_status(product, ProductStatus.LIVE, actor_id=moderator_id)
    _decide(product, moderator_id, "approved", None)
    notify_vendor(
        vendor,
        "listing_approved",
        f"“{product.title}” was approved and is live.",
        link=listing_link(product.id),
        email=(
            "Your listing is live",
            f"A moderator approved “{product.title}”; buyers can find and buy it now.\n\n"
            f"Your listing: {listing_link(product.id, external=True)}\n",
        ),
    )
    db.session.flush()
    return product


def _refuse(product_id: int, moderator_id: int, reason: str | None, to: ProductStatus) -> Product:
    """Reject or delist: record the decision, tell the vendor, count a strike."""
    cleaned = _clean_reason(reason)
    product = _listing(product_id, to)
    change_product_status(product, to, actor_id=moderator_id)
    _decide(product, moderator_id, str(to), cleaned)
    word = "rejected" if to == ProductStatus.REJECTED else "delisted"
    then = (
        "Fix it and submit it again."
        if to == ProductStatus.REJECTED
        else "It no longer appears in the storefront; fix it and submit it again to relist it."
    )
    notify_vendor(
        product.vendor,
        f"listing_{word}",
        f"“{product.title}” was {word}: {cleaned}",
        link=listing_link(product.id),
        email=(
            f"Your listing was {word}",
            f"A moderator {word} “{product.title}”, for this reason:\n\n{cleaned}\n\n{then}\n\n"
            f"Your listing: {listing_link(product.id, external=True)}\n",
        ),
    )
    onboarding.add_strike(
        product.vendor_id,
        actor_id=moderator_id,
        reason=f"Listing “{product.title}” was {word}: {cleaned}",
    )
    db.session.flush()
    return product


def reject_listing(product_id: int, moderator_id: int, reason: str | None) -> Product:
    """Send a waiting listing back to its vendor with the moderator's reason (and a strike)."""
    return _refuse(product_id, moderator_id, reason, ProductStatus.REJECTED)


def delist_listing(product_id: int, moderator_id: int, reason: str | None) -> Product:
    """Take a live listing off the storefront with the moderator's reason (and a strike)."""
    return _refuse(product_id, moderator_id, reason, ProductStatus.DELISTED)
