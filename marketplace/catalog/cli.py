"""`flask standards …`: install the default product standards, re-check live listings."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from marketplace.catalog import compliance
from marketplace.extensions import db

standards_group = AppGroup("standards", help="Product standards: defaults and re-checks.")

OUTCOME_WORDS = {
    (True, "delisted"): "would delist",
    (True, "pending_review"): "would send to review",
    (False, "delisted"): "delisted",
    (False, "pending_review"): "sent to review",
}


@standards_group.command("install-defaults")
def install_defaults_command() -> None:
    """Add the default standard of every kind that has no marketplace-wide standard yet."""
    installed = compliance.install_default_standards()
    db.session.commit()
    click.echo(f"installed={installed}")


@standards_group.command("recheck")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Only report what would be delisted or sent to review; change nothing.",
)
def recheck_command(dry_run: bool) -> None:
    """Check every live listing against the current standards (delist or send to review)."""
    report = compliance.recheck_live_listings(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for item in report.items:
        action = OUTCOME_WORDS.get((dry_run, item.outcome), item.outcome)
        click.echo(f"{action}: #{item.product_id} “{item.title}” ({item.vendor})")
        for message in item.messages:
            click.echo(f"    - {message}")
    click.echo(report.summary)


def register_cli(app: Flask) -> None:
    """Add the standards command group."""
    app.cli.add_command(standards_group)
