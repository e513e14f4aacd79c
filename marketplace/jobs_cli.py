"""`flask jobs …`: relay the outbox (cron calls it), run RQ workers, look at recent jobs."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from marketplace import jobs

jobs_group = AppGroup("jobs", help="Background jobs: the outbox relay, RQ workers, recent rows.")


@jobs_group.command("relay")
@click.option(
    "--older-than",
    type=click.FloatRange(min=0),
    default=None,
    help="Leave rows younger than this many seconds to their own dispatch "
    "(default: JOBS_RELAY_AFTER_SECONDS).",
)
def relay_command(older_than: float | None) -> None:
    """Re-send outbox rows that were not delivered, are due for a retry, or lost their worker."""
    count = jobs.relay(older_than)
    click.echo(f"relayed={count}")


def _parse_queues(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in jobs.QUEUES]
    if not names or unknown:
        raise click.BadParameter(f"choose among {', '.join(jobs.QUEUES)}", param_hint="--queues")
    return names


@jobs_group.command("worker")
@click.option(
    "--queues",
    default=",".join(jobs.QUEUES),
    show_default=True,
    help="Comma-separated queues to work, in priority order.",
)
@click.option("--burst", is_flag=True, help="Quit once the queues are empty.")
def worker_command(queues: str, burst: bool) -> None:
    """Run an RQ worker whose jobs run inside this app (needs REDIS_URL)."""
    names = _parse_queues(queues)
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set: jobs run inline in the web process, there is no queue to work."
        )
    jobs.run_worker(current_app._get_current_object(), names, burst=burst)


@jobs_group.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--status", type=click.Choice([s.value for s in jobs.JobStatus]), default=None)
def list_command(limit: int, status: str | None) -> None:
    """Show the newest outbox rows: status, attempts and the last error."""
    rows = jobs.recent_jobs(limit=limit, status=status)
    if not rows:
        click.echo("no jobs")
        return
    click.echo(f"{'id':>6}  {'status':<10} {'queue':<8} {'tries':>5}  {'created':<19}  function")
    for job in rows:
        created = job.created_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(
            f"{job.id:>6}  {job.status:<10} {job.queue:<8} {job.attempts:>5}  {created}  {job.func}"
        )
        if job.last_error:
            click.echo(f"{'':>8}error: {job.last_error.splitlines()[0][:200]}")


def register_cli(app: Flask) -> None:
    """Add `flask jobs` to the app's command line."""
    app.cli.add_command(jobs_group)
