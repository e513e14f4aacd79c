"""Moderation: the review queue, and approving, rejecting or delisting with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog import moderation
from marketplace.catalog.compliance import ListingNotFound
from marketplace.catalog.lifecycle import InvalidTransition
from marketplace.catalog.models import ListingCheck, ModerationDecision
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.models import Notification, OutboundEmail
from marketplace.vendors.models import VendorEvent


@pytest.fixture
def moderator(make_user):
    return make_user(is_admin=True)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def nothing_recorded() -> bool:
    return all(
        count(model) == 0
        for model in (ModerationDecision, Notification, OutboundEmail, VendorEvent)
    )


# --- the queue ----------------------------------------------------------------------------------


def test_the_queue_lists_waiting_listings_oldest_first_with_their_latest_check(make_product):
    newer = make_product(status="pending_review", title="Newer Listing Waiting")
    older = make_product(status="pending_review", title="Older Listing Waiting")
    make_product(status="live")
    make_product(status="draft")
    older.updated_at = utcnow() - timedelta(days=2)
    newer.updated_at = utcnow() - timedelta(hours=1)
    first = ListingCheck(product_id=older.id, outcome="pending_review", results=[])
    latest = ListingCheck(product_id=older.id, outcome="pending_review", results=[])
    db.session.add_all([first, latest])
    db.session.flush()

    queue = moderation.moderation_queue()

    assert [(product.id, check) for product, check in queue] == [
        (older.id, latest),
        (newer.id, None),
    ]


def test_the_queue_is_empty_without_waiting_listings(make_product):
    make_product(status="live")
    assert moderation.moderation_queue() == []


# --- approving ----------------------------------------------------------------------------------


def test_approving_publishes_records_and_tells_the_vendor(make_product, moderator):
    product = make_product(status="pending_review", published_at=None, title="Linen Apron")

    moderation.approve_listing(product.id, moderator.id)

    assert product.status == "live"
    assert product.published_at is not None
    decision = db.session.scalars(select(ModerationDecision)).one()
    assert (decision.decision, decision.moderator_id, decision.reason) == (
        "approved",
        moderator.id,
        None,
    )
    notice = db.session.scalars(select(Notification)).one()
    assert notice.user_id == product.vendor.owner_id
    assert notice.message == "“Linen Apron” was approved and is live."
    email = db.session.scalars(select(OutboundEmail)).one()
    assert email.to_address == product.vendor.contact_email
    assert email.subject.startswith("Your listing is live")
    assert product.vendor.strikes == 0


def test_approving_a_listing_that_is_not_waiting_is_refused(make_product, moderator):
    product = make_product(status="live")

    with pytest.raises(InvalidTransition):
        moderation.approve_listing(product.id, moderator.id)

    assert product.status == "live"
    assert nothing_recorded()


def test_approving_is_refused_while_the_shop_cannot_sell(make_product, make_vendor, moderator):
    unpaid = make_vendor(payable=False, display_name="Unpaid Shop")
    product = make_product(vendor=unpaid, status="pending_review")

    with pytest.raises(moderation.VendorCannotSell, match="Unpaid Shop can't sell yet"):
        moderation.approve_listing(product.id, moderator.id)

    assert product.status == "pending_review"
    assert nothing_recorded()


def test_a_missing_listing_is_not_found(moderator):
    with pytest.raises(ListingNotFound):
        moderation.approve_listing(12345, moderator.id)


# --- rejecting and delisting --------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   "])
@pytest.mark.parametrize(
    ("status", "action"),
    [("pending_review", moderation.reject_listing), ("live", moderation.delist_listing)],
)
def test_a_reason_is_required(make_product, moderator, status, action, reason):
    product = make_product(status=status)

    with pytest.raises(moderation.ReasonRequired, match=r"Give a reason; the seller sees it\."):
        action(product.id, moderator.id, reason)

    assert product.status == status
    assert nothing_recorded()


def test_rejecting_sends_the_listing_back_with_the_reason_and_a_strike(make_product, moderator):
    product = make_product(status="pending_review", title="Linen Apron")

    moderation.reject_listing(product.id, moderator.id, "  Photos show a different apron. ")

    assert product.status == "rejected"
    decision = db.session.scalars(select(ModerationDecision)).one()
    assert (decision.decision, decision.reason) == ("rejected", "Photos show a different apron.")
    notices = db.session.scalars(
        select(Notification).where(Notification.kind == "listing_rejected")
    ).all()
    assert [n.message for n in notices] == [
        "“Linen Apron” was rejected: Photos show a different apron."
    ]
    assert any(
        e.subject.startswith("Your listing was rejected")
        and "Photos show a different apron." in e.body_text
        for e in db.session.scalars(select(OutboundEmail))
    )
    assert product.vendor.strikes == 1
    strike = db.session.scalars(select(VendorEvent).where(VendorEvent.kind == "strike")).one()
    assert strike.actor_id == moderator.id
    assert "Linen Apron" in strike.reason


def test_delisting_takes_a_live_listing_down_with_a_strike(make_product, moderator):
    product = make_product(status="live")

    moderation.delist_listing(product.id, moderator.id, "Recalled by the maker.")

    assert product.status == "delisted"
    decision = db.session.scalars(select(ModerationDecision)).one()
    assert (decision.decision, decision.reason) == ("delisted", "Recalled by the maker.")
    assert product.vendor.strikes == 1


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", moderation.reject_listing),
        ("live", moderation.reject_listing),
        ("pending_review", moderation.delist_listing),
        ("delisted", moderation.delist_listing),
    ],
)
def test_refused_decisions_change_nothing(make_product, moderator, status, action):
    product = make_product(status=status)

    with pytest.raises(InvalidTransition):
        action(product.id, moderator.id, "Trying anyway.")

    assert product.status == status
    assert product.vendor.strikes == 0
    assert nothing_recorded()


def test_repeated_rejections_suspend_the_shop_at_the_configured_count(
    app, make_vendor, make_product, moderator
):
    app.config["VENDOR_STRIKES_TO_SUSPEND"] = 2
    shop = make_vendor()
    first = make_product(vendor=shop, status="pending_review")
    second = make_product(vendor=shop, status="live")

    moderation.reject_listing(first.id, moderator.id, "Stock photo.")
    assert shop.status == "approved"
    moderation.delist_listing(second.id, moderator.id, "Counterfeit.")

    assert shop.strikes == 2
    assert shop.status == "suspended"
