"""Account errors, each carrying a message that can be shown to the person as it is."""

from __future__ import annotations


class AccountError(Exception):
    """Base for account rule violations; `field` names the form field the message belongs to."""

    default_message = "That did not work; please try again."
    field: str | None = None

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or self.default_message
        if field is not None:
            self.field = field
        super().__init__(self.message)


class InvalidEmail(AccountError):
    default_message = "Enter a valid e-mail address, like name@example.com."
    field = "email"


class EmailTaken(AccountError):
    default_message = "An account with this e-mail address already exists. Sign in instead."
    field = "email"


class InvalidDisplayName(AccountError):
    default_message = "Enter a display name of 1 to 80 characters."
    field = "display_name"


class WeakPassword(AccountError):
    default_message = "Choose a stronger password."
    field = "password"


class InvalidCredentials(AccountError):
    default_message = "The e-mail address or password is incorrect."


class AccountDisabled(InvalidCredentials):
    default_message = (
        "This account has been disabled. Contact support if you think it is a mistake."
    )


class IncorrectPassword(AccountError):
    default_message = "Your current password is incorrect."
    field = "current_password"


class InvalidResetToken(AccountError):
    default_message = "This password reset link is not valid. Request a new one."


class ResetTokenExpired(InvalidResetToken):
    default_message = "This password reset link has expired. Request a new one."


class ResetTokenUsed(InvalidResetToken):
    default_message = "This password reset link has already been used. Request a new one."
