"""The admin dashboard at /admin: the marketplace's figures for a date range, and CSV exports."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue

from marketplace.accounts.decorators import admin_required
from marketplace.admin import bp, services
from marketplace.admin.dashboard import PRESETS, charts, choose_range, default_grain, figures_csv
from marketplace.admin.metrics import currencies_in_use, figures
from marketplace.admin.periods import Grain
from marketplace.web import csv_download


def _currency(choices: list[str]) -> str:
    wanted = (request.args.get("currency") or "").upper()
    return wanted if wanted in choices else choices[0]


def _grain(default: Grain) -> Grain:
    """The grain (day or month) the query string asks for, or `default`."""
    asked = request.args.get("grain")
    return Grain(asked) if asked in set(Grain) else default


def _page_args(choice: Any, currency: str, grain: Grain | None = None) -> dict[str, str]:
    """Query arguments that reproduce the page's range (for CSV links)."""
    args = {
        "from": choice.window.start.isoformat(),
        "to": choice.window.end.isoformat(),
        "currency": currency,
    }
    if grain is not None:
        args["grain"] = grain.value
    return args


@bp.get("/")
@admin_required
def index() -> ResponseReturnValue:
    """GMV, orders, commission, refunds and sign-ups per day and month, as charts and tables."""
    choice = choose_range(request.args)
    currencies = currencies_in_use(current_app.config["CURRENCY"])
    currency = _currency(currencies)
    grain = _grain(default_grain(choice.window))
    shown = figures(choice.window, currency, grain)
    monthly = shown if grain == Grain.MONTH else figures(choice.window, currency, Grain.MONTH)
    daily = shown if grain == Grain.DAY else figures(choice.window, currency, Grain.DAY)
    page = render_template(
        "admin/dashboard.html",
        choice=choice,
        grain=grain,
        currency=currency,
        currencies=currencies,
        presets=PRESETS,
        shown=shown,
        charts=charts(shown),
        daily=daily,
        monthly=monthly,
        csv_args=_page_args(choice, currency),
        overview=services.overview(),
    )
    return page, 400 if choice.problem else 200


@bp.get("/dashboard.csv")
@admin_required
def dashboard_csv() -> ResponseReturnValue:
    """The dashboard's table for the range, per day or per month, as a CSV download."""
    choice = choose_range(request.args)
    if choice.problem:
        return Response(choice.problem + "\n", status=400, mimetype="text/plain")
    currency = _currency(currencies_in_use(current_app.config["CURRENCY"]))
    grain = _grain(Grain.DAY)
    table = figures(choice.window, currency, grain)
    filename = f"marketplace-{grain.value}-{choice.window.start}-{choice.window.end}-{currency}.csv"
    return csv_download(figures_csv(table), filename)
