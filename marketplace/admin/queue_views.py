"""The queue hub at /admin/queues: every moderation queue in one place, with the oldest items
and their history, and the vendors the scorecards flag for review."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, url_for

from marketplace.accounts.decorators import admin_required
from marketplace.admin import bp
from marketplace.admin.queues import all_queues
from marketplace.admin.scorecards import FLAG_LABELS, flagged_vendors

FLAGGED_SHOWN = 10


def _link(endpoint: str, values: dict[str, Any]) -> str | None:
    """A link to another package's page, or None while that page does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.get("/queues")
@admin_required
def queues() -> str:
    """Counts, the oldest items with their history, and links to each queue's own page."""
    flagged = flagged_vendors()
    return render_template(
        "admin/queues.html",
        queues=all_queues(),
        flagged=flagged[:FLAGGED_SHOWN],
        flagged_count=len(flagged),
        flag_labels=FLAG_LABELS,
        link=_link,
    )
