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

# `admin_required` marks the view it returns with `view.admin_policy = ADMIN_POLICY`, so a check
# over the URL map can tell a guarded admin view from one that forgot its guard.
POLICY_ATTRIBUTE = "admin_policy"
ADMIN_POLICY = "admin"


def _is_admin(user: Any) -> bool:
    return bool(user.is_admin)


def _owns_a_vendor(user: Any) -> bool:
    return user.vendor is not None


def refusal_unless(has_role: Callable[[Any], bool], refusal: str) -> Any:
    """None when the signed-in user has the role; otherwise the answer to give instead:
    visitors go to sign-in (and come back after), signed-in users without the role get 403."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not has_role(current_user):
        abort(403, refusal)
    return None


def refusal_unless_admin() -> Any:
    """`refusal_unless` for marketplace admins (the admin blueprint's guard uses it too)."""
    return refusal_unless(_is_admin, ADMIN_REFUSAL)


def _role_required(has_role: Callable[[Any], bool], refusal: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refused = refusal_unless(has_role, refusal)
            return refused if refused is not None else view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorator


def admin_required(view: F) -> F:
    """Only marketplace admins may use the view; the view is marked with the admin policy."""
    guarded = _role_required(_is_admin, ADMIN_REFUSAL)(view)
    setattr(guarded, POLICY_ATTRIBUTE, ADMIN_POLICY)
    return guarded


def vendor_required(view: F) -> F:
    """Only users who own a Vendor (in any state; the view decides what it allows) may use it."""
    return _role_required(_owns_a_vendor, VENDOR_REFUSAL)(view)
