"""Who may use the admin console: the admin blueprint's guard, run before any of its views.

Each admin view is also decorated with `admin_required`; this guard makes a view that forgets
the decorator safe anyway, and runs before URL values are looked up (so a non-admin learns
nothing, not even whether a record exists).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from flask_login import current_user

from marketplace.accounts.decorators import ADMIN_REFUSAL


def require_admin() -> Any:
    """Visitors go to sign-in; signed-in users who are not admins get 403."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403, ADMIN_REFUSAL)
    return None
