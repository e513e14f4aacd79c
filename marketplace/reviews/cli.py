"""`flask reviews …`: send due review invitations, and check or rebuild the rating aggregates."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from marketplace.extensions import db


def register_cli(app: Flask) -> None:
    group = AppGroup("reviews", help="Review invitations and rating aggregates.")

    @group.command("invite")
    def invite() -> None:
        """E-mail buyers whose delivery is REVIEW_INVITE_DAYS old (once per vendor order)."""
        from marketplace.reviews.invitations import send_due_invitations

        result = send_due_invitations()
        db.session.commit()
        click.echo(result.summary())

    @group.command("recompute")
    @click.option("--check", is_flag=True, help="Only compare; change nothing.")
    def recompute(check: bool) -> None:
        """Recompute every product and shop rating aggregate from the reviews.

        Prints `products=N vendors=M mismatched=K` and exits with status 1 when K > 0 (without
        --check the mismatches are fixed as well, and reported).
        """
        from marketplace.reviews.aggregates import recompute as recompute_aggregates

        result = recompute_aggregates(fix=not check)
        if check:
            db.session.rollback()
        else:
            db.session.commit()
        click.echo(result.summary())
        if result.mismatched:
            for product_id in result.mismatched_products[:20]:
                click.echo(f"mismatch: product {product_id}", err=True)
            for vendor_id in result.mismatched_vendors[:20]:
                click.echo(f"mismatch: vendor {vendor_id}", err=True)
            raise SystemExit(1)

    app.cli.add_command(group)
