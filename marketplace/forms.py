"""Form helpers shared by every blueprint."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from marketplace.errors import DomainError


def strip_whitespace(value: Any) -> Any:
    """A field filter: what people type loses its leading and trailing spaces."""
    return value.strip() if isinstance(value, str) else value


def required_text(
    label: str, *, required: str, max_length: int, rows: int = 3, description: str = ""
) -> TextAreaField:
    """A text area that must be filled in (`required` says so otherwise), trimmed, with the
    length limit checked on the server and kept by the browser (`maxlength`)."""
    return TextAreaField(
        label,
        filters=[strip_whitespace],
        validators=[
            DataRequired(required),
            Length(max=max_length, message=f"Use at most {max_length} characters."),
        ],
        render_kw={"rows": rows, "maxlength": max_length},
        description=description,
    )


def show_refusal(form: FlaskForm, message: str, field_name: str | None = None) -> None:
    """Put a service's refusal next to the field it concerns, or at the top of the form."""
    field = form[field_name] if field_name and field_name in form else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """`show_refusal` for a domain error, next to the field it names (`error.field`), if any."""
    show_refusal(form, error.message, error.field)
