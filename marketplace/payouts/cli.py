"""`flask ledger verify` and `flask payouts release|run`: the books and the periodic payouts,
for cron, CI and people."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.payouts.audit import verify

ledger_cli = AppGroup("ledger", help="Inspect the double-entry ledger.")
payouts_cli = AppGroup("payouts", help="Release vendors' money and pay it out.")


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


@payouts_cli.command("release")
def release_command() -> None:
    """Release every vendor order past its release date; prints `released=N released_minor=X
    failed=K` (each failure, e.g. a shop without a payout account, on standard error)."""
    from marketplace.payouts.release import release_due

    result = release_due()
    db.session.commit()
    click.echo(
        f"released={result.released} released_minor={result.released_minor} "
        f"failed={len(result.failed)}"
    )
    for vendor_order_id, reason in sorted(result.failed.items()):
        click.echo(f"vendor order {vendor_order_id}: {reason}", err=True)


@payouts_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Say what would be paid; change nothing.")
def run_command(dry_run: bool) -> None:
    """Release what is due, then pay every payable vendor its available balance; prints
    `vendors=N paid_minor=X skipped=K` (why vendors were skipped goes to standard error)."""
    from marketplace.payouts.runs import run_payouts

    result = run_payouts(dry_run=dry_run)
    click.echo(result.summary())
    for reason, count in sorted(result.skipped_reasons.items()):
        click.echo(f"skipped {count}: {reason}", err=True)


def register_cli(app: Flask) -> None:
    """Add the ledger and payouts commands to `flask`."""
    app.cli.add_command(ledger_cli)
    app.cli.add_command(payouts_cli)
