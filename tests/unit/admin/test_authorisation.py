"""Every /admin route, read from the app's URL map, is for admins only, whatever its method.

A signed-in buyer or vendor gets 403 (never 404, 400 or the page: the guard runs before the
view looks anything up), a visitor is sent to sign-in, and every /admin rule has an explicit
admin policy, so a new route added without one fails here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Blueprint, Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule
from werkzeug.routing.converters import (
    AnyConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UUIDConverter,
)

from marketplace.accounts.decorators import admin_required, vendor_required
from marketplace.admin.models import AdminAction
from marketplace.admin.policy import has_admin_decorator, has_admin_policy
from marketplace.extensions import db
from marketplace.vendors.models import VendorEvent
from tests.helpers import sign_in

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def admin_rules(app: Flask) -> list[Rule]:
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule == "/admin" or rule.rule.startswith("/admin/")
    ]
    return sorted(rules, key=lambda rule: rule.rule)


def sample_value(converter: Any) -> Any:
    """A plausible value for one URL variable (an id that may or may not exist)."""
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]  # (every choice is expanded by sample_values)
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    if isinstance(converter, PathConverter):
        return "sample/path"
    return "sample"


def sample_values(rule: Rule) -> list[dict[str, Any]]:
    """URL values for the rule, one set per choice of each `any(...)` part."""
    choices: list[dict[str, Any]] = [{}]
    for name, converter in sorted(rule._converters.items()):
        options = sorted(converter.items) if isinstance(converter, AnyConverter) else None
        options = options or [sample_value(converter)]
        choices = [dict(values, **{name: option}) for values in choices for option in options]
    return choices


def requests_for(app: Flask) -> Iterator[tuple[str, str]]:
    """(method, url) for every admin rule, every `any()` choice and every method it allows."""
    adapter = app.url_map.bind("localhost")
    for rule in admin_rules(app):
        for values in sample_values(rule):
            url = adapter.build(rule.endpoint, values)
            for method in sorted((rule.methods or set()) - IGNORED_METHODS):
                yield method, url


def rules_without_policy(app: Flask) -> list[str]:
    return [rule.rule for rule in admin_rules(app) if not has_admin_policy(app, rule.endpoint)]


def _audit_and_vendor_events() -> tuple[int, int]:
    """Rows refused requests must never write."""
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(AdminAction)) or 0,
        db.session.scalar(select(func.count()).select_from(VendorEvent)) or 0,
    )


def test_the_admin_area_has_many_routes(app):
    assert len(admin_rules(app)) >= 25


def test_every_admin_route_has_an_explicit_admin_policy(app):
    assert rules_without_policy(app) == []


def test_a_new_admin_route_without_a_policy_is_caught(app_factory):
    app = app_factory()
    stray = Blueprint("stray", __name__)

    @stray.get("/admin/forgotten-report")
    def forgotten_report() -> str:
        return "figures"

    app.register_blueprint(stray)
    assert rules_without_policy(app) == ["/admin/forgotten-report"]


def test_a_route_outside_the_admin_blueprint_passes_with_admin_required(app_factory):
    app = app_factory()
    elsewhere = Blueprint("elsewhere", __name__)

    @elsewhere.get("/admin/guarded-report")
    @admin_required
    def guarded_report() -> str:
        return "figures"

    app.register_blueprint(elsewhere)
    assert rules_without_policy(app) == []


def test_only_admin_required_marks_a_view_with_the_admin_policy():
    def view() -> str:
        return "page"

    assert has_admin_decorator(admin_required(view))
    assert not has_admin_decorator(vendor_required(view))
    assert not has_admin_decorator(view)


@pytest.mark.parametrize("role", ["buyer", "vendor"])
def test_non_admins_get_403_on_every_admin_route_and_method(
    app, client, make_user, make_vendor, role
):
    user = make_user() if role == "buyer" else make_vendor().owner
    db.session.commit()
    sign_in(client, user)
    before = _audit_and_vendor_events()
    answers = {
        f"{method} {url}": client.open(url, method=method).status_code
        for method, url in requests_for(app)
    }
    assert {request: code for request, code in answers.items() if code != 403} == {}
    assert _audit_and_vendor_events() == before


def test_visitors_are_sent_to_sign_in_from_every_admin_route_and_method(app, client):
    refused = {}
    for method, url in requests_for(app):
        response = client.open(url, method=method)
        location = response.headers.get("Location", "")
        if not (response.status_code == 401 or "/account/sign-in" in location):
            refused[f"{method} {url}"] = response.status_code
    assert refused == {}
