"""View guards for the roles a user holds: admin, and vendor (owning a Vendor)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])

ADMIN_REFUSAL = "This page is for marketplace administrators."
VENDOR_REFUSAL = "This page is for sellers. Apply to sell on the marketplace to use it."


def _role_required(has_role: Callable[[Any], bool], refusal: str) -> Callable[[F], F]:
    """Visitors go to sign-in (and come back after); signed-in users without the role get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not has_role(current_user):
                abort(403, refusal)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorator


def admin_required(view: F) -> F:
    """Only marketplace admins may use the view."""
    return _role_required(lambda user: bool(user.is_admin), ADMIN_REFUSAL)(view)


def vendor_required(view: F) -> F:
    """Only users who own a Vendor (in any state; the view decides what it allows) may use it."""
    return _role_required(lambda user: user.vendor is not None, VENDOR_REFUSAL)(view)
