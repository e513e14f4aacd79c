"""Registers every `flask` command the marketplace adds."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from marketplace import demo, jobs_cli
    from marketplace.accounts import cli as accounts_cli
    from marketplace.admin import cli as admin_cli
    from marketplace.catalog import cli as catalog_cli
    from marketplace.fulfilment import cli as fulfilment_cli
    from marketplace.orders import cli as orders_cli
    from marketplace.payouts import cli as payouts_cli
    from marketplace.reviews import cli as reviews_cli
    from marketplace.search import cli as search_cli

    accounts_cli.register_cli(app)
    admin_cli.register_cli(app)
    jobs_cli.register_cli(app)
    demo.register_cli(app)
    catalog_cli.register_cli(app)
    fulfilment_cli.register_cli(app)
    payouts_cli.register_cli(app)
    reviews_cli.register_cli(app)
    orders_cli.register_cli(app)
    search_cli.register_cli(app)
