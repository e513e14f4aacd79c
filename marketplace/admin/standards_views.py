"""Product standards under /admin/standards: the rules listings must meet, and re-checks."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from marketplace.accounts.decorators import admin_required
from marketplace.admin import bp
from marketplace.admin.audit import fields_of, record_admin_action
from marketplace.admin.forms import (
    ConfirmForm,
    RecheckForm,
    StandardForm,
    check_ranges,
    form_data_from_params,
    param_fields,
    params_from_form,
    standard_form_class,
)
from marketplace.catalog import compliance
from marketplace.catalog.models import Category, ProductStandard
from marketplace.catalog.standards import KINDS, Kind
from marketplace.extensions import db


def _category_paths() -> set[str]:
    return set(db.session.scalars(select(Category.path)))


def _scope_choices() -> list[SelectChoice]:
    """Every category, indented under its parent, after the marketplace-wide choice."""
    choices = [SelectChoice("", "Every category")]
    for category in db.session.scalars(select(Category).order_by(Category.path)):
        indent = "\u2003" * category.path.count("/")
        choices.append(SelectChoice(str(category.id), f"{indent}{category.name}"))
    return choices


def _build_form(kind: Kind, standard: ProductStandard | None = None) -> StandardForm:
    """The form for a standard of `kind`, filled from `standard` when editing."""
    form_class = standard_form_class(kind.params, _category_paths)
    if request.method == "POST":
        form = form_class()
    elif standard is None:
        form = form_class(
            name=kind.default_name or kind.label,
            severity=kind.default_severity,
            is_active=kind.default_active,
        )
    else:
        form = form_class(
            name=standard.name,
            severity=standard.severity,
            category_id=str(standard.category_id or ""),
            is_active=standard.is_active,
            **form_data_from_params(standard.params or {}, kind.params),
        )
    form.category_id.choices = _scope_choices()
    return form


STANDARD_FIELDS = ("kind", "name", "severity", "category_id", "is_active", "params")


def _audit_standard(action: str, standard: ProductStandard, before: Any) -> None:
    record_admin_action(
        actor_id=current_user.id,
        action=f"standard.{action}",
        target_type="standard",
        target_id=standard.id,
        before=before,
        after=fields_of(standard, STANDARD_FIELDS),
    )


def _save(form: StandardForm, kind: Kind, standard: ProductStandard) -> None:
    """Copy a validated form onto the standard's row (the view commits)."""
    standard.kind = kind.name
    standard.name = form.name.data
    standard.severity = form.severity.data
    standard.category_id = int(form.category_id.data) if form.category_id.data else None
    standard.is_active = bool(form.is_active.data)
    standard.params = params_from_form(form, kind.params)


@bp.get("/standards", endpoint="standards")
@admin_required
def standards_list() -> str:
    """Every standard with its severity and scope, and the re-check of live listings."""
    rows = db.session.execute(
        select(ProductStandard, Category)
        .outerjoin(Category, ProductStandard.category_id == Category.id)
        .order_by(ProductStandard.is_active.desc(), ProductStandard.kind, ProductStandard.name)
    ).all()
    return render_template(
        "admin/standards/list.html",
        rows=rows,
        kinds=KINDS,
        changed=request.args.get("changed") == "1",
        recheck_form=RecheckForm(),
        toggle_form=ConfirmForm(),
    )


def _render_form(form: StandardForm, kind: Kind, standard: ProductStandard | None) -> Any:
    status = 400 if form.errors else 200
    page = render_template(
        "admin/standards/form.html",
        form=form,
        kind=kind,
        standard=standard,
        params=param_fields(form, kind.params),
    )
    return page, status


@bp.route("/standards/new", methods=["GET", "POST"])
@admin_required
def new_standard() -> Any:
    """Pick a kind, then fill in its parameters, severity and scope."""
    kind = KINDS.get(request.args.get("kind", ""))
    if kind is None:
        return render_template("admin/standards/choose_kind.html", kinds=KINDS)
    form = _build_form(kind)
    if form.validate_on_submit() and check_ranges(form, kind.params):
        standard = ProductStandard()
        _save(form, kind, standard)
        db.session.add(standard)
        db.session.flush()
        _audit_standard("create", standard, None)
        db.session.commit()
        flash(f"Standard “{standard.name}” created.", "success")
        return redirect(url_for("admin.standards", changed=1))
    return _render_form(form, kind, None)


@bp.route("/standards/<int:standard_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_standard(standard_id: int) -> Any:
    """Change a standard's parameters, severity, scope or state."""
    standard = db.get_or_404(ProductStandard, standard_id)
    kind = KINDS.get(standard.kind)
    if kind is None:
        abort(404, description="This standard's kind is no longer known to the checks.")
    form = _build_form(kind, standard)
    if form.validate_on_submit() and check_ranges(form, kind.params):
        before = fields_of(standard, STANDARD_FIELDS)
        _save(form, kind, standard)
        _audit_standard("edit", standard, before)
        db.session.commit()
        flash(f"Standard “{standard.name}” saved.", "success")
        return redirect(url_for("admin.standards", changed=1))
    return _render_form(form, kind, standard)


@bp.post("/standards/<int:standard_id>/<any(activate, deactivate):action>")
@admin_required
def standard_action(standard_id: int, action: str) -> Any:
    """Switch a standard on or off without losing its settings."""
    standard = db.get_or_404(ProductStandard, standard_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    before = fields_of(standard, STANDARD_FIELDS)
    standard.is_active = action == "activate"
    _audit_standard(action, standard, before)
    db.session.commit()
    state = "active" if standard.is_active else "inactive"
    flash(f"Standard “{standard.name}” is {state}.", "success")
    return redirect(url_for("admin.standards", changed=1))


@bp.post("/standards/recheck")
@admin_required
def recheck() -> Any:
    """Re-check live listings: the dry run reports, the confirmed run delists or sends to review."""
    form = RecheckForm()
    if not form.validate_on_submit():
        abort(400)
    dry_run = form.dry_run.data != "0"
    report = compliance.recheck_live_listings(dry_run=dry_run)
    if dry_run:
        db.session.rollback()  # a dry run leaves everything as it was, whatever the checks touched
    else:
        record_admin_action(
            actor_id=current_user.id,
            action="standard.recheck",
            target_type="standard",
            target_id=None,
            after={
                "checked": report.checked,
                "passed": report.passed,
                "review": report.review,
                "blocked": report.blocked,
            },
        )
        db.session.commit()
    return render_template(
        "admin/standards/recheck.html",
        report=report,
        dry_run=dry_run,
        confirm_form=RecheckForm(formdata=None, dry_run="0"),
    )
