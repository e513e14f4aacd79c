"""The base of every domain error: a rule was broken, and here is what to tell the person."""

from __future__ import annotations


class DomainError(Exception):
    """A refused action. `message` is safe and useful to show to the user who asked for it."""

    message = "That could not be done."

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(self.message)
