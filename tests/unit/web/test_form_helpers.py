"""The form helpers every blueprint shares: required text areas and refusals next to fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField

from marketplace.errors import DomainError
from marketplace.forms import required_text, show_domain_error


class NoteForm(FlaskForm):
    class Meta:
        csrf = False

    note = required_text("Note", required="Write a note.", max_length=10)
    title = StringField("Title")


class FieldRefusal(DomainError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def test_required_text_trims_and_keeps_the_limit_in_the_browser(app):
    with app.test_request_context():
        form = NoteForm(formdata=MultiDict({"note": "  hello  "}))
        assert form.validate()
        assert form.note.data == "hello"
        assert 'maxlength="10"' in form.note()


def test_required_text_refuses_blank_and_long_text_with_its_messages(app):
    with app.test_request_context():
        blank = NoteForm(formdata=MultiDict({"note": "   "}))
        long = NoteForm(formdata=MultiDict({"note": "x" * 11}))
        assert not blank.validate() and blank.note.errors == ["Write a note."]
        assert not long.validate() and long.note.errors == ["Use at most 10 characters."]


def test_a_domain_error_naming_a_field_is_shown_next_to_it(app):
    with app.test_request_context():
        form = NoteForm(formdata=MultiDict({"note": "hi"}))
        show_domain_error(form, FieldRefusal("Pick another title.", field="title"))
        assert form.title.errors == ["Pick another title."]
        assert form.form_errors == []


def test_a_domain_error_without_a_field_goes_to_the_top_of_the_form(app):
    with app.test_request_context():
        form = NoteForm(formdata=MultiDict({"note": "hi"}))
        show_domain_error(form, DomainError("Not now."))
        assert form.form_errors == ["Not now."]
