"""Re-checking live listings after the standards change: dry run first, then delist or review."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog import compliance
from marketplace.catalog.models import (
    ListingCheck,
    ModerationDecision,
    Product,
    ProductImage,
    ProductStandard,
)
from marketplace.extensions import db
from marketplace.notifications.models import Notification, OutboundEmail
from marketplace.vendors.models import Vendor, VendorEvent


def add_image(product: Product) -> None:
    db.session.add(
        ProductImage(
            product_id=product.id,
            storage_key=f"products/{product.id}.png",
            content_type="image/png",
            width=800,
            height=800,
            byte_size=1000,
        )
    )
    db.session.flush()


def standard(kind: str, severity: str = "block", category=None, **params) -> ProductStandard:
    row = ProductStandard(
        kind=kind,
        name=kind.replace("_", " ").capitalize(),
        params=params,
        severity=severity,
        category_id=category.id if category is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def statuses() -> dict[int, str]:
    db.session.expire_all()
    return {row.id: row.status for row in db.session.execute(select(Product.id, Product.status))}


@pytest.fixture
def catalogue(make_vendor, make_category, make_product):
    """Three live listings of one shop: one fine, one with a short title, one without images."""
    shop = make_vendor(display_name="Kiln Street Pottery")
    kitchen = make_category(name="Kitchen", slug="kitchen", path="kitchen")
    mugs = make_category(name="Mugs", slug="mugs", parent=kitchen)
    fine = make_product(vendor=shop, category=mugs, title="Speckled Stoneware Mug")
    short = make_product(
        vendor=shop,
        category=mugs,
        title="Mug",
        description="A plain white mug for every day, stackable and sturdy in the dishwasher.",
    )
    bare = make_product(
        vendor=shop,
        category=kitchen,
        title="Walnut Serving Board",
        description="Oiled walnut board with a juice groove; a handsome way to serve bread.",
        price_minor=90_000,
    )
    add_image(fine)
    add_image(short)
    db.session.commit()
    return {
        "shop": shop,
        "kitchen": kitchen,
        "mugs": mugs,
        "fine": fine,
        "short": short,
        "bare": bare,
    }


def test_the_dry_run_reports_and_changes_nothing(catalogue):
    standard("title_length", min=15)
    standard("min_images", "review", min=1)
    db.session.commit()
    before = statuses()

    report = compliance.recheck_live_listings(dry_run=True)
    db.session.rollback()

    assert report.summary == "checked=3 passed=1 review=1 blocked=1"
    assert [(item.product_id, item.outcome) for item in report.items] == [
        (catalogue["short"].id, "delisted"),
        (catalogue["bare"].id, "pending_review"),
    ]
    assert report.items[0].vendor == "Kiln Street Pottery"
    assert report.items[0].messages == ["Title must be at least 15 characters (it has 3)."]
    assert statuses() == before
    for model in (ListingCheck, ModerationDecision, Notification, OutboundEmail):
        assert count(model) == 0, model


def test_the_dry_run_writes_nothing_even_before_rollback(catalogue):
    standard("title_length", min=15)
    db.session.commit()

    compliance.recheck_live_listings(dry_run=True)

    assert not db.session.new and not db.session.dirty
    assert {p.status for p in db.session.scalars(select(Product))} == {"live"}
    assert count(ListingCheck) == 0


def test_a_real_run_delists_blocked_listings_and_sends_review_failures_back(catalogue):
    standard("title_length", min=15)
    standard("min_images", "review", min=1)
    db.session.commit()

    report = compliance.recheck_live_listings(dry_run=False)
    db.session.commit()

    assert report.summary == "checked=3 passed=1 review=1 blocked=1"
    assert statuses() == {
        catalogue["fine"].id: "live",
        catalogue["short"].id: "delisted",
        catalogue["bare"].id: "pending_review",
    }
    assert count(ListingCheck) == 3
    assert compliance.latest_check(catalogue["fine"].id).outcome == "live"
    assert compliance.latest_check(catalogue["short"].id).outcome == "delisted"
    decisions = {d.product_id: d for d in db.session.scalars(select(ModerationDecision))}
    assert decisions[catalogue["short"].id].decision == "delisted"
    assert decisions[catalogue["short"].id].moderator_id is None
    assert "Title must be at least 15 characters (it has 3)." in (
        decisions[catalogue["short"].id].reason
    )
    assert decisions[catalogue["bare"].id].decision == "sent_to_review"


def test_a_real_run_tells_each_vendor_once_and_adds_no_strike(catalogue):
    standard("title_length", min=15)
    standard("min_images", "review", min=1)
    db.session.commit()

    compliance.recheck_live_listings(dry_run=False)
    db.session.commit()

    notice = db.session.scalars(select(Notification)).one()
    assert notice.user_id == catalogue["shop"].owner_id
    assert notice.message == (
        "The product standards changed: 1 listing delisted and 1 sent to review. "
        "Check your e-mail for what to fix."
    )
    email = db.session.scalars(select(OutboundEmail)).one()
    assert email.to_address == catalogue["shop"].contact_email
    assert "“Mug” (#" in email.body_text
    assert "does not count as a strike" in email.body_text
    assert db.session.get(Vendor, catalogue["shop"].id).strikes == 0
    assert count(VendorEvent) == 0


def test_a_scoped_rule_only_rechecks_its_subtree(catalogue):
    standard("price_bounds", "block", category=catalogue["kitchen"], max_minor=50_000)
    standard("title_length", "block", category=catalogue["mugs"], min=15)
    db.session.commit()

    report = compliance.recheck_live_listings(dry_run=True)

    assert {item.product_id for item in report.items} == {
        catalogue["short"].id,  # a mug: the mugs title rule applies
        catalogue["bare"].id,  # a kitchen board: the kitchen price rule applies
    }
    bare = next(item for item in report.items if item.product_id == catalogue["bare"].id)
    assert bare.messages == ["Price must be at most $500.00; “Default” costs $900.00."]


def test_inactive_standards_are_not_applied(catalogue):
    standard("title_length", min=15).is_active = False
    db.session.commit()

    assert compliance.recheck_live_listings(dry_run=True).summary == (
        "checked=3 passed=3 review=0 blocked=0"
    )


def test_only_live_listings_are_rechecked(catalogue, make_product):
    make_product(vendor=catalogue["shop"], title="Mug", status="draft")
    make_product(vendor=catalogue["shop"], title="Mug", status="delisted")
    standard("title_length", min=15)
    db.session.commit()

    report = compliance.recheck_live_listings(dry_run=True)

    assert report.checked == 3
    assert report.blocked == 1


def test_of_two_live_copies_only_the_newer_is_flagged(catalogue, make_product):
    copy = make_product(
        vendor=catalogue["shop"],
        category=catalogue["mugs"],
        title="Stoneware Mug, Speckled",
        description="Different words here, describing the same speckled stoneware mug again.",
    )
    standard("near_duplicate", "review", threshold=0.9)
    db.session.commit()

    report = compliance.recheck_live_listings(dry_run=True)

    assert [item.product_id for item in report.items] == [copy.id]
    assert report.items[0].outcome == "pending_review"
