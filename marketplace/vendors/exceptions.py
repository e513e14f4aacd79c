"""Vendor errors: refused onboarding steps, each with a message for the person who asked."""

from __future__ import annotations

from marketplace.errors import DomainError


class OnboardingError(DomainError):
    """A refused onboarding step; `field` names the application field it concerns, if any."""


class InvalidApplication(OnboardingError):
    message = "Please check the application."


class DisplayNameTaken(OnboardingError):
    message = "Another shop already uses this name. Choose a different display name."
    field = "display_name"


class AlreadyAVendor(OnboardingError):
    message = "You already have a shop on the marketplace. One account can run one shop."


class InvalidVendorTransition(OnboardingError):
    message = "That change to the shop's status is not allowed."


class ReasonRequired(OnboardingError):
    message = "Give a reason: the seller reads it."
    field = "reason"


class VendorNotFound(OnboardingError):
    message = "There is no such vendor."


class AccountNotFound(OnboardingError):
    message = "There is no such account."
