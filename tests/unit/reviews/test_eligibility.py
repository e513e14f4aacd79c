"""Only the buyer of a delivered order line may review it, once; a review is published when
every automatic check passes."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.fulfilment.models import Shipment, ShipmentLine, ShipmentStatus
from marketplace.reviews import services
from marketplace.reviews.exceptions import AlreadyReviewed, NotEligible, ReviewNotFound
from marketplace.reviews.models import Review, ReviewStatus
from tests.unit.reviews.reviews_support import review_input

ALL_CHECKS = {
    "abuse",
    "links",
    "contact_details",
    "too_short",
    "duplicate_text",
    "new_account_burst",
    "tied_to_vendor",
}


def _buyer_id(line) -> int:
    return line.vendor_order.order.buyer_id


def test_the_buyer_of_a_delivered_line_publishes_a_review(delivered_line):
    line = delivered_line()

    review = services.submit_review(buyer_id=_buyer_id(line), line_id=line.id, data=review_input())

    assert review.status == ReviewStatus.PUBLISHED
    assert review.published_at is not None
    assert review.product_id == line.product_id
    assert review.vendor_id == line.vendor_order.vendor_id
    assert review.verified is True
    assert {check.name for check in review.checks} == ALL_CHECKS
    assert all(check.passed and check.reason for check in review.checks)


@pytest.mark.parametrize("status", ["paid", "accepted", "partially_shipped", "shipped"])
def test_no_review_before_the_line_is_delivered(delivered_line, status):
    line = delivered_line(status=status)

    with pytest.raises(NotEligible, match="once it has been delivered"):
        services.submit_review(buyer_id=_buyer_id(line), line_id=line.id, data=review_input())
    assert db.session.query(Review).count() == 0


def test_a_delivered_parcel_makes_its_line_reviewable_before_the_whole_order(delivered_line):
    line = delivered_line(status="partially_shipped")
    shipment = Shipment(
        vendor_order_id=line.vendor_order_id,
        carrier="UPS",
        tracking_number="1Z999",
        status=ShipmentStatus.DELIVERED,
    )
    shipment.lines.append(ShipmentLine(order_line_id=line.id, quantity=1))
    db.session.add(shipment)
    db.session.flush()

    review = services.submit_review(buyer_id=_buyer_id(line), line_id=line.id, data=review_input())

    assert review.status == ReviewStatus.PUBLISHED


def test_no_second_review_of_the_same_line(delivered_line):
    line = delivered_line()
    services.submit_review(buyer_id=_buyer_id(line), line_id=line.id, data=review_input())

    with pytest.raises(AlreadyReviewed):
        services.submit_review(
            buyer_id=_buyer_id(line), line_id=line.id, data=review_input(title="Again")
        )
    assert db.session.query(Review).count() == 1


def test_buying_the_product_again_gives_a_second_line_to_review(delivered_line, make_product):
    product = make_product()
    first = delivered_line(product=product)
    buyer = first.vendor_order.order.buyer
    second = delivered_line(buyer=buyer, product=product)

    services.submit_review(buyer_id=buyer.id, line_id=first.id, data=review_input())
    services.submit_review(
        buyer_id=buyer.id,
        line_id=second.id,
        data=review_input(body="The second one arrived just as well packed; still a great mug."),
    )

    assert db.session.query(Review).filter_by(product_id=product.id).count() == 2


def test_nobody_reviews_someone_elses_line(delivered_line, make_user):
    line = delivered_line()
    stranger = make_user()

    with pytest.raises(NotEligible, match="couldn't find that item"):
        services.submit_review(buyer_id=stranger.id, line_id=line.id, data=review_input())


def test_a_returned_line_can_be_reviewed_but_is_not_verified(delivered_line):
    line = delivered_line(status="returned")
    line.quantity_shipped = line.quantity
    line.quantity_returned = line.quantity
    db.session.flush()

    review = services.submit_review(buyer_id=_buyer_id(line), line_id=line.id, data=review_input())

    assert review.status == ReviewStatus.PUBLISHED
    assert review.verified is False


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("rating", {"rating": 0}),
        ("rating", {"rating": 6}),
        ("title", {"title": "   "}),
        ("title", {"title": "x" * 121}),
        ("body", {"body": ""}),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(delivered_line, field, changes):
    from marketplace.reviews.exceptions import InvalidReview

    line = delivered_line()
    with pytest.raises(InvalidReview) as refused:
        services.submit_review(
            buyer_id=_buyer_id(line), line_id=line.id, data=review_input(**changes)
        )
    assert refused.value.field == field
    assert db.session.query(Review).count() == 0


def test_the_author_edits_and_the_text_is_checked_again(delivered_line):
    line = delivered_line()
    review = services.submit_review(buyer_id=_buyer_id(line), line_id=line.id, data=review_input())

    edited = services.edit_review(
        review_id=review.id,
        buyer_id=_buyer_id(line),
        data=review_input(rating=2, body="Call me on 555 123 4567 and I'll tell you about it."),
    )

    assert edited.rating == 2
    assert edited.edited_at is not None
    assert edited.status == ReviewStatus.PENDING
    failed = {check.name for check in edited.checks if not check.passed}
    assert failed == {"contact_details"}
    assert len(edited.checks) == len(ALL_CHECKS)  # replaced, not added


def test_a_review_a_moderator_rejected_goes_back_to_the_moderator_when_edited(delivered_line):
    line = delivered_line()
    review = services.submit_review(buyer_id=_buyer_id(line), line_id=line.id, data=review_input())
    review.status = ReviewStatus.REJECTED
    db.session.flush()

    edited = services.edit_review(
        review_id=review.id, buyer_id=_buyer_id(line), data=review_input(title="Fixed it")
    )

    assert edited.status == ReviewStatus.PENDING


def test_only_the_author_edits_or_deletes(delivered_line, make_user):
    line = delivered_line()
    review = services.submit_review(buyer_id=_buyer_id(line), line_id=line.id, data=review_input())
    other = make_user()

    with pytest.raises(ReviewNotFound):
        services.edit_review(review_id=review.id, buyer_id=other.id, data=review_input())
    with pytest.raises(ReviewNotFound):
        services.delete_review(review_id=review.id, buyer_id=other.id)
    assert db.session.get(Review, review.id) is not None


def test_the_author_deletes_their_review_and_may_write_a_new_one(delivered_line):
    line = delivered_line()
    review = services.submit_review(buyer_id=_buyer_id(line), line_id=line.id, data=review_input())

    services.delete_review(review_id=review.id, buyer_id=_buyer_id(line))

    assert db.session.query(Review).count() == 0
    again = services.submit_review(
        buyer_id=_buyer_id(line), line_id=line.id, data=review_input(title="Second go")
    )
    assert again.status == ReviewStatus.PUBLISHED
