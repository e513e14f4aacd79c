"""Helpful votes, reports, the shop's one public reply, and moderators' audited decisions."""

from __future__ import annotations

import pytest

from marketplace.admin.models import AdminAction
from marketplace.extensions import db
from marketplace.reviews import feedback, moderation, services
from marketplace.reviews.exceptions import (
    InvalidReview,
    ReportRefused,
    ReviewNotFound,
    VoteRefused,
)
from marketplace.reviews.models import ReviewReport, ReviewStatus, ReviewVote, VendorReply
from tests.unit.reviews.reviews_support import review_input


@pytest.fixture
def review(delivered_line):
    line = delivered_line()
    return services.submit_review(
        buyer_id=line.vendor_order.order.buyer_id, line_id=line.id, data=review_input()
    )


# --- votes -------------------------------------------------------------------------------------


def test_one_helpful_vote_per_reader(review, make_user):
    reader, other = make_user(), make_user()

    assert feedback.vote_helpful(review.id, reader.id).counted is True
    assert feedback.vote_helpful(review.id, reader.id).counted is False
    feedback.vote_helpful(review.id, other.id)

    assert review.helpful_count == 2
    assert db.session.query(ReviewVote).count() == 2
    assert feedback.voted_review_ids(reader.id, [review.id]) == {review.id}


def test_no_vote_on_ones_own_review(review):
    with pytest.raises(VoteRefused):
        feedback.vote_helpful(review.id, review.author_id)
    assert review.helpful_count == 0


def test_no_vote_on_a_review_that_is_not_published(review, make_user):
    review.status = ReviewStatus.PENDING
    db.session.flush()
    with pytest.raises(ReviewNotFound):
        feedback.vote_helpful(review.id, make_user().id)


# --- reports -----------------------------------------------------------------------------------


def test_a_report_sends_the_review_to_the_queue_once_per_reader(review, make_user):
    reader = make_user()
    feedback.report_review(review.id, reader.id, "It's an advert for another shop.")

    with pytest.raises(ReportRefused):
        feedback.report_review(review.id, reader.id, "Again")
    rows = moderation.review_queue()
    assert [(row.review.id, row.open_reports) for row in rows] == [(review.id, 1)]
    assert review.status == ReviewStatus.PUBLISHED  # stays up until a moderator decides
    assert moderation.open_report_count() == 1


def test_a_report_needs_a_reason_and_is_not_for_ones_own_review(review, make_user):
    with pytest.raises(InvalidReview):
        feedback.report_review(review.id, make_user().id, "   ")
    with pytest.raises(ReportRefused):
        feedback.report_review(review.id, review.author_id, "Oops")
    assert db.session.query(ReviewReport).count() == 0


# --- vendor replies ----------------------------------------------------------------------------


def test_the_shop_replies_once_and_edits_its_reply(review):
    feedback.save_vendor_reply(review.id, review.vendor_id, "Thank you for the kind words!")
    feedback.save_vendor_reply(review.id, review.vendor_id, "Thank you — glad you like it!")

    [reply] = db.session.query(VendorReply).all()
    assert reply.body == "Thank you — glad you like it!"
    assert review.body  # the review itself is untouched


def test_another_shop_cannot_reply(review, make_vendor):
    with pytest.raises(ReviewNotFound):
        feedback.save_vendor_reply(review.id, make_vendor().id, "We sell it cheaper!")
    assert db.session.query(VendorReply).count() == 0


def test_a_reply_may_not_carry_contact_details_or_links(review):
    with pytest.raises(InvalidReview, match="phone number"):
        feedback.save_vendor_reply(review.id, review.vendor_id, "Call us on 503 555 0142.")
    with pytest.raises(InvalidReview, match="link"):
        feedback.save_vendor_reply(review.id, review.vendor_id, "See www.ourshop.com")


def test_the_shop_can_report_a_review_of_its_product(review):
    report = feedback.report_review(
        review.id, review.order_line.vendor_order.vendor.owner_id, "Not about our product."
    )
    assert report.review_id == review.id


# --- moderation --------------------------------------------------------------------------------


@pytest.fixture
def held(delivered_line):
    line = delivered_line()
    return services.submit_review(
        buyer_id=line.vendor_order.order.buyer_id,
        line_id=line.id,
        data=review_input(body="Visit www.elsewhere.com for a better one"),
    )


def test_approving_a_held_review_publishes_it_and_is_audited(held, make_user):
    admin = make_user(is_admin=True)

    moderation.decide(review_id=held.id, admin_id=admin.id, decision="approve", reason="Harmless")

    assert held.status == ReviewStatus.PUBLISHED
    assert held.published_at is not None
    [action] = db.session.query(AdminAction).all()
    assert (action.action, action.target_type, action.target_id) == (
        "review.approve",
        "review",
        str(held.id),
    )
    assert (action.before, action.after["status"]) == ({"status": "pending"}, "published")
    assert action.reason == "Harmless"
    assert moderation.history(held.id)[0].id == action.id


def test_rejecting_keeps_the_reason_for_the_author(held, make_user):
    admin = make_user(is_admin=True)
    moderation.decide(review_id=held.id, admin_id=admin.id, decision="reject", reason="Advert")
    assert held.status == ReviewStatus.REJECTED
    assert held.moderation_reason == "Advert"


def test_removing_a_reported_review_resolves_its_reports(review, make_user):
    admin, reader = make_user(is_admin=True), make_user()
    feedback.report_review(review.id, reader.id, "Abusive")

    moderation.decide(review_id=review.id, admin_id=admin.id, decision="remove", reason="Abuse")

    assert review.status == ReviewStatus.REMOVED
    report = db.session.query(ReviewReport).one()
    assert report.resolved_at is not None and report.resolved_by_id == admin.id
    assert moderation.review_queue() == []


@pytest.mark.parametrize(
    ("decision", "reason", "field"),
    [("remove", "x", "decision"), ("approve", "  ", "reason"), ("delete", "x", "decision")],
)
def test_impossible_decisions_change_nothing(held, make_user, decision, reason, field):
    admin = make_user(is_admin=True)
    with pytest.raises(InvalidReview) as refused:
        moderation.decide(review_id=held.id, admin_id=admin.id, decision=decision, reason=reason)
    assert refused.value.field == field
    assert held.status == ReviewStatus.PENDING
    assert db.session.query(AdminAction).count() == 0
