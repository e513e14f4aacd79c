"""Admin listing moderation: the review queue, one listing, live listings, and decisions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import ListingCheck, ModerationDecision, Product
from marketplace.extensions import db
from marketplace.vendors.models import Vendor
from tests import factories
from tests.helpers import sign_in


@pytest.fixture
def admin(make_user):
    return make_user(is_admin=True, display_name="Mo Moderator")


@pytest.fixture
def admin_client(client, admin):
    db.session.commit()
    sign_in(client, admin)
    return client


def result(name: str, *, passed: bool, severity: str = "review", field: str = "title", message=""):
    return {
        "standard_id": None,
        "kind": "test",
        "name": name,
        "severity": severity,
        "passed": passed,
        "field": field,
        "message": message,
    }


def add_check(product: Product, outcome: str, *results: dict) -> ListingCheck:
    check = ListingCheck(product_id=product.id, outcome=outcome, results=list(results))
    db.session.add(check)
    db.session.flush()
    return check


def reload(product: Product) -> Product:
    db.session.expire_all()
    return db.session.get(Product, product.id)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- the queue ----------------------------------------------------------------------------------


def test_queue_lists_listings_waiting_with_why(admin_client, make_product):
    waiting = make_product(title="Shouty Lamp", status="pending_review")
    add_check(
        waiting,
        "pending_review",
        result("Title casing", passed=False, message="The title is written in capitals."),
        result("Title length", passed=True),
    )
    make_product(title="Quiet Lamp", status="live")
    db.session.commit()

    page = admin_client.get("/admin/listings").get_data(as_text=True)

    assert "Shouty Lamp" in page
    assert "The title is written in capitals." in page
    assert "Quiet Lamp" not in page
    assert f"/admin/listings/{waiting.id}" in page


def test_empty_queue_says_so(admin_client):
    assert "Nothing is waiting for review." in admin_client.get("/admin/listings").get_data(
        as_text=True
    )


# --- one listing --------------------------------------------------------------------------------


def test_detail_shows_the_listing_its_checks_and_earlier_decisions(
    admin_client, admin, make_product
):
    product = make_product(
        title="Linen Apron",
        description="Stonewashed linen.\n\nAdjustable neck strap.",
        status="pending_review",
        price_minor=3450,
    )
    add_check(
        product,
        "pending_review",
        result("Prohibited words", passed=False, severity="review", message="Mentions “replica”."),
        result(
            "Minimum photos", passed=False, severity="warn", field="images", message="Add a photo."
        ),
        result("Title length", passed=True, message=""),
    )
    db.session.add(
        ModerationDecision(
            product_id=product.id,
            moderator_id=admin.id,
            decision="rejected",
            reason="Photos show a different product.",
        )
    )
    db.session.commit()

    response = admin_client.get(f"/admin/listings/{product.id}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    for text in (
        "Linen Apron",
        "Stonewashed linen.",
        "Adjustable neck strap.",
        "$34.50",
        product.variants[0].sku,
        "Mentions “replica”.",
        "severity-review",
        "severity-warn",
        "2 of 3 standards failed",
        "Photos show a different product.",
        "Mo Moderator",
        "Approve and publish",
    ):
        assert text in page, text
    assert page.index("Mentions “replica”.") < page.index("Add a photo.")


def test_detail_of_a_live_listing_offers_delisting_only(admin_client, make_product):
    product = make_product(status="live")
    db.session.commit()
    page = admin_client.get(f"/admin/listings/{product.id}").get_data(as_text=True)
    assert "Delist" in page
    assert "Approve and publish" not in page
    assert "not been checked" in page


def test_detail_of_missing_listing_is_404(admin_client):
    assert admin_client.get("/admin/listings/9999").status_code == 404


# --- decisions ----------------------------------------------------------------------------------


def test_approving_publishes_and_records_the_decision(admin_client, admin, make_product):
    product = make_product(status="pending_review")
    db.session.commit()

    response = admin_client.post(f"/admin/listings/{product.id}/approve")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/listings")
    assert reload(product).status == "live"
    decision = db.session.scalars(select(ModerationDecision)).one()
    assert decision.moderator_id == admin.id


def test_rejecting_with_a_reason_sends_it_back_and_adds_a_strike(admin_client, make_product):
    product = make_product(status="pending_review")
    db.session.commit()

    admin_client.post(
        f"/admin/listings/{product.id}/reject", data={"reject-reason": "Stock photo, not yours."}
    )

    product = reload(product)
    assert product.status == "rejected"
    decision = db.session.scalars(select(ModerationDecision)).one()
    assert decision.reason == "Stock photo, not yours."
    assert db.session.get(Vendor, product.vendor_id).strikes == 1


def test_delisting_a_live_listing(admin_client, make_product):
    product = make_product(status="live")
    db.session.commit()

    response = admin_client.post(
        f"/admin/listings/{product.id}/delist", data={"delist-reason": "Recalled by the maker."}
    )

    assert response.headers["Location"].endswith("/admin/listings/live")
    assert reload(product).status == "delisted"


@pytest.mark.parametrize(("status", "action"), [("pending_review", "reject"), ("live", "delist")])
def test_a_reason_is_required(admin_client, make_product, status, action):
    product = make_product(status=status)
    db.session.commit()

    response = admin_client.post(f"/admin/listings/{product.id}/{action}", data={})

    assert response.status_code == 400
    assert "Give a reason; the seller sees it." in response.get_data(as_text=True)
    assert reload(product).status == status
    assert count(ModerationDecision) == 0
    assert db.session.get(Vendor, product.vendor_id).strikes == 0


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("live", "approve"),
        ("draft", "reject"),
        ("pending_review", "delist"),
        ("delisted", "delist"),
    ],
)
def test_a_refused_decision_is_explained_and_changes_nothing(
    admin_client, make_product, status, action
):
    product = make_product(status=status)
    db.session.commit()

    response = admin_client.post(
        f"/admin/listings/{product.id}/{action}", data={f"{action}-reason": "Trying anyway."}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/listings/{product.id}")
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash--error"' in page
    assert reload(product).status == status
    assert count(ModerationDecision) == 0
    assert db.session.get(Vendor, product.vendor_id).strikes == 0


def test_a_stale_decision_without_a_reason_is_refused_for_its_status(admin_client, make_product):
    product = make_product(status="rejected")
    db.session.commit()

    response = admin_client.post(f"/admin/listings/{product.id}/reject", data={})

    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash--error"' in page
    assert reload(product).status == "rejected"
    assert count(ModerationDecision) == 0


# --- live listings ------------------------------------------------------------------------------


def test_live_listings_search_by_title_or_shop(admin_client, make_vendor, make_product):
    potter = make_vendor(display_name="Kiln Street Pottery")
    make_product(title="Speckled Bowl", vendor=potter, status="live")
    make_product(title="Walnut Spoon", status="live")
    make_product(title="Speckled Draft", vendor=potter, status="draft")
    db.session.commit()

    by_title = admin_client.get("/admin/listings/live?q=speckled").get_data(as_text=True)
    assert "Speckled Bowl" in by_title
    assert "Walnut Spoon" not in by_title
    assert "Speckled Draft" not in by_title

    by_shop = admin_client.get("/admin/listings/live?q=kiln").get_data(as_text=True)
    assert "Speckled Bowl" in by_shop
    assert "Walnut Spoon" not in by_shop


def test_live_listings_of_one_shop(admin_client, make_vendor, make_product):
    potter = make_vendor(display_name="Kiln Street Pottery")
    make_product(title="Speckled Bowl", vendor=potter, status="live")
    make_product(title="Walnut Spoon", status="live")
    db.session.commit()

    page = admin_client.get(f"/admin/listings/live?vendor={potter.id}").get_data(as_text=True)

    assert "Speckled Bowl" in page
    assert "Walnut Spoon" not in page
    assert "Showing the live listings of" in page


def test_live_listings_are_paginated(admin_client, make_vendor):
    vendor = make_vendor()
    for _ in range(51):
        factories.ProductFactory(vendor=vendor, status="live")
    db.session.commit()

    first = admin_client.get("/admin/listings/live").get_data(as_text=True)
    second = admin_client.get("/admin/listings/live?page=2").get_data(as_text=True)

    assert "51 live listings" in first
    assert 'rel="next"' in first
    assert second.count("Review or delist</a>") == 1
