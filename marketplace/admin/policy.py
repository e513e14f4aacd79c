"""Who may use the admin console: the admin blueprint's guard, run before any of its views.

Each admin view is also decorated with `admin_required`; this guard makes a view that forgets
the decorator safe anyway, and runs before URL values are looked up (so a non-admin learns
nothing, not even whether a record exists).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from marketplace.accounts.decorators import ADMIN_POLICY, POLICY_ATTRIBUTE, refusal_unless_admin


def require_admin() -> Any:
    """Visitors go to sign-in; signed-in users who are not admins get 403."""
    return refusal_unless_admin()


def has_admin_decorator(view: Callable[..., Any]) -> bool:
    """The view carries `admin_required`'s marker (a wrapper made with `functools.wraps`
    around a guarded view keeps it, since the guard still runs inside)."""
    return getattr(view, POLICY_ATTRIBUTE, None) == ADMIN_POLICY


def has_admin_blueprint_guard(app: Flask, endpoint: str) -> bool:
    """The endpoint's blueprint runs `require_admin` before every request."""
    blueprint = endpoint.rpartition(".")[0]
    return bool(blueprint) and require_admin in app.before_request_funcs.get(blueprint, [])


def has_admin_policy(app: Flask, endpoint: str) -> bool:
    """Only admins reach the endpoint: its view is marked or its blueprint is guarded."""
    return has_admin_decorator(app.view_functions[endpoint]) or has_admin_blueprint_guard(
        app, endpoint
    )
