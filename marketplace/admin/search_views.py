"""Search under /admin/search: the synonym list buyers' queries are expanded with, and the index.

Rules apply at query time, so a change here reaches buyers at once, without re-indexing. The
index panel shows the outbox backlog and queues a repair (it runs as a job: on a large catalogue
comparing every document takes longer than a page should).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from marketplace.accounts.decorators import admin_required
from marketplace.admin import bp
from marketplace.admin.audit import fields_of, record_admin_action
from marketplace.admin.forms import ConfirmForm
from marketplace.extensions import db
from marketplace.forms import strip_whitespace
from marketplace.jobs import JobStatus, OutboxJob
from marketplace.search import indexing
from marketplace.search.models import SearchSynonym
from marketplace.search.synonyms import InvalidSynonymRule, parse_rule

RULE_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 200


def _valid_rule(form: FlaskForm, field: Any) -> None:
    """The parser's own message, shown next to the field."""
    try:
        parse_rule(field.data or "")
    except InvalidSynonymRule as exc:
        raise ValidationError(exc.message) from None


class SynonymForm(FlaskForm):
    """One rule: equivalent phrases separated by commas, or `phrases => replacement`."""

    rule = TextAreaField(
        "Rule",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Write a rule, like “couch, sofa” or “denim pants => jeans”."),
            Length(max=RULE_MAX_LENGTH, message=f"Use at most {RULE_MAX_LENGTH} characters."),
            _valid_rule,
        ],
        description="“couch, sofa, settee” makes the words equivalent; "
        "“denim pants => jeans” searches the left side as the right one only.",
        render_kw={"rows": 2, "maxlength": RULE_MAX_LENGTH, "spellcheck": "false"},
    )
    note = StringField(
        "Note",
        filters=[strip_whitespace],
        validators=[
            Length(max=NOTE_MAX_LENGTH, message=f"Use at most {NOTE_MAX_LENGTH} characters.")
        ],
        description="Why the rule exists, for the next person who edits the list.",
        render_kw={"maxlength": NOTE_MAX_LENGTH},
    )
    is_active = BooleanField(
        "Active", default=True, description="Only active rules expand buyers' queries."
    )
    submit = SubmitField("Save rule")

    def normalised_rule(self) -> str:
        """The rule as the parser reads it: lower case, single spaces, no repeats."""
        return str(parse_rule(self.rule.data or ""))


def _rule_problem(text: str) -> str | None:
    """Why a saved rule is ignored (it predates a stricter check), or None when it is fine."""
    try:
        parse_rule(text)
    except InvalidSynonymRule as exc:
        return exc.message
    return None


def _rule_key(text: str) -> tuple[frozenset[str], frozenset[str]] | str:
    """What a rule means, whatever the order its phrases were written in."""
    try:
        rule = parse_rule(text)
    except InvalidSynonymRule:
        return text
    return frozenset(rule.left), frozenset(rule.right)


def _duplicate_of(text: str, own_id: int | None) -> SearchSynonym | None:
    key = _rule_key(text)
    for synonym in db.session.scalars(select(SearchSynonym)):
        if synonym.id != own_id and _rule_key(synonym.rule) == key:
            return synonym
    return None


def _missing_defaults(synonyms: list[SearchSynonym]) -> list[str]:
    """Default rules that are not in the list (compared by meaning; active or not)."""
    from marketplace.search.default_synonyms import DEFAULT_SYNONYM_RULES

    present = {_rule_key(s.rule) for s in synonyms}
    return [str(parse_rule(r)) for r in DEFAULT_SYNONYM_RULES if _rule_key(r) not in present]


SYNONYM_FIELDS = ("rule", "note", "is_active")


def _audit_synonym(action: str, synonym_id: int | None, before: Any, after: Any) -> None:
    record_admin_action(
        actor_id=current_user.id,
        action=f"synonym.{action}",
        target_type="synonym",
        target_id=synonym_id,
        before=before,
        after=after,
    )


def _save(form: SynonymForm, synonym: SearchSynonym) -> None:
    synonym.rule = form.normalised_rule()
    synonym.note = form.note.data or ""
    synonym.is_active = bool(form.is_active.data)


def _check_unique(form: SynonymForm, own_id: int | None) -> bool:
    duplicate = _duplicate_of(form.normalised_rule(), own_id)
    if duplicate is not None:
        form.rule.errors = [*form.rule.errors, "This rule is already in the list."]
        return False
    return True


def _render_list(form: SynonymForm, status: int = 200) -> Any:
    synonyms = list(
        db.session.scalars(
            select(SearchSynonym).order_by(SearchSynonym.is_active.desc(), SearchSynonym.id)
        )
    )
    page = render_template(
        "admin/search/synonyms.html",
        synonyms=synonyms,
        problems={s.id: _rule_problem(s.rule) for s in synonyms},
        form=form,
        action_form=ConfirmForm(),
        missing_defaults=_missing_defaults(synonyms),
        status=indexing.index_status(count_documents=False),
        last_repair=indexing.last_repair_job(),
    )
    return page, status


@bp.route("/search", methods=["GET"], endpoint="search")
@admin_required
def search_home() -> Any:
    return redirect(url_for("admin.search_synonyms"))


@bp.route("/search/synonyms", methods=["GET", "POST"], endpoint="search_synonyms")
@admin_required
def synonyms_list() -> Any:
    """Every rule with its state, the form to add one, and the index's state.

    `?rule=` pre-fills the form (search analytics links here from a query buyers failed on).
    """
    form = SynonymForm()
    if request.method == "GET" and request.args.get("rule"):
        form.rule.data = request.args["rule"][:RULE_MAX_LENGTH]
        form.note.data = (request.args.get("note") or "")[:NOTE_MAX_LENGTH]
    if form.validate_on_submit() and _check_unique(form, None):
        synonym = SearchSynonym()
        _save(form, synonym)
        db.session.add(synonym)
        db.session.flush()
        _audit_synonym("create", synonym.id, None, fields_of(synonym, SYNONYM_FIELDS))
        db.session.commit()
        flash(f"Rule “{synonym.rule}” added; searches use it now.", "success")
        return redirect(url_for("admin.search_synonyms"))
    return _render_list(form, 400 if form.errors else 200)


@bp.route("/search/synonyms/<int:synonym_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_synonym(synonym_id: int) -> Any:
    """Change a rule, its note or its state."""
    synonym = db.get_or_404(SearchSynonym, synonym_id)
    form = SynonymForm(obj=synonym) if request.method == "GET" else SynonymForm()
    if form.validate_on_submit() and _check_unique(form, synonym.id):
        before = fields_of(synonym, SYNONYM_FIELDS)
        _save(form, synonym)
        _audit_synonym("edit", synonym.id, before, fields_of(synonym, SYNONYM_FIELDS))
        db.session.commit()
        flash(f"Rule “{synonym.rule}” saved.", "success")
        return redirect(url_for("admin.search_synonyms"))
    page = render_template("admin/search/synonym_form.html", form=form, synonym=synonym)
    return page, 400 if form.errors else 200


@bp.post("/search/synonyms/<int:synonym_id>/<any(activate, deactivate, delete):action>")
@admin_required
def synonym_action(synonym_id: int, action: str) -> Any:
    """Switch a rule on or off, or remove it."""
    synonym = db.get_or_404(SearchSynonym, synonym_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    before = fields_of(synonym, SYNONYM_FIELDS)
    if action == "delete":
        _audit_synonym(action, synonym.id, before, None)
        db.session.delete(synonym)
        message = f"Rule “{synonym.rule}” deleted."
    else:
        synonym.is_active = action == "activate"
        _audit_synonym(action, synonym.id, before, fields_of(synonym, SYNONYM_FIELDS))
        state = "active" if synonym.is_active else "inactive"
        message = f"Rule “{synonym.rule}” is {state}."
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.search_synonyms"))


@bp.post("/search/synonyms/install-defaults")
@admin_required
def install_default_synonyms() -> Any:
    """Add the curated default rules the list is missing."""
    from marketplace.search.default_synonyms import install_default_synonyms as install

    if not ConfirmForm().validate_on_submit():
        abort(400)
    installed = install()
    _audit_synonym("install_defaults", None, None, {"installed": installed})
    db.session.commit()
    flash(f"{installed} default rule{'s' if installed != 1 else ''} added.", "success")
    return redirect(url_for("admin.search_synonyms"))


@bp.post("/search/repair")
@admin_required
def repair_index() -> Any:
    """Queue a repair of the search indexes (it runs after this request commits)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job_id = indexing.enqueue_repair().id
    record_admin_action(
        actor_id=current_user.id,
        action="search.repair",
        target_type="search_index",
        target_id=None,
        after={"job_id": job_id},
    )
    db.session.commit()  # the job runs now (inline jobs) or on a worker
    job = db.session.get(OutboxJob, job_id)
    if job is not None and job.status == JobStatus.DONE:
        flash("The search indexes were checked and repaired.", "success")
    elif job is not None and job.last_error:
        flash(f"The repair did not finish ({job.last_error}); it will be retried.", "error")
    else:
        flash("Index repair queued; this page shows when it has run.", "info")
    return redirect(url_for("admin.search_synonyms"))
