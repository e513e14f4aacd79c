"""The audit log under /admin/audit: every admin action, filterable, with before and after."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import render_template, request
from sqlalchemy import select

from marketplace.accounts.decorators import admin_required
from marketplace.accounts.models import User
from marketplace.admin import bp
from marketplace.admin.audit import AuditFilter, audit_page, changes_of, known_actions
from marketplace.admin.models import AdminAction
from marketplace.extensions import db
from marketplace.web import iso_date, page_number


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def _filters_from_request() -> tuple[AuditFilter, dict[str, str]]:
    """The filter the query string asks for, and the same values to refill the form."""
    since, until = iso_date(request.args.get("from")), iso_date(request.args.get("to"))
    actor = request.args.get("actor", type=int)
    filters = AuditFilter(
        actor_id=actor,
        action=(request.args.get("action") or "").strip()[:60],
        target_type=(request.args.get("target_type") or "").strip()[:40],
        target_id=(request.args.get("target_id") or "").strip()[:64],
        since=_start_of(since),
        until=_start_of(until + timedelta(days=1)) if until else None,
    )
    echo = {
        "actor": str(actor or ""),
        "action": filters.action,
        "target_type": filters.target_type,
        "target_id": filters.target_id,
        "from": since.isoformat() if since else "",
        "to": until.isoformat() if until else "",
    }
    return filters, echo


def _actors() -> list[User]:
    """Everyone who has an entry in the log, for the actor filter."""
    ids = select(AdminAction.actor_id).where(AdminAction.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.email)))


def _target_types() -> list[str]:
    return list(
        db.session.scalars(
            select(AdminAction.target_type).distinct().order_by(AdminAction.target_type)
        )
    )


@bp.get("/audit")
@admin_required
def audit_log() -> str:
    """Who did what to which record, when, and what it looked like before and after."""
    filters, echo = _filters_from_request()
    page = audit_page(filters, page=page_number(request.args.get("page")))
    actors = _actors()
    return render_template(
        "admin/audit.html",
        page=page,
        echo=echo,
        actors=actors,
        actor_names={user.id: user.email for user in actors},
        actions=known_actions(),
        target_types=_target_types(),
        query_args={key: value for key, value in echo.items() if value},
        changes_of=changes_of,
    )
