"""`flask orders …`: the periodic work of orders (cron calls it), like expiring reservations."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders import services

orders_group = AppGroup("orders", help="Orders: stock reservations of unpaid orders.")


@orders_group.command("expire-reservations")
def expire_reservations_command() -> None:
    """Expire unpaid orders whose reservation ran out and put their stock back on sale."""
    expired = services.expire_reservations(utcnow())
    db.session.commit()
    click.echo(f"expired={expired}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(orders_group)
