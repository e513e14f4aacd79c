"""`seed_demo()`: fill an empty database with a believable marketplace to click around in.

An admin, twelve independent shops (ten selling, one still applying, one suspended), the
category tree, products with variants, stock and pictures, buyers with past orders and
reviews, the payouts those orders led to, and a month of search analytics. Products go in with
bulk inserts in chunks, so a catalogue of 200,000 is a matter of minutes. It commits once the
orders are in, because the payout runs it replays commit (see `marketplace.demo.payouts`); the
caller commits what comes after (the `flask seed-demo` command does).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.accounts.services import hash_password
from marketplace.catalog.compliance import install_default_standards
from marketplace.catalog.models import Category, ProductStatus
from marketplace.demo import images
from marketplace.demo.catalog_writer import ImageLibrary, ProductWriter
from marketplace.demo.generator import generate_products
from marketplace.demo.orders import COMMISSION_FIXED_MINOR, COMMISSION_RATE_BPS, seed_orders
from marketplace.demo.payouts import replay_payouts
from marketplace.demo.people import VENDORS, generate_buyers
from marketplace.demo.reviews import seed_reviews
from marketplace.demo.search_log import seed_search_log
from marketplace.demo.taxonomy import category_tree
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders.models import Order
from marketplace.payments.connect import handle_gateway_event
from marketplace.payments.offline import (
    TEST_ACCOUNT_NUMBER,
    TEST_ROUTING_NUMBER,
    OfflineGateway,
    PayoutDetails,
)
from marketplace.payouts.models import CommissionRule
from marketplace.storage import get_storage
from marketplace.vendors.models import Vendor, VendorEvent, VendorStatus

DEMO_PASSWORD = "demo-password-1"
ADMIN_EMAIL = "admin@example.com"
BUYER_COUNT = 8
RECENT_SIGN_UPS = 4
SUSPENSION_REASON = (
    "Three orders in a month shipped after their ship-by date; selling is paused until the "
    "shop confirms its new dispatch process."
)


class DemoDataRefused(RuntimeError):
    """The database already has accounts; demo data goes only into an empty one."""


@dataclass
class SeedSummary:
    """What the seed created, and how to sign in to look at it."""

    categories: int = 0
    vendors: dict[str, int] = field(default_factory=dict)
    products: int = 0
    live_products: int = 0
    variants: int = 0
    images: int = 0
    image_files: int = 0
    buyers: int = 0
    orders: int = 0
    vendor_orders: int = 0
    payouts: int = 0
    searches: int = 0
    credentials: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0


def _refuse_if_populated() -> None:
    if db.session.scalar(select(func.count()).select_from(User)):
        raise DemoDataRefused(
            "The database already has user accounts; demo data is only loaded into an empty "
            "database. Point DATABASE_URL at a new database (or delete the SQLite file) and "
            "try again."
        )


def _vendors(password_hash: str, admin: User, now: datetime, logo_size: int) -> list[Vendor]:
    """One owner account and one shop per profile, with the audit trail of how it got there."""
    vendors = []
    for number, profile in enumerate(VENDORS, start=1):
        owner = User(
            email=f"vendor{number}@example.com",
            password_hash=password_hash,
            display_name=profile.owner_name,
            created_at=now - timedelta(days=400 - number * 7),
        )
        logo = images.vendor_logo(profile.display_name, number, logo_size)
        logo_key = f"demo/vendors/{profile.slug}.{logo.extension}"
        get_storage().save(logo_key, logo.data)
        applied_at = owner.created_at + timedelta(hours=1)
        selling = profile.status != VendorStatus.APPLIED
        vendor = Vendor(
            owner=owner,
            slug=profile.slug,
            display_name=profile.display_name,
            business_name=profile.business_name,
            country=profile.country,
            contact_email=owner.email,
            description=profile.description,
            status=profile.status,
            status_reason=SUSPENSION_REASON if profile.status == VendorStatus.SUSPENDED else None,
            charges_enabled=selling,
            payouts_enabled=selling,
            handling_days=profile.handling_days,
            logo_key=logo_key,
            created_at=applied_at,
            approved_at=applied_at + timedelta(days=2) if selling else None,
        )
        db.session.add_all([owner, vendor])
        db.session.flush()
        if selling:
            _onboard_offline(vendor)
        db.session.add_all(_vendor_events(vendor, admin, applied_at))
        vendors.append(vendor)
    db.session.flush()
    return vendors


def _onboard_offline(vendor: Vendor) -> None:
    """Give a selling demo shop an offline payout account, recorded as the gateway would."""
    gateway = OfflineGateway(signing_secret=str(current_app.config["SECRET_KEY"]))
    vendor.payout_gateway = gateway.name
    vendor.payout_account_id = gateway.create_connected_account(vendor)
    details = PayoutDetails(vendor.owner.display_name, TEST_ROUTING_NUMBER, TEST_ACCOUNT_NUMBER)
    handle_gateway_event(gateway.complete_onboarding(vendor.payout_account_id, details))


def _vendor_events(vendor: Vendor, admin: User, applied_at: datetime) -> list[VendorEvent]:
    """How the shop got to its status: applied by its owner, then decided by the admin."""
    events = [
        VendorEvent(
            vendor_id=vendor.id,
            actor_id=vendor.owner_id,
            kind="applied",
            to_status=VendorStatus.APPLIED,
            created_at=applied_at,
        )
    ]
    if vendor.approved_at:
        events.append(
            VendorEvent(
                vendor_id=vendor.id,
                actor_id=admin.id,
                kind="approved",
                from_status=VendorStatus.APPLIED,
                to_status=VendorStatus.APPROVED,
                created_at=vendor.approved_at,
            )
        )
    if vendor.status == VendorStatus.SUSPENDED:
        events.append(
            VendorEvent(
                vendor_id=vendor.id,
                actor_id=admin.id,
                kind="suspended",
                from_status=VendorStatus.APPROVED,
                to_status=VendorStatus.SUSPENDED,
                reason=SUSPENSION_REASON,
                created_at=applied_at + timedelta(days=300),
            )
        )
    return events


def seed_categories() -> dict[str, int]:
    """The demo category tree; returns the id of each category by path."""
    ids: dict[str, int] = {}
    for node in category_tree():
        category = Category(
            name=node.name,
            slug=node.slug,
            path=node.path,
            parent_id=ids.get(node.parent_path) if node.parent_path else None,
            required_attributes=list(node.required_attributes),
            position=node.position,
        )
        db.session.add(category)
        db.session.flush()
        ids[node.path] = category.id
    return ids


def _buyers(password_hash: str, seed: int, now: datetime) -> list[tuple[User, dict]]:
    """Buyer accounts with the address their orders ship to."""
    buyers = []
    for number, profile in enumerate(generate_buyers(BUYER_COUNT, seed)):
        user = User(
            email=profile.email,
            password_hash=password_hash,
            display_name=profile.display_name,
            created_at=now - timedelta(days=200 - number * 9),
        )
        db.session.add(user)
        address = {
            "name": profile.display_name,
            "line1": profile.line1,
            "city": profile.city,
            "region": profile.region,
            "postal_code": profile.postal_code,
            "country": profile.country,
        }
        buyers.append((user, address))
    db.session.flush()
    return buyers


def _recent_sign_ups(password_hash: str, seed: int, now: datetime) -> int:
    """A few accounts opened this month that have not bought yet (the admin's new buyers)."""
    profiles = generate_buyers(BUYER_COUNT + RECENT_SIGN_UPS, seed)[BUYER_COUNT:]
    for number, profile in enumerate(profiles):
        db.session.add(
            User(
                email=profile.email,
                password_hash=password_hash,
                display_name=profile.display_name,
                created_at=now - timedelta(days=3 + number * 6, hours=number * 5),
            )
        )
    db.session.flush()
    return len(profiles)


def extra_listings(products: int) -> int:
    """Listings each non-selling shop (the applying one, the suspended one) gets."""
    return min(250, max(3, products // 50))


def planned_products(products: int) -> int:
    """How many products `seed_demo(products)` writes in all (for a progress bar)."""
    others = sum(1 for profile in VENDORS if profile.status != VendorStatus.APPROVED)
    return products + others * extra_listings(products)


def seed_demo(
    products: int = 320,
    seed: int = 7,
    *,
    progress: Callable[[int], None] | None = None,
    image_size: int = 800,
) -> SeedSummary:
    """Create the demo marketplace (committed up to its payouts, the rest flushed).

    `products` is the number of live listings from the ten selling shops; the applying and
    the suspended shop add a few listings of their own. Raises `DemoDataRefused` if any user
    account exists. `progress` is called with the number of products written after each chunk.
    """
    _refuse_if_populated()
    started, now = time.perf_counter(), utcnow()
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash once
    admin = User(
        email=ADMIN_EMAIL,
        password_hash=password_hash,
        display_name="Marketplace Admin",
        is_admin=True,
        created_at=now - timedelta(days=420),
    )
    db.session.add(admin)
    db.session.flush()
    vendors = _vendors(password_hash, admin, now, logo_size=min(256, image_size))
    category_ids = seed_categories()
    install_default_standards()
    db.session.add(
        CommissionRule(
            category_id=None, rate_bps=COMMISSION_RATE_BPS, fixed_minor=COMMISSION_FIXED_MINOR
        )
    )
    library = ImageLibrary(image_size)
    writer = ProductWriter(vendors, category_ids, now, library, progress)
    approved = [i for i, p in enumerate(VENDORS) if p.status == VendorStatus.APPROVED]
    writer.write(generate_products(products, seed, vendors=approved), ProductStatus.LIVE)
    extra = extra_listings(products)
    for index, profile in enumerate(VENDORS):
        if profile.status == VendorStatus.APPROVED:
            continue
        # A suspended shop's listings stay live, hidden until it is reinstated.
        applying = profile.status == VendorStatus.APPLIED
        status = ProductStatus.DRAFT if applying else ProductStatus.LIVE
        start = products + index * extra
        writer.write(generate_products(extra, seed + index, vendors=[index], start=start), status)
    buyers = _buyers(password_hash, seed, now)
    _recent_sign_ups(password_hash, seed, now)
    selling = {i: kept for i, kept in writer.samples.items() if i in approved}
    placed = seed_orders(buyers, vendors, selling, seed=seed, now=now)
    db.session.flush()
    seed_reviews(seed=seed, now=now)
    oldest_order = db.session.scalar(select(func.min(Order.created_at)))
    paid = replay_payouts(since=oldest_order, now=now) if oldest_order else None
    searches = seed_search_log(seed=seed, now=now)

    counts = writer.summary_counts
    statuses: dict[str, int] = {}
    for vendor in vendors:
        statuses[vendor.status] = statuses.get(vendor.status, 0) + 1
    return SeedSummary(
        categories=len(category_ids),
        vendors=statuses,
        products=counts["products"],
        live_products=counts["live"],
        variants=counts["variants"],
        images=counts["images"],
        image_files=len(library.saved),
        buyers=len(buyers),
        orders=placed.orders,
        vendor_orders=placed.vendor_orders,
        payouts=paid.payouts if paid else 0,
        searches=searches,
        credentials=[
            ("Admin", ADMIN_EMAIL, DEMO_PASSWORD),
            (f"Vendor ({vendors[0].display_name})", vendors[0].owner.email, DEMO_PASSWORD),
            (f"Buyer ({buyers[0][0].display_name})", buyers[0][0].email, DEMO_PASSWORD),
        ],
        seconds=time.perf_counter() - started,
    )
