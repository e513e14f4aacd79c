"""`flask ledger verify`: check that the books balance, for cron, CI and people."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from marketplace.payouts.audit import verify

ledger_cli = AppGroup("ledger", help="Inspect the double-entry ledger.")


@ledger_cli.command("verify")
def verify_command() -> None:
    """Print `entries=N unbalanced=0 mismatched_balances=0 open_clearing=0`; exit 1 on a problem.

    Each problem found is also described, one per line, on standard error.
    """
    report = verify()
    click.echo(report.summary())
    for problem in report.problems:
        click.echo(problem, err=True)
    if not report.ok:
        raise SystemExit(1)


def register_cli(app: Flask) -> None:
    """Add the ledger commands to `flask`."""
    app.cli.add_command(ledger_cli)
