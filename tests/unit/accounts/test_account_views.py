"""Account pages through the test client: sign-up, sign-in, sign-out, settings, password reset."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from marketplace.accounts import services
from marketplace.accounts.models import User
from marketplace.accounts.views import safe_next
from marketplace.extensions import db
from marketplace.notifications.models import OutboundEmail
from tests.factories import DEFAULT_PASSWORD
from tests.unit.accounts.support import fresh

GOOD_PASSWORD = "plum-orchard-lantern"
INVALID_CREDENTIALS = "The e-mail address or password is incorrect."


def sign_up_form(**changes: str) -> dict[str, str]:
    form = {
        "email": "ada@example.com",
        "display_name": "Ada",
        "password": GOOD_PASSWORD,
        "confirm_password": GOOD_PASSWORD,
    }
    form.update(changes)
    return form


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def is_signed_in(client) -> bool:
    return client.get("/account/settings").status_code == 200


# --- sign up ----------------------------------------------------------------------------------


def test_sign_up_page_renders_the_form(client):
    page = client.get("/account/sign-up").get_data(as_text=True)
    assert 'name="email"' in page and 'name="confirm_password"' in page
    assert 'autocomplete="new-password"' in page


def test_sign_up_creates_the_account_and_signs_in(client):
    response = client.post("/account/sign-up", data=sign_up_form(email=" Ada@Example.com "))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = db.session.scalar(select(User))
    assert user.email == "ada@example.com"
    assert user.last_login_at is not None
    assert "Welcome, Ada" in client.get("/").get_data(as_text=True)
    assert is_signed_in(client)


def test_sign_up_refuses_a_taken_address_in_another_case(client, make_user):
    make_user(email="ada@example.com")
    db.session.commit()
    response = client.post("/account/sign-up", data=sign_up_form(email="ADA@example.COM"))
    assert response.status_code == 200
    assert "An account with this e-mail address already exists" in response.get_data(as_text=True)
    assert user_count() == 1
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-address"}, "Enter a valid e-mail address"),
        ({"email": ""}, "Enter your e-mail address."),
        ({"display_name": "n" * 81}, "Use 1 to 80 characters."),
        ({"display_name": "   "}, "Enter the name other people will see."),
        ({"password": "short", "confirm_password": "short"}, "Use 10 to 128 characters."),
        ({"confirm_password": GOOD_PASSWORD + "!"}, "The two passwords do not match."),
        (
            {"password": "aaaaaaaaaaaa", "confirm_password": "aaaaaaaaaaaa"},
            "Use more than one repeated character.",
        ),
    ],
)
def test_bad_sign_up_input_shows_the_problem_and_writes_nothing(client, changes, message):
    response = client.post("/account/sign-up", data=sign_up_form(**changes))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert user_count() == 0


def test_signed_in_people_skip_the_sign_up_page(client, make_user):
    client.post("/account/sign-up", data=sign_up_form())
    assert client.get("/account/sign-up").status_code == 302


# --- sign in ----------------------------------------------------------------------------------


def test_sign_in_with_the_right_password(client, make_user, sign_in_with):
    user = make_user(email="lin@example.com")
    db.session.commit()
    response = sign_in_with("LIN@example.com", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_signed_in(client)
    assert fresh(User, user.id).last_login_at is not None


def test_wrong_password_and_unknown_email_get_the_same_message(client, make_user, sign_in_with):
    make_user(email="lin@example.com")
    db.session.commit()
    wrong = sign_in_with("lin@example.com", "not-the-password")
    unknown = sign_in_with("nobody@example.com", "not-the-password")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert INVALID_CREDENTIALS in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_disabled_account_is_told_so_only_with_the_right_password(
    client, make_user, sign_in_with
):
    make_user(email="gone@example.com", is_active_account=False)
    db.session.commit()
    assert "has been disabled" in sign_in_with("gone@example.com", DEFAULT_PASSWORD).text
    assert INVALID_CREDENTIALS in sign_in_with("gone@example.com", "not-the-password").text
    assert not is_signed_in(client)


def test_sign_in_returns_to_a_safe_next_page(client, make_user):
    make_user(email="lin@example.com")
    db.session.commit()
    response = client.post(
        "/account/sign-in?next=/account/settings",
        data={"email": "lin@example.com", "password": DEFAULT_PASSWORD},
    )
    assert response.headers["Location"] == "/account/settings"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "x"],
)
def test_sign_in_ignores_a_next_page_on_another_site(client, make_user, target):
    make_user(email="lin@example.com")
    db.session.commit()
    response = client.post(
        "/account/sign-in",
        query_string={"next": target},
        data={"email": "lin@example.com", "password": DEFAULT_PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_safe_next_keeps_paths_with_queries():
    assert safe_next("/search?q=mug&page=2") == "/search?q=mug&page=2"
    assert safe_next(None) is None
    assert safe_next("/\t/evil.example") is None


def test_protected_pages_send_visitors_to_sign_in_and_back(client):
    response = client.get("/account/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/sign-in?next=")


def test_remember_me_sets_a_lasting_cookie_only_when_asked(client, make_user, sign_in_with):
    make_user(email="lin@example.com")
    db.session.commit()
    sign_in_with("lin@example.com", DEFAULT_PASSWORD)
    assert client.get_cookie("remember_token") is None
    client.post("/account/sign-out")
    sign_in_with("lin@example.com", DEFAULT_PASSWORD, remember_me="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only


def test_session_cookie_is_http_only_and_same_site_lax(client, make_user, sign_in_with):
    make_user(email="lin@example.com")
    db.session.commit()
    response = sign_in_with("lin@example.com", DEFAULT_PASSWORD)
    set_cookie = next(
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")
    )
    assert "HttpOnly" in set_cookie
    assert "SameSite=Lax" in set_cookie


def test_a_session_cookie_replayed_from_another_browser_loses_its_freshness(
    client, make_user, sign_in_with
):
    make_user(email="lin@example.com")
    db.session.commit()
    sign_in_with("lin@example.com", DEFAULT_PASSWORD)
    with client.session_transaction() as session:
        assert session["_fresh"] is True
    client.get("/account/settings", headers={"User-Agent": "SomethingElse/1.0"})
    with client.session_transaction() as session:
        assert session["_fresh"] is False


def test_disabling_an_account_ends_its_session(client, make_user, sign_in_with):
    user = make_user(email="lin@example.com")
    db.session.commit()
    sign_in_with("lin@example.com", DEFAULT_PASSWORD)
    user.is_active_account = False
    db.session.commit()
    assert not is_signed_in(client)


# --- sign out ---------------------------------------------------------------------------------


def test_sign_out_is_post_only(client, make_user, sign_in_with):
    make_user(email="lin@example.com")
    db.session.commit()
    sign_in_with("lin@example.com", DEFAULT_PASSWORD)
    assert client.get("/account/sign-out").status_code == 405
    assert is_signed_in(client)
    response = client.post("/account/sign-out")
    assert response.status_code == 302
    assert not is_signed_in(client)


# --- settings ---------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, make_user, sign_in_with) -> User:
    user = make_user(email="lin@example.com", display_name="Lin")
    db.session.commit()
    sign_in_with("lin@example.com", DEFAULT_PASSWORD)
    return user


def test_settings_shows_the_profile_and_password_forms(client, signed_in):
    page = client.get("/account/settings").get_data(as_text=True)
    assert 'name="profile-display_name"' in page and 'value="Lin"' in page
    assert 'name="password-current_password"' in page


def test_settings_saves_the_display_name(client, signed_in):
    response = client.post(
        "/account/settings", data={"profile-display_name": "Lin Wu", "profile-submit": "y"}
    )
    assert response.status_code == 302
    assert fresh(User, signed_in.id).display_name == "Lin Wu"


def test_settings_refuses_an_over_long_display_name(client, signed_in):
    response = client.post(
        "/account/settings", data={"profile-display_name": "n" * 81, "profile-submit": "y"}
    )
    assert response.status_code == 200
    assert "Use 1 to 80 characters." in response.get_data(as_text=True)
    assert fresh(User, signed_in.id).display_name == "Lin"


def password_change(current: str, new: str, confirm: str | None = None) -> dict[str, str]:
    return {
        "password-current_password": current,
        "password-new_password": new,
        "password-confirm_password": new if confirm is None else confirm,
        "password-submit": "y",
    }


def test_password_change_refuses_a_wrong_current_password(client, signed_in):
    response = client.post("/account/settings", data=password_change("wrong-one", GOOD_PASSWORD))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Your current password is incorrect." in page
    assert 'value="Lin"' in page  # the other form keeps its data
    assert services.verify_password(fresh(User, signed_in.id).password_hash, DEFAULT_PASSWORD)


def test_password_change_takes_effect_for_the_next_sign_in(client, signed_in, sign_in_with):
    response = client.post(
        "/account/settings", data=password_change(DEFAULT_PASSWORD, GOOD_PASSWORD)
    )
    assert response.status_code == 302
    assert is_signed_in(client)
    client.post("/account/sign-out")
    assert INVALID_CREDENTIALS in sign_in_with("lin@example.com", DEFAULT_PASSWORD).text
    assert sign_in_with("lin@example.com", GOOD_PASSWORD).status_code == 302


def test_password_change_needs_matching_confirmation(client, signed_in):
    response = client.post(
        "/account/settings", data=password_change(DEFAULT_PASSWORD, GOOD_PASSWORD, "different-one")
    )
    assert "The two passwords do not match." in response.get_data(as_text=True)


# --- password reset ---------------------------------------------------------------------------


def outbox() -> list[OutboundEmail]:
    return list(db.session.scalars(select(OutboundEmail)))


def reset_link_from(mail: OutboundEmail) -> str:
    match = re.search(r"https?://[^\s]+/account/password/reset/\S+", mail.body_text)
    assert match, mail.body_text
    return urlsplit(match.group(0)).path


def test_sign_in_page_links_to_forgot_password(client):
    assert "/account/password/forgot" in client.get("/account/sign-in").get_data(as_text=True)


def test_forgot_password_gives_the_same_answer_for_unknown_addresses(client, make_user):
    make_user(email="mei@example.com")
    db.session.commit()
    known = client.post("/account/password/forgot", data={"email": "mei@example.com"})
    unknown = client.post("/account/password/forgot", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert len(outbox()) == 1


def test_forgot_password_for_an_unknown_address_sends_nothing(client):
    response = client.post(
        "/account/password/forgot", data={"email": "nobody@example.com"}, follow_redirects=True
    )
    assert "If an account uses that address" in response.get_data(as_text=True)
    assert outbox() == []


def test_forgot_password_mails_one_link_that_works_once(client, make_user, sign_in_with):
    make_user(email="mei@example.com")
    db.session.commit()
    client.post("/account/password/forgot", data={"email": "Mei@Example.com"})
    [mail] = outbox()
    assert mail.to_address == "mei@example.com"
    link = reset_link_from(mail)

    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    form = {"password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD}
    response = client.post(link, data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/sign-in"
    assert sign_in_with("mei@example.com", GOOD_PASSWORD).status_code == 302

    reused = client.post(link, data={"password": "third-password-here", "confirm_password": "x"})
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)


def test_an_expired_reset_link_is_refused(client, app, make_user, monkeypatch):
    user = make_user(email="mei@example.com")
    db.session.commit()
    link = f"/account/password/reset/{services.make_reset_token(user)}"
    later = int(time.time()) + app.config["PASSWORD_RESET_MAX_AGE"] + 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.post(
        link, data={"password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD}
    )
    assert response.status_code == 400
    assert "has expired" in response.get_data(as_text=True)
    assert services.verify_password(fresh(User, user.id).password_hash, DEFAULT_PASSWORD)


def test_a_tampered_reset_link_is_refused(client, make_user):
    user = make_user(email="mei@example.com")
    db.session.commit()
    token = services.make_reset_token(user)
    response = client.get(f"/account/password/reset/{token[:-3]}xyz")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_a_reset_with_a_weak_password_keeps_the_link_usable(client, make_user):
    user = make_user(email="mei@example.com")
    db.session.commit()
    link = f"/account/password/reset/{services.make_reset_token(user)}"
    response = client.post(link, data={"password": "short", "confirm_password": "short"})
    assert response.status_code == 200
    assert "Use 10 to 128 characters." in response.get_data(as_text=True)
    assert client.get(link).status_code == 200
