"""`flask create-admin EMAIL` through Flask's CLI test runner."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts import services
from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.factories import DEFAULT_PASSWORD

PASSWORD = "plum-orchard-lantern"


def admin(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email, User.is_admin.is_(True)))


def test_create_admin_with_a_password_option(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "Root@Example.com", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "Admin root@example.com ready" in result.output
    user = admin("root@example.com")
    assert user is not None
    assert services.verify_password(user.password_hash, PASSWORD)


def test_create_admin_prompts_for_a_hidden_confirmed_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "root@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # typed without echo
    assert "Repeat for confirmation" in result.output
    assert admin("root@example.com") is not None


def test_create_admin_asks_again_when_the_confirmation_differs(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "root@example.com"],
        input=f"{PASSWORD}\nsomething-else\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert admin("root@example.com") is not None


def test_create_admin_promotes_an_existing_account_without_asking(app, make_user):
    make_user(email="ops@example.com")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["create-admin", "ops@example.com"])
    assert result.exit_code == 0, result.output
    user = admin("ops@example.com")
    assert user is not None
    assert services.verify_password(user.password_hash, DEFAULT_PASSWORD)


def test_create_admin_refuses_a_bad_address_or_password(app):
    runner = app.test_cli_runner()
    bad_email = runner.invoke(args=["create-admin", "not-an-address", "--password", PASSWORD])
    assert bad_email.exit_code == 1
    assert "valid e-mail address" in bad_email.output
    weak = runner.invoke(args=["create-admin", "root@example.com", "--password", "short"])
    assert weak.exit_code == 1
    assert "at least 10" in weak.output
    assert db.session.scalar(select(User)) is None
