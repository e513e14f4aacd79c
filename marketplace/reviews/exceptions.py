"""Refusals of the review services, each with a message for the person who asked."""

from __future__ import annotations

from marketplace.errors import DomainError


class ReviewError(DomainError):
    """A review action that could not be done."""

    message = "That could not be done to the review."


class NotEligible(ReviewError):
    """Only the buyer of a delivered order line may review it (or rate that shop order)."""

    message = "You can review an item once it has been delivered to you."


class AlreadyReviewed(ReviewError):
    message = "You have already reviewed this item; you can edit your review instead."


class ReviewNotFound(ReviewError):
    message = "We couldn't find that review."


class InvalidReview(ReviewError):
    """Input that breaks a rule of the review form; `field` names the form field concerned."""


class VoteRefused(ReviewError):
    message = "You can't vote on your own review."


class ReportRefused(ReviewError):
    message = "You have already reported this review."


class ReplyRefused(ReviewError):
    message = "Only the shop that sold the item can reply to its review."


class InvitationInvalid(ReviewError):
    """A review link that is damaged, expired, or someone else's."""

    message = "That review link isn't valid. Open the item from your orders to review it."


class InvitationNotYours(InvitationInvalid):
    message = (
        "That review link was sent to another account. Sign in with the account that placed "
        "the order."
    )
