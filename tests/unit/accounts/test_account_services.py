"""Account services: registration rules, hashing, sign-in, password change, reset tokens, admins."""

from __future__ import annotations

import time

import argon2
import pytest
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from marketplace.accounts import services
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
from marketplace.notifications.models import OutboundEmail
from tests.factories import DEFAULT_PASSWORD

GOOD_PASSWORD = "plum-orchard-lantern"


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def reset_url(token: str) -> str:
    return f"https://shop.example/account/password/reset/{token}"


# --- hashing ----------------------------------------------------------------------------------


def test_a_hash_verifies_only_its_own_password(app):
    password_hash = services.hash_password(GOOD_PASSWORD)
    assert password_hash.startswith("$argon2id$")
    assert services.verify_password(password_hash, GOOD_PASSWORD)
    assert not services.verify_password(password_hash, GOOD_PASSWORD + "x")


def test_a_malformed_hash_never_matches(app):
    assert not services.verify_password("not-a-hash", GOOD_PASSWORD)


def test_tests_hash_cheaply_and_production_settings_hash_slowly(app_factory):
    with app_factory().app_context():
        fast = argon2.extract_parameters(services.hash_password(GOOD_PASSWORD))
    with app_factory(PASSWORD_HASH_FAST=False).app_context():
        slow = argon2.extract_parameters(services.hash_password(GOOD_PASSWORD))
    assert fast.memory_cost < slow.memory_cost
    assert slow.memory_cost == argon2.PasswordHasher().memory_cost


def test_sign_in_upgrades_a_hash_made_with_weaker_parameters(app_factory):
    app = app_factory(PASSWORD_HASH_FAST=False)
    with app.app_context():
        weak = argon2.PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        user = User(
            email="ada@example.com", display_name="Ada", password_hash=weak.hash(GOOD_PASSWORD)
        )
        db.session.add(user)
        db.session.flush()

        services.authenticate("ada@example.com", GOOD_PASSWORD)

        upgraded = argon2.extract_parameters(user.password_hash)
        assert upgraded.memory_cost == argon2.PasswordHasher().memory_cost
        assert services.verify_password(user.password_hash, GOOD_PASSWORD)
        db.session.remove()


# --- registration -----------------------------------------------------------------------------


def test_register_stores_the_email_trimmed_and_lower_case(app):
    user = services.register_user("  Ada.Lovelace@Example.COM ", GOOD_PASSWORD, "  Ada  ")
    assert user.id is not None
    assert user.email == "ada.lovelace@example.com"
    assert user.display_name == "Ada"
    assert user.password_hash != GOOD_PASSWORD
    assert not user.is_admin


def test_register_refuses_an_address_taken_in_another_case(app, make_user):
    make_user(email="grace@example.com")
    with pytest.raises(EmailTaken) as refused:
        services.register_user("GRACE@example.com", GOOD_PASSWORD, "Grace")
    assert "already exists" in refused.value.message
    assert refused.value.field == "email"


@pytest.mark.parametrize(
    "email", ["", "no-at-sign", "two@@example.com", "a@b", "x" * 250 + "@e.com"]
)
def test_register_refuses_malformed_addresses(app, email):
    with pytest.raises(InvalidEmail):
        services.register_user(email, GOOD_PASSWORD, "Someone")
    assert user_count() == 0


@pytest.mark.parametrize("name", ["", "   ", "n" * 81])
def test_register_refuses_empty_or_long_display_names(app, name):
    with pytest.raises(InvalidDisplayName):
        services.register_user("someone@example.com", GOOD_PASSWORD, name)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1234", "at least 10"),
        ("p" * 120 + "assword!!", "at most 128"),
        ("aaaaaaaaaaaa", "more than one"),
        ("Someone@Example.com", "e-mail address"),
    ],
)
def test_register_refuses_weak_passwords(app, password, reason):
    with pytest.raises(WeakPassword) as refused:
        services.register_user("someone@example.com", password, "Someone")
    assert reason in refused.value.message
    assert user_count() == 0


# --- sign-in ----------------------------------------------------------------------------------


def test_authenticate_accepts_the_right_password_in_any_email_case(app, make_user):
    user = make_user(email="lin@example.com")
    assert services.authenticate(" LIN@example.com", DEFAULT_PASSWORD) is user


def test_wrong_password_and_unknown_email_fail_the_same_way(app, make_user):
    make_user(email="lin@example.com")
    with pytest.raises(InvalidCredentials) as wrong_password:
        services.authenticate("lin@example.com", "not-the-password")
    with pytest.raises(InvalidCredentials) as unknown_email:
        services.authenticate("nobody@example.com", DEFAULT_PASSWORD)
    assert type(wrong_password.value) is type(unknown_email.value)
    assert wrong_password.value.message == unknown_email.value.message


def test_unknown_email_still_pays_for_a_hash_check(app, monkeypatch):
    checked: list[str] = []
    real_verify = services.verify_password

    def spy(password_hash: str, plain: str) -> bool:
        checked.append(password_hash)
        return real_verify(password_hash, plain)

    monkeypatch.setattr(services, "verify_password", spy)
    with pytest.raises(InvalidCredentials):
        services.authenticate("nobody@example.com", DEFAULT_PASSWORD)
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")


def test_a_disabled_account_cannot_sign_in(app, make_user):
    make_user(email="gone@example.com", is_active_account=False)
    with pytest.raises(AccountDisabled):
        services.authenticate("gone@example.com", DEFAULT_PASSWORD)


def test_a_disabled_account_with_a_wrong_password_learns_nothing(app, make_user):
    make_user(email="gone@example.com", is_active_account=False)
    with pytest.raises(InvalidCredentials) as refused:
        services.authenticate("gone@example.com", "not-the-password")
    assert not isinstance(refused.value, AccountDisabled)


def test_load_user_skips_disabled_and_garbage_ids(app, make_user):
    active = make_user()
    disabled = make_user(is_active_account=False)
    assert services.load_user(str(active.id)) is active
    assert services.load_user(str(disabled.id)) is None
    assert services.load_user("not-a-number") is None
    assert services.load_user("999999") is None


def test_mark_signed_in_records_the_time(app, make_user):
    user = make_user()
    assert user.last_login_at is None
    services.mark_signed_in(user)
    assert user.last_login_at is not None and user.last_login_at.tzinfo is not None


# --- password change --------------------------------------------------------------------------


def test_change_password_needs_the_current_one(app, make_user):
    user = make_user()
    old_hash = user.password_hash
    with pytest.raises(IncorrectPassword):
        services.change_password(user, "not-the-password", GOOD_PASSWORD)
    assert user.password_hash == old_hash


def test_change_password_replaces_the_hash(app, make_user):
    user = make_user()
    before = user.password_changed_at
    services.change_password(user, DEFAULT_PASSWORD, GOOD_PASSWORD)
    assert services.verify_password(user.password_hash, GOOD_PASSWORD)
    assert not services.verify_password(user.password_hash, DEFAULT_PASSWORD)
    assert user.password_changed_at >= before


def test_change_password_refuses_the_same_or_a_weak_password(app, make_user):
    user = make_user()
    with pytest.raises(WeakPassword) as same:
        services.change_password(user, DEFAULT_PASSWORD, DEFAULT_PASSWORD)
    assert same.value.field == "new_password"
    with pytest.raises(WeakPassword):
        services.change_password(user, DEFAULT_PASSWORD, "short")


# --- password reset ---------------------------------------------------------------------------


def test_a_reset_token_works_once(app, make_user):
    user = make_user()
    token = services.make_reset_token(user)
    assert services.reset_password(token, GOOD_PASSWORD) is user
    assert services.verify_password(user.password_hash, GOOD_PASSWORD)
    with pytest.raises(ResetTokenUsed) as reused:
        services.reset_password(token, "another-fine-password")
    assert "already been used" in reused.value.message


def test_a_reset_token_dies_when_the_password_changes_another_way(app, make_user):
    user = make_user()
    token = services.make_reset_token(user)
    services.change_password(user, DEFAULT_PASSWORD, GOOD_PASSWORD)
    with pytest.raises(ResetTokenUsed):
        services.user_for_reset_token(token)


def test_an_expired_reset_token_is_refused(app, make_user, monkeypatch):
    user = make_user()
    token = services.make_reset_token(user)
    later = int(time.time()) + app.config["PASSWORD_RESET_MAX_AGE"] + 5
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    with pytest.raises(ResetTokenExpired) as expired:
        services.reset_password(token, GOOD_PASSWORD)
    assert "expired" in expired.value.message
    assert services.verify_password(user.password_hash, DEFAULT_PASSWORD)


def test_max_age_can_be_tightened_per_call(app, make_user, monkeypatch):
    user = make_user()
    token = services.make_reset_token(user)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + 61)
    with pytest.raises(ResetTokenExpired):
        services.user_for_reset_token(token, max_age=60)


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"), str.upper]
)
def test_a_tampered_reset_token_is_refused(app, make_user, mangle):
    token = services.make_reset_token(make_user())
    with pytest.raises(InvalidResetToken) as refused:
        services.reset_password(mangle(token), GOOD_PASSWORD)
    assert type(refused.value) is InvalidResetToken


def test_a_token_signed_with_another_key_or_salt_is_refused(app, make_user):
    user = make_user()
    payload = {"uid": user.id, "pw": "anything"}
    for key, salt in (("other-secret", "password-reset"), (app.config["SECRET_KEY"], "other")):
        forged = URLSafeTimedSerializer(key, salt=salt).dumps(payload)
        with pytest.raises(InvalidResetToken):
            services.user_for_reset_token(forged)


def test_a_reset_token_for_a_disabled_account_is_refused(app, make_user):
    user = make_user()
    token = services.make_reset_token(user)
    user.is_active_account = False
    with pytest.raises(InvalidResetToken):
        services.user_for_reset_token(token)


def test_reset_password_still_applies_the_password_rules(app, make_user):
    user = make_user()
    token = services.make_reset_token(user)
    with pytest.raises(WeakPassword):
        services.reset_password(token, "short")
    assert services.user_for_reset_token(token) is user


def emails() -> list[OutboundEmail]:
    return list(db.session.scalars(select(OutboundEmail)))


def test_requesting_a_reset_mails_a_working_link(app, make_user):
    user = make_user(email="mei@example.com")
    services.request_password_reset("MEI@example.com", reset_url)
    [mail] = emails()
    assert mail.to_address == "mei@example.com"
    assert mail.kind == "password_reset"
    assert mail.user_id == user.id
    token = mail.body_text.split("/account/password/reset/", 1)[1].split()[0]
    assert services.user_for_reset_token(token) is user


@pytest.mark.parametrize("email", ["nobody@example.com", "not an address", ""])
def test_requesting_a_reset_for_no_account_sends_nothing(app, make_user, email):
    make_user(email="mei@example.com")
    assert services.request_password_reset(email, reset_url) is None
    assert emails() == []


def test_requesting_a_reset_for_a_disabled_account_sends_nothing(app, make_user):
    make_user(email="gone@example.com", is_active_account=False)
    services.request_password_reset("gone@example.com", reset_url)
    assert emails() == []


# --- admins -----------------------------------------------------------------------------------


def test_create_admin_makes_a_new_admin_account(app):
    admin = services.create_admin("Root@Example.com", GOOD_PASSWORD)
    assert admin.is_admin
    assert admin.email == "root@example.com"
    assert services.authenticate("root@example.com", GOOD_PASSWORD) is admin


def test_create_admin_promotes_an_existing_account_keeping_its_password(app, make_user):
    user = make_user(email="ops@example.com")
    assert services.create_admin("ops@example.com") is user
    assert user.is_admin
    assert services.verify_password(user.password_hash, DEFAULT_PASSWORD)
    assert user_count() == 1


def test_create_admin_with_a_password_replaces_an_existing_one(app, make_user):
    user = make_user(email="ops@example.com")
    services.create_admin("ops@example.com", GOOD_PASSWORD)
    assert services.verify_password(user.password_hash, GOOD_PASSWORD)


def test_create_admin_needs_a_password_for_a_new_account(app):
    with pytest.raises(WeakPassword):
        services.create_admin("new@example.com")
    assert user_count() == 0
