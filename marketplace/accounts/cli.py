"""`flask create-admin EMAIL`: make the first (or another) marketplace administrator."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from marketplace.accounts import services
from marketplace.accounts.exceptions import AccountError
from marketplace.extensions import db


@click.command("create-admin")
@click.argument("email")
@click.option(
    "--password",
    help="Password for a new account (or a replacement for an existing one). "
    "Leave it out to be asked without echo, which keeps it out of the shell history.",
)
@with_appcontext
def create_admin_command(email: str, password: str | None) -> None:
    """Create an admin account for EMAIL, or promote the existing account to admin."""
    if password is None and services.find_user_by_email(email) is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_admin(email, password)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Admin {user.email} ready")


def register_cli(app: Flask) -> None:
    """Add the account commands to `flask`."""
    app.cli.add_command(create_admin_command)
