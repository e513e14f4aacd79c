"""Demo data: a generated catalogue and `flask seed-demo` to load it into an empty database."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select

from marketplace.extensions import db


def register_cli(app: Flask) -> None:
    """Add `flask seed-demo` to the app's commands."""
    app.cli.add_command(seed_demo_command)


def _has_users() -> bool:
    from marketplace.accounts.models import User

    return bool(db.session.scalar(select(func.count()).select_from(User)))


def _make_searchable() -> str:
    """Index the demo (its bulk inserts bypass the search listeners) and install the synonyms."""
    from marketplace.search import indexing
    from marketplace.search.default_synonyms import install_default_synonyms
    from marketplace.search.types import SearchUnavailable

    rules = install_default_synonyms()
    db.session.commit()
    try:
        report = indexing.reindex()
    except SearchUnavailable as exc:
        return (
            f"Search: the configured backend is unavailable ({exc}); the database index is "
            "ready. Run `flask search reindex` once it is back."
        )
    return f"Search: {report.indexed} products indexed, {rules} synonym rules installed."


@click.command("seed-demo")
@click.option(
    "--products",
    type=click.IntRange(min=1),
    default=320,
    show_default=True,
    help="Live products from the selling shops.",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same data.")
@click.option(
    "--image-size",
    type=click.IntRange(min=64, max=2000),
    default=800,
    show_default=True,
    help="Pixel size of the square placeholder pictures.",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (and succeed) when the database already has accounts.",
)
@with_appcontext
def seed_demo_command(products: int, seed: int, image_size: int, if_empty: bool) -> None:
    """Fill an empty database with demo shops, products, buyers and orders."""
    from marketplace.demo.seed import DemoDataRefused, planned_products, seed_demo

    console = Console()
    if if_empty and _has_users():
        console.print("The database already has accounts; demo data not loaded.")
        return
    columns = (
        TextColumn("Products"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("products", total=planned_products(products))
        try:
            summary = seed_demo(
                products,
                seed,
                progress=lambda done: progress.advance(task, done),
                image_size=image_size,
            )
        except DemoDataRefused as refused:
            db.session.rollback()
            raise click.ClickException(str(refused)) from None
    db.session.commit()
    console.print(_make_searchable())
    vendors = ", ".join(f"{count} {status}" for status, count in sorted(summary.vendors.items()))
    console.print(
        f"Demo marketplace ready in {summary.seconds:.1f} s: {summary.categories} categories, "
        f"vendors {vendors}, {summary.products} products ({summary.live_products} live, "
        f"{summary.variants} SKUs, {summary.images} images from {summary.image_files} files), "
        f"{summary.buyers} buyers, {summary.orders} orders "
        f"({summary.vendor_orders} vendor orders), {summary.payouts} payouts, "
        f"{summary.searches} logged searches."
    )
    table = Table(title="Demo sign-in")
    for heading in ("Role", "E-mail", "Password"):
        table.add_column(heading)
    for row in summary.credentials:
        table.add_row(*row)
    console.print(table)
