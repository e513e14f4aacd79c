"""Account forms: what the browser may send, with limits matching the columns they fill."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from marketplace.accounts.services import (
    DISPLAY_NAME_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
)

PASSWORD_HINT = f"At least {PASSWORD_MIN_LENGTH} characters. A few unrelated words work well."


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _email_field(label: str = "E-mail address") -> EmailField:
    return EmailField(
        label,
        filters=[_strip],
        validators=[
            DataRequired("Enter your e-mail address."),
            Length(
                max=EMAIL_MAX_LENGTH,
                message=f"An e-mail address has at most {EMAIL_MAX_LENGTH} characters.",
            ),
            Email("Enter a valid e-mail address, like name@example.com."),
        ],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX_LENGTH},
    )


def _display_name_field() -> StringField:
    return StringField(
        "Display name",
        filters=[_strip],
        validators=[
            DataRequired("Enter the name other people will see."),
            Length(
                min=1,
                max=DISPLAY_NAME_MAX_LENGTH,
                message=f"Use 1 to {DISPLAY_NAME_MAX_LENGTH} characters.",
            ),
        ],
        description="Shown on your reviews and to vendors you buy from.",
        render_kw={"autocomplete": "nickname", "maxlength": DISPLAY_NAME_MAX_LENGTH},
    )


def _new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired("Choose a password."),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=f"Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.",
            ),
        ],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX_LENGTH},
    )


def _confirm_field(other: str) -> PasswordField:
    return PasswordField(
        "Repeat the password",
        validators=[
            InputRequired("Repeat the password."),
            EqualTo(other, message="The two passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX_LENGTH},
    )


class SignUpForm(FlaskForm):
    """Open a buyer account."""

    email = _email_field()
    display_name = _display_name_field()
    password = _new_password_field("Password")
    confirm_password = _confirm_field("password")
    submit = SubmitField("Create account")


class SignInForm(FlaskForm):
    """Sign in with e-mail and password."""

    email = EmailField(
        "E-mail address",
        filters=[_strip],
        validators=[
            DataRequired("Enter your e-mail address."),
            Length(
                max=EMAIL_MAX_LENGTH,
                message=f"An e-mail address has at most {EMAIL_MAX_LENGTH} characters.",
            ),
        ],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX_LENGTH},
    )
    password = PasswordField(
        "Password",
        validators=[
            InputRequired("Enter your password."),
            Length(max=PASSWORD_MAX_LENGTH, message="The e-mail address or password is incorrect."),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember_me = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class ProfileForm(FlaskForm):
    """The parts of the account other people see."""

    display_name = _display_name_field()
    submit = SubmitField("Save profile")


class ChangePasswordForm(FlaskForm):
    """Replace the password, proving the current one first."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field("New password")
    confirm_password = _confirm_field("new_password")
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    """Ask for a reset link by e-mail."""

    email = _email_field()
    submit = SubmitField("Send reset link")


class ResetPasswordForm(FlaskForm):
    """Choose a new password through an e-mailed link."""

    password = _new_password_field("New password")
    confirm_password = _confirm_field("password")
    submit = SubmitField("Set new password")
