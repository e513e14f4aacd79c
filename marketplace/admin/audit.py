"""The audit log of admin actions: every admin decision writes one row through here."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Select, select

from marketplace.admin.models import AdminAction
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.pagination import Page

AUDIT_PAGE_SIZE = 50


def _json_safe(value: Any) -> Any:
    """A value JSON can hold: dates as ISO text, decimals and enums as their plain value."""
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _snapshot(state: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if state is None:
        return None
    safe = _json_safe(state)
    json.dumps(safe)  # fail here, in the caller's transaction, not at flush time
    return safe


def record_admin_action(
    *,
    actor_id: int,
    action: str,
    target_type: str,
    target_id: int | str | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> AdminAction:
    """Add one audit row in the caller's transaction (it commits or rolls back with the change).

    `action` is a dotted verb such as `vendor.suspend`; `before` and `after` are the fields the
    action changed (only those), so the log shows the difference without a diff tool.
    """
    row = AdminAction(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=_snapshot(before),
        after=_snapshot(after),
        reason=reason or None,
        at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def fields_of(record: Any, names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """The named attributes of a model instance, as a before/after snapshot."""
    return {name: getattr(record, name) for name in names}


@dataclass(frozen=True)
class AuditFilter:
    """What the audit log page narrows to; empty fields do not filter."""

    actor_id: int | None = None
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        if self.actor_id is not None:
            stmt = stmt.where(AdminAction.actor_id == self.actor_id)
        if self.action:
            # `vendor` matches every vendor.* action; `vendor.suspend` matches just that one.
            stmt = stmt.where(
                (AdminAction.action == self.action)
                | AdminAction.action.startswith(self.action + ".", autoescape=True)
            )
        if self.target_type:
            stmt = stmt.where(AdminAction.target_type == self.target_type)
        if self.target_id:
            stmt = stmt.where(AdminAction.target_id == self.target_id)
        if self.since is not None:
            stmt = stmt.where(AdminAction.at >= self.since)
        if self.until is not None:
            stmt = stmt.where(AdminAction.at < self.until)
        return stmt


def audit_page(filters: AuditFilter, page: int = 1, per_page: int = AUDIT_PAGE_SIZE) -> Page:
    """One page of the audit log, newest first."""
    page = max(1, page)
    stmt = filters.apply(select(AdminAction))
    total = db.session.scalar(filters.apply(select(db.func.count(AdminAction.id)))) or 0
    items = db.session.scalars(
        stmt.order_by(AdminAction.at.desc(), AdminAction.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


def history_of(target_type: str, target_id: int | str, limit: int = 20) -> list[AdminAction]:
    """The latest admin actions on one record, newest first (for queue items and detail pages)."""
    return list(
        db.session.scalars(
            select(AdminAction)
            .where(AdminAction.target_type == target_type, AdminAction.target_id == str(target_id))
            .order_by(AdminAction.at.desc(), AdminAction.id.desc())
            .limit(limit)
        )
    )


def known_actions() -> list[str]:
    """Every action name logged so far, for the filter's choices."""
    return list(
        db.session.scalars(select(AdminAction.action).distinct().order_by(AdminAction.action))
    )


@dataclass(frozen=True)
class FieldChange:
    """One field of an audited record: its value before and after, and whether it changed."""

    name: str
    before: Any
    after: Any
    changed: bool


def changes_of(row: AdminAction) -> list[FieldChange]:
    """The fields an action recorded, changed ones first, in a stable order."""
    before, after = row.before or {}, row.after or {}
    names = list(dict.fromkeys([*before, *after]))
    fields = [
        FieldChange(
            name,
            before.get(name),
            after.get(name),
            row.before is None or row.after is None or before.get(name) != after.get(name),
        )
        for name in names
    ]
    return sorted(fields, key=lambda change: not change.changed)
