"""Form helpers shared by every blueprint."""

from __future__ import annotations

from flask_wtf import FlaskForm


def show_refusal(form: FlaskForm, message: str, field_name: str | None = None) -> None:
    """Put a service's refusal next to the field it concerns, or at the top of the form."""
    field = form[field_name] if field_name and field_name in form else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
