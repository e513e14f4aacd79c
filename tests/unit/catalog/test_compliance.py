"""Submitting a listing: the standards check runs as a job and moves it to live, review or back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog import compliance, tasks
from marketplace.catalog.models import ListingCheck, Product, ProductImage, ProductStandard
from marketplace.extensions import db
from marketplace.jobs import JobStatus, OutboxJob
from marketplace.models_base import utcnow
from marketplace.notifications.models import Notification
from marketplace.vendors import onboarding


def add_image(product: Product, width: int = 800, height: int = 800) -> None:
    db.session.add(
        ProductImage(
            product_id=product.id,
            storage_key=f"products/{product.id}/{width}x{height}.png",
            content_type="image/png",
            width=width,
            height=height,
            byte_size=1000,
        )
    )
    db.session.flush()


@pytest.fixture
def draft(make_product, make_vendor):
    """A draft that meets every default standard, of an established shop that can sell."""
    vendor = make_vendor(display_name="Kiln Street Pottery")
    vendor.approved_at = utcnow() - timedelta(days=400)
    product = make_product(vendor=vendor, status="draft", published_at=None)
    add_image(product)
    return product


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


def submit_and_run(product: Product) -> Product:
    """Submit as the vendor, commit (the check job runs inline after it) and reload."""
    compliance.submit_listing(product.id, product.vendor_id)
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Product, product.id)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- submission ---------------------------------------------------------------------------------


def test_submitting_moves_to_review_and_queues_the_check(draft):
    compliance.submit_listing(draft.id, draft.vendor_id)

    assert draft.status == "pending_review"
    job = db.session.scalars(select(OutboxJob)).one()
    assert (job.func, job.args, job.queue) == (compliance.CHECK_JOB, [draft.id], "default")


def test_a_clean_listing_goes_live_after_the_check(draft):
    compliance.install_default_standards()

    product = submit_and_run(draft)

    assert product.status == "live"
    assert product.published_at is not None
    check = compliance.latest_check(product.id)
    assert check is not None and check.outcome == "live"
    assert len(check.results) == count(ProductStandard, ProductStandard.is_active.is_(True))
    assert all(result["passed"] for result in check.results)
    check_job = select(OutboxJob).where(OutboxJob.func == compliance.CHECK_JOB)
    assert db.session.scalars(check_job).one().status == JobStatus.DONE
    notice = db.session.scalars(select(Notification)).one()
    assert notice.message == f"“{product.title}” passed the product standards and is live."
    assert notice.link == f"/sell/listings/{product.id}/edit"


def test_a_blocked_listing_is_rejected_with_every_violation_by_field(draft):
    compliance.install_default_standards()
    draft.title = "MUG!!!"
    draft.description = "Nice."

    product = submit_and_run(draft)

    assert product.status == "rejected"
    check = compliance.latest_check(product.id)
    assert check.outcome == "rejected"
    by_field = compliance.violations_by_field(check)
    assert set(by_field) == {"title", "description"}
    title_messages = [result["message"] for result in by_field["title"]]
    assert "Title must be at least 15 characters (it has 6)." in title_messages
    assert "Remove the repeated punctuation “!!!” from the title; it reads as spam." in (
        title_messages
    )
    assert by_field["description"][0]["message"] == (
        "Description must be at least 50 characters (it has 5)."
    )
    notice = db.session.scalars(select(Notification)).one()
    assert notice.message.startswith(f"“{product.title}” doesn't meet the product standards yet")


def test_a_review_failure_waits_for_a_moderator(draft):
    standard("min_images", "review", min=2)
    standard("title_length", "warn", min=100)

    product = submit_and_run(draft)

    assert product.status == "pending_review"
    check = compliance.latest_check(product.id)
    assert check.outcome == "pending_review"
    failed = compliance.violations_by_field(check)
    assert [r["severity"] for r in failed["images"]] == ["review"]
    assert [r["severity"] for r in failed["title"]] == ["warn"]


def test_warnings_alone_do_not_hold_a_listing_back(draft):
    standard("min_image_resolution", "warn", min_width=2000, min_height=2000)

    product = submit_and_run(draft)

    assert product.status == "live"
    assert compliance.violations_by_field(compliance.latest_check(product.id))["images"]


def test_a_shop_that_cannot_sell_yet_waits_in_review(draft):
    draft.vendor.payouts_enabled = False

    product = submit_and_run(draft)

    assert product.status == "pending_review"
    assert compliance.latest_check(product.id).outcome == "pending_review"


def test_a_new_shop_waits_for_review_when_the_marketplace_asks_for_it(app, draft):
    app.config["REVIEW_NEW_VENDOR_LISTINGS"] = True
    draft.vendor.approved_at = utcnow() - timedelta(days=3)

    assert submit_and_run(draft).status == "pending_review"


def test_an_established_shop_goes_live_when_new_shops_are_reviewed(app, draft):
    app.config["REVIEW_NEW_VENDOR_LISTINGS"] = True

    assert submit_and_run(draft).status == "live"


def test_resubmitting_a_rejected_listing_checks_it_again(draft):
    standard("title_length", min=15)
    draft.title = "Mug"
    assert submit_and_run(draft).status == "rejected"

    product = db.session.get(Product, draft.id)
    product.title = "Speckled Stoneware Mug"
    product = submit_and_run(product)

    assert product.status == "live"
    assert count(ListingCheck, ListingCheck.product_id == product.id) == 2
    assert compliance.latest_check(product.id).outcome == "live"


def test_another_vendors_listing_is_not_found_and_unchanged(draft, make_vendor):
    other = make_vendor()

    with pytest.raises(compliance.ListingNotFound):
        compliance.submit_listing(draft.id, other.id)

    assert draft.status == "draft"
    assert count(OutboxJob) == 0


def test_a_changed_live_listing_is_submitted_again(make_product):
    live = make_product(status="live")
    compliance.submit_listing(live.id, live.vendor_id)
    assert live.status == "pending_review"


def test_submitting_a_listing_already_waiting_queues_another_check(make_product):
    waiting = make_product(status="pending_review")
    compliance.submit_listing(waiting.id, waiting.vendor_id)
    assert waiting.status == "pending_review"
    assert count(OutboxJob) == 1


# --- the job ------------------------------------------------------------------------------------


def test_the_job_is_safe_to_run_twice(draft):
    product = submit_and_run(draft)
    assert product.status == "live"

    tasks.check_listing(product.id)
    tasks.check_listing(999_999)

    assert count(ListingCheck) == 1


def test_checking_a_listing_that_is_not_waiting_records_but_moves_nothing(draft):
    standard("title_length", min=100)

    check = compliance.check_listing(draft.id)

    assert check.outcome == "rejected"
    assert draft.status == "draft"
    assert compliance.latest_check(draft.id) is check


def test_latest_check_is_none_before_any_check(draft):
    assert compliance.latest_check(draft.id) is None
    assert compliance.violations_by_field(None) == {}


def test_near_duplicates_are_found_among_the_vendors_earlier_listings(draft, make_product):
    standard("near_duplicate", "review", threshold=0.9)
    draft.status = "live"
    copy = make_product(
        vendor=draft.vendor,
        title=draft.title.upper(),
        description="Another text, so only the title matches.",
        status="draft",
    )
    add_image(copy)

    product = submit_and_run(copy)

    assert product.status == "pending_review"
    (result,) = compliance.latest_check(product.id).results
    assert result["message"].startswith(
        f"This looks like a copy of your listing “{draft.title}” (#{draft.id})."
    )


def test_release_held_listings_rechecks_a_shop_that_can_now_sell(draft):
    draft.vendor.charges_enabled = False
    assert submit_and_run(draft).status == "pending_review"

    draft.vendor.charges_enabled = True
    assert compliance.release_held_listings(draft.vendor_id) == 1
    db.session.commit()
    db.session.expire_all()

    assert db.session.get(Product, draft.id).status == "live"


# --- defaults -----------------------------------------------------------------------------------


def test_install_default_standards_is_idempotent_and_covers_every_kind(app):
    from marketplace.catalog.standards import KINDS

    assert compliance.install_default_standards() == len(KINDS)
    assert compliance.install_default_standards() == 0

    rows = db.session.scalars(select(ProductStandard)).all()
    assert {row.kind for row in rows} == set(KINDS)
    inactive = {row.kind for row in rows if not row.is_active}
    assert inactive == {"prohibited_category"}
    price = next(row for row in rows if row.kind == "price_bounds")
    assert price.params["currency"] == "USD"
    assert price.severity == "review"


def test_a_scoped_default_does_not_stop_the_marketplace_wide_one(make_category):
    kitchen = make_category()
    standard("title_length", category=kitchen, min=30)

    compliance.install_default_standards()

    kinds = db.session.scalars(
        select(ProductStandard.kind).where(ProductStandard.kind == "title_length")
    ).all()
    assert len(kinds) == 2


# --- a shop becoming able to sell releases its waiting listings --------------------------------


@pytest.fixture
def admin_user(make_user):
    return make_user(is_admin=True)


def test_a_held_listing_goes_live_when_the_gateway_enables_payouts(draft):
    draft.vendor.payouts_enabled = False
    assert submit_and_run(draft).status == "pending_review"

    onboarding.record_payout_status(
        draft.vendor_id, charges_enabled=True, payouts_enabled=True, source="test"
    )
    db.session.commit()
    db.session.expire_all()

    assert db.session.get(Product, draft.id).status == "live"


def test_a_held_listing_goes_live_when_the_shop_is_reinstated(draft, admin_user):
    assert submit_and_run(draft).status == "live"
    onboarding.suspend_vendor(draft.vendor_id, admin_user.id, "Counterfeit complaints")
    compliance.submit_listing(draft.id, draft.vendor_id)  # edited while suspended: held
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Product, draft.id).status == "pending_review"

    onboarding.reinstate_vendor(draft.vendor_id, admin_user.id, "Complaints withdrawn")
    db.session.commit()
    db.session.expire_all()

    assert db.session.get(Product, draft.id).status == "live"


def test_approval_releases_listings_prepared_while_applying(draft, admin_user):
    draft.vendor.status = "applied"
    assert submit_and_run(draft).status == "pending_review"

    onboarding.approve_vendor(draft.vendor_id, admin_user.id)
    db.session.commit()
    db.session.expire_all()

    assert db.session.get(Product, draft.id).status == "live"
