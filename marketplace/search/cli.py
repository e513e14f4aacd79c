"""`flask search …`: rebuild, repair and drain the search indexes, show their state, synonyms."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.search import indexing
from marketplace.search.types import SearchUnavailable

search_group = AppGroup("search", help="Product search: indexes, the outbox, synonyms.")
synonyms_group = AppGroup("synonyms", help="The synonym list search expands queries with.")
search_group.add_command(synonyms_group)

SAMPLE_IDS = 20  # product ids listed per kind of drift; the counts are always complete


@search_group.command("reindex")
def reindex_command() -> None:
    """Rebuild every search index from the database (Elasticsearch: a new index, then the alias)."""
    began = time.perf_counter()
    try:
        report = indexing.reindex()
    except SearchUnavailable as exc:
        raise click.ClickException(f"search backend unavailable: {exc}") from None
    for run in report.runs:
        click.echo(
            f"backend={run.backend} indexed={run.report.indexed} "
            f"errors={len(run.report.errors)} seconds={run.seconds:.1f}"
        )
        for product_id, reason in sorted(run.report.errors.items())[:SAMPLE_IDS]:
            click.echo(f"    product {product_id}: {reason}")
    click.echo(
        f"indexed={report.indexed} errors={len(report.errors)} "
        f"seconds={time.perf_counter() - began:.1f}"
    )


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:SAMPLE_IDS])
    return shown + (f" … ({len(ids) - SAMPLE_IDS} more)" if len(ids) > SAMPLE_IDS else "")


@search_group.command("repair")
@click.option("--dry-run", is_flag=True, help="Only report the drift; change nothing.")
def repair_command(dry_run: bool) -> None:
    """Find products missing from, stale in or wrongly present in each index, and fix them."""
    report = indexing.repair(dry_run=dry_run)
    for drift in report.backends:
        if drift.unavailable:
            click.echo(f"backend={drift.backend} unavailable: {drift.unavailable}")
            continue
        click.echo(
            f"backend={drift.backend} missing={len(drift.missing)} stale={len(drift.stale)} "
            f"extra={len(drift.extra)} fixed={drift.fixed}"
        )
        for label, ids in (("missing", drift.missing), ("stale", drift.stale)):
            if ids:
                click.echo(f"    {label}: {_ids(ids)}")
        if drift.extra:
            click.echo(f"    extra (should not be found): {_ids(drift.extra)}")
        for product_id, reason in sorted(drift.errors.items())[:SAMPLE_IDS]:
            click.echo(f"    refused {product_id}: {reason}")
    if dry_run:
        click.echo("dry run: nothing changed")
    click.echo(report.summary())
    if any(d.unavailable for d in report.backends):
        raise SystemExit(1)


@search_group.command("drain")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Apply at most N rows.")
def drain_command(limit: int | None) -> None:
    """Apply pending outbox rows now (cron can run this to catch up after an outage)."""
    try:
        report = indexing.drain(limit=limit)
    except SearchUnavailable as exc:
        raise click.ClickException(
            f"search backend unavailable, rows kept: {exc} (pending={indexing.pending_count()})"
        ) from None
    click.echo(
        f"indexed={report.indexed} deleted={report.deleted} errors={len(report.errors)} "
        f"pending={indexing.pending_count()}"
    )


@search_group.command("status")
def status_command() -> None:
    """The configured backend, the outbox backlog and how many documents each index holds."""
    status = indexing.index_status(count_documents=True)
    click.echo(f"backend={status.backend}")
    oldest = status.oldest_pending.isoformat(timespec="seconds") if status.oldest_pending else "-"
    click.echo(f"outbox pending={status.pending} oldest={oldest}")
    click.echo(f"searchable products={status.searchable}")
    for count in status.indexed:
        documents = count.documents if count.documents is not None else "unavailable"
        line = f"index {count.backend} documents={documents}"
        click.echo(line + (f" ({count.error})" if count.error else ""))


@synonyms_group.command("install-defaults")
def install_default_synonyms_command() -> None:
    """Add the curated default synonym rules that the list does not have yet."""
    from marketplace.search.default_synonyms import install_default_synonyms

    installed = install_default_synonyms()
    db.session.commit()
    click.echo(f"installed={installed}")


def register_cli(app: Flask) -> None:
    """Add the search command group."""
    app.cli.add_command(search_group)
