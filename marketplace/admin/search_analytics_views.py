"""Search analytics under /admin/search/analytics: top queries, queries with no results and
click-through per query, for a date range, with a link to add a synonym for each query."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from marketplace.accounts.decorators import admin_required
from marketplace.admin import bp
from marketplace.admin.dashboard import PRESETS, choose_range
from marketplace.search import analytics


@bp.get("/search/analytics")
@admin_required
def search_analytics() -> ResponseReturnValue:
    """What buyers search for, where they find nothing, and how often they follow a result."""
    choice = choose_range(request.args)
    since, until = choice.window.since, choice.window.until
    page = render_template(
        "admin/search/analytics.html",
        choice=choice,
        presets=PRESETS,
        totals=analytics.totals(since, until),
        top=analytics.top_queries(since, until),
        failing=analytics.no_result_queries(since, until),
    )
    return page, 400 if choice.problem else 200
