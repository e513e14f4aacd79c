"""Account rules: registration, password checks and hashing, sign-in, reset tokens, admins.

Services flush and never commit; the calling view or command owns the transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.exceptions import (
    AccountDisabled,
    EmailTaken,
    IncorrectPassword,
    InvalidCredentials,
    InvalidDisplayName,
    InvalidEmail,
    InvalidResetToken,
    ResetTokenExpired,
    ResetTokenUsed,
    WeakPassword,
)
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.services import send_email

EMAIL_MAX_LENGTH = 254
DISPLAY_NAME_MAX_LENGTH = 80
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
RESET_TOKEN_SALT = "password-reset"

# The library defaults (RFC 9106 low-memory profile) in production; cheap parameters in tests.
_STRONG_HASHER = PasswordHasher()
_FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
_dummy_hashes: dict[int, str] = {}


# ---------------------------------------------------------------------------------------------
# Password hashing


def _hasher() -> PasswordHasher:
    """The hasher the current settings ask for (fast only when PASSWORD_HASH_FAST is set)."""
    return _FAST_HASHER if current_app.config.get("PASSWORD_HASH_FAST") else _STRONG_HASHER


def hash_password(plain: str) -> str:
    """A salted argon2id hash of `plain`, with its parameters encoded in the string."""
    return _hasher().hash(plain)


def verify_password(password_hash: str, plain: str) -> bool:
    """Whether `plain` matches the hash; a malformed hash simply does not match."""
    try:
        return _hasher().verify(password_hash, plain)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    """A hash to verify against when the account is unknown, so both paths take as long."""
    hasher = _hasher()
    key = id(hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash("no account has this password")
    return _dummy_hashes[key]


def _password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash: changes whenever the password does, reveals nothing."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


# ---------------------------------------------------------------------------------------------
# Input rules


def normalise_email(raw: str) -> str:
    """The canonical form we store: validated syntax, surrounding spaces gone, lower-cased."""
    candidate = (raw or "").strip()
    if not candidate or len(candidate) > EMAIL_MAX_LENGTH:
        raise InvalidEmail()
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail() from exc
    email = result.normalized.lower()
    if len(email) > EMAIL_MAX_LENGTH:
        raise InvalidEmail()
    return email


def clean_display_name(raw: str) -> str:
    """The name shown to others: trimmed, 1 to 80 characters."""
    name = " ".join((raw or "").split())
    if not 1 <= len(name) <= DISPLAY_NAME_MAX_LENGTH:
        raise InvalidDisplayName()
    return name


def check_password_rules(password: str, email: str, *, field: str = "password") -> None:
    """Refuse passwords that are too short, too long or trivially guessable."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise WeakPassword(f"Use at least {PASSWORD_MIN_LENGTH} characters.", field=field)
    if len(password) > PASSWORD_MAX_LENGTH:
        raise WeakPassword(f"Use at most {PASSWORD_MAX_LENGTH} characters.", field=field)
    if len(set(password)) == 1:
        raise WeakPassword("Use more than one repeated character.", field=field)
    if password.strip().lower() == email.strip().lower():
        raise WeakPassword("Your password must not be your e-mail address.", field=field)


def _set_password(user: User, plain: str) -> None:
    user.password_hash = hash_password(plain)
    user.password_changed_at = utcnow()


# ---------------------------------------------------------------------------------------------
# Users


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: a disabled account loses its sessions at once."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.is_active_account:
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    """The account for an address typed in any case, or None."""
    wanted = (email or "").strip().lower()
    if not wanted:
        return None
    # Stored lower-case (a check constraint enforces it), so the unique index serves this lookup.
    return db.session.scalar(select(User).where(User.email == wanted))


def register_user(email: str, password: str, display_name: str) -> User:
    """Open a buyer account; raises an AccountError subclass when the input breaks a rule."""
    email = normalise_email(email)
    name = clean_display_name(display_name)
    check_password_rules(password, email)
    if find_user_by_email(email) is not None:
        raise EmailTaken()
    user = User(email=email, display_name=name, password_hash=hash_password(password))
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:  # someone registered the same address a moment ago
        raise EmailTaken() from exc
    return user


def update_profile(user: User, display_name: str) -> User:
    """Change what other people see as the user's name."""
    user.display_name = clean_display_name(display_name)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """The user these credentials belong to; one error for a wrong e-mail or a wrong password."""
    user = find_user_by_email(email)
    if user is None:
        verify_password(_dummy_hash(), password)
        raise InvalidCredentials()
    if not verify_password(user.password_hash, password):
        raise InvalidCredentials()
    if not user.is_active_account:
        raise AccountDisabled()
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()
    return user


def mark_signed_in(user: User) -> None:
    """Remember when the user last signed in (shown to admins, useful for support)."""
    user.last_login_at = utcnow()
    db.session.flush()


def change_password(user: User, current: str, new: str) -> User:
    """Replace the password after proving the current one."""
    if not verify_password(user.password_hash, current):
        raise IncorrectPassword()
    check_password_rules(new, user.email, field="new_password")
    if current == new:
        raise WeakPassword(
            "Choose a password different from your current one.", field="new_password"
        )
    _set_password(user, new)
    db.session.flush()
    return user


# ---------------------------------------------------------------------------------------------
# Password reset


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_TOKEN_SALT)


def make_reset_token(user: User) -> str:
    """A signed, timed token bound to the current password, so it stops working once used."""
    payload = {"uid": user.id, "pw": _password_fingerprint(user.password_hash)}
    return _reset_serializer().dumps(payload)


def user_for_reset_token(token: str, *, max_age: int | None = None) -> User:
    """The user a reset token is for; raises InvalidResetToken saying why it cannot be used."""
    if max_age is None:
        max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"])
    try:
        payload: Any = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise ResetTokenExpired() from exc
    except BadSignature as exc:
        raise InvalidResetToken() from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("uid"), int):
        raise InvalidResetToken()
    user = db.session.get(User, payload["uid"])
    if user is None or not user.is_active_account:
        raise InvalidResetToken()
    if payload.get("pw") != _password_fingerprint(user.password_hash):
        raise ResetTokenUsed()
    return user


def reset_password(token: str, new: str, *, max_age: int | None = None) -> User:
    """Set a new password through an e-mailed token; the token dies with the old password."""
    user = user_for_reset_token(token, max_age=max_age)
    check_password_rules(new, user.email)
    _set_password(user, new)
    db.session.flush()
    return user


def request_password_reset(email: str, reset_url_builder: Callable[[str], str]) -> None:
    """E-mail a reset link if the account exists; callers answer the same either way."""
    try:
        address = normalise_email(email)
    except InvalidEmail:
        return
    user = find_user_by_email(address)
    if user is None or not user.is_active_account:
        return
    url = reset_url_builder(make_reset_token(user))
    minutes = max(1, int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 60)
    body = (
        f"Hello {user.display_name},\n\n"
        "Someone asked to reset the password of your Marketplace account. "
        f"To choose a new password, open this link within {minutes} minutes:\n\n"
        f"{url}\n\n"
        "The link works once. If you did not ask for this, ignore this e-mail: "
        "your password stays as it is.\n"
    )
    send_email(
        to_address=user.email,
        subject="Reset your Marketplace password",
        body_text=body,
        kind="password_reset",
        user_id=user.id,
    )


# ---------------------------------------------------------------------------------------------
# Roles


def create_admin(email: str, password: str | None = None) -> User:
    """Make `email` an admin: promote the existing account or create one with `password`.

    A password given for an existing account replaces its password (recovering a locked-out admin).
    """
    address = normalise_email(email)
    user = find_user_by_email(address)
    if user is None:
        if not password:
            raise WeakPassword("A password is needed to create a new account.")
        check_password_rules(password, address)
        user = User(
            email=address,
            display_name=address.split("@", 1)[0][:DISPLAY_NAME_MAX_LENGTH],
            password_hash=hash_password(password),
        )
        db.session.add(user)
    elif password:
        check_password_rules(password, address)
        _set_password(user, password)
    user.is_admin = True
    db.session.flush()
    return user
