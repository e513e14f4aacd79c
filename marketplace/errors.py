"""The base of every domain error: a rule was broken, and here is what to tell the person."""

from __future__ import annotations


class DomainError(Exception):
    """A refused action. `message` is safe and useful to show to the user who asked for it;
    `field`, when set, names the form field it concerns, so a page can show it next to that field.
    """

    message = "That could not be done."
    field: str | None = None

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__(self.message)
