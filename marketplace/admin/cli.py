"""`flask admin …`: housekeeping for the admin console's own data."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.search import analytics

admin_group = AppGroup("admin", help="Admin console data: search analytics retention.")

DEFAULT_KEEP_DAYS = 400


@admin_group.command("prune-search-logs")
@click.option("--days", type=click.IntRange(min=1), default=DEFAULT_KEEP_DAYS, show_default=True)
def prune_search_logs_command(days: int) -> None:
    """Delete logged searches and their clicks older than --days (cron runs it daily)."""
    removed = analytics.prune(utcnow() - timedelta(days=days))
    db.session.commit()
    click.echo(f"searches_removed={removed}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(admin_group)
