"""`flask fulfilment …`: the deadlines cron enforces, and the embedded tracking simulator."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.fulfilment import enforce, tracking

fulfilment_group = AppGroup("fulfilment", help="Fulfilment: deadlines and tracking.")


@fulfilment_group.command("enforce")
def enforce_command() -> None:
    """Remind shops of orders due soon, cancel and refund orders past the deadline (with a
    strike), escalate unanswered returns. Ends with `reminded=N cancelled=M refunded_minor=X`."""
    result = enforce.run_enforcement()
    click.echo(f"escalated_returns={result.escalated} failed={result.failed}")
    click.echo(result.summary())


@fulfilment_group.command("simulate")
@click.argument("order_number")
def simulate_command(order_number: str) -> None:
    """Move ORDER's shipped parcels along: in transit, out for delivery, delivered."""
    outcomes = tracking.simulate_order(order_number)
    db.session.commit()
    if not outcomes:
        click.echo(f"Order {order_number} has no parcel on its way.", err=True)
        raise SystemExit(1)
    applied = sum(outcome == tracking.Outcome.APPLIED for outcome in outcomes)
    click.echo(f"events={len(outcomes)} applied={applied}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(fulfilment_group)
