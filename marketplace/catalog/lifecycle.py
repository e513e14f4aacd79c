"""The listing state machine: which status a product may move to from where it is."""

from __future__ import annotations

import logging

from marketplace.catalog.models import Product, ProductStatus
from marketplace.errors import DomainError
from marketplace.models_base import utcnow

log = logging.getLogger(__name__)

TRANSITIONS: dict[ProductStatus, frozenset[ProductStatus]] = {
    ProductStatus.DRAFT: frozenset({ProductStatus.PENDING_REVIEW}),
    ProductStatus.PENDING_REVIEW: frozenset(
        {ProductStatus.LIVE, ProductStatus.REJECTED, ProductStatus.DRAFT}
    ),
    ProductStatus.REJECTED: frozenset({ProductStatus.PENDING_REVIEW, ProductStatus.DRAFT}),
    ProductStatus.LIVE: frozenset({ProductStatus.DELISTED, ProductStatus.PENDING_REVIEW}),
    ProductStatus.DELISTED: frozenset({ProductStatus.PENDING_REVIEW, ProductStatus.DRAFT}),
}

# How a listing's status, and a move to each status, read in a sentence shown to a person.
STATUS_WORDS: dict[ProductStatus, str] = {
    ProductStatus.DRAFT: "a draft",
    ProductStatus.PENDING_REVIEW: "waiting for review",
    ProductStatus.LIVE: "live",
    ProductStatus.REJECTED: "rejected",
    ProductStatus.DELISTED: "delisted",
}
MOVE_WORDS: dict[ProductStatus, str] = {
    ProductStatus.DRAFT: "go back to draft",
    ProductStatus.PENDING_REVIEW: "be sent for review",
    ProductStatus.LIVE: "go live",
    ProductStatus.REJECTED: "be rejected",
    ProductStatus.DELISTED: "be delisted",
}


class InvalidTransition(DomainError):
    """The listing cannot move from its status to the one asked for."""

    message = "That change of status is not allowed for this listing."


def allowed_transitions(status: str) -> frozenset[ProductStatus]:
    """The statuses a listing in `status` may move to (none for an unknown status)."""
    try:
        return TRANSITIONS[ProductStatus(status)]
    except ValueError:
        return frozenset()


def can_transition(from_status: str, to_status: str) -> bool:
    """Whether the state machine allows the move, so callers can offer only allowed actions."""
    return to_status in allowed_transitions(from_status)


def _refusal(product: Product, to_status: str) -> InvalidTransition:
    try:
        wanted = MOVE_WORDS[ProductStatus(to_status)]
    except ValueError:
        return InvalidTransition(f"“{to_status}” is not a listing status.")
    current = STATUS_WORDS[ProductStatus(product.status)]
    options = sorted(MOVE_WORDS[s] for s in allowed_transitions(product.status))
    return InvalidTransition(
        f"“{product.title}” is {current} and cannot {wanted}; it can only {' or '.join(options)}."
    )


def ensure_transition(product: Product, to_status: str) -> None:
    """Raise InvalidTransition, saying what is allowed instead, unless the move is allowed."""
    if not can_transition(product.status, to_status):
        raise _refusal(product, to_status)


def change_product_status(product: Product, to_status: str, *, actor_id: int | None = None) -> None:
    """Move a listing to `to_status`, refusing moves the state machine does not allow."""
    ensure_transition(product, to_status)
    from_status = product.status
    product.status = ProductStatus(to_status)
    if product.status == ProductStatus.LIVE and product.published_at is None:
        product.published_at = utcnow()
    log.debug(
        "product %s: %s -> %s (actor %s)", product.id, from_status, to_status, actor_id or "system"
    )
