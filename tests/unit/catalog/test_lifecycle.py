"""The listing state machine: allowed moves, refused moves, and the first publication date."""

from __future__ import annotations

import itertools

import pytest

from marketplace.catalog.lifecycle import (
    InvalidTransition,
    allowed_transitions,
    can_transition,
    change_product_status,
)
from marketplace.catalog.models import ProductStatus
from marketplace.errors import DomainError

ALLOWED = {
    ("draft", "pending_review"),
    ("pending_review", "live"),
    ("pending_review", "rejected"),
    ("pending_review", "draft"),
    ("rejected", "pending_review"),
    ("rejected", "draft"),
    ("live", "delisted"),
    ("live", "pending_review"),
    ("delisted", "pending_review"),
    ("delisted", "draft"),
}
EVERY_PAIR = list(itertools.product([s.value for s in ProductStatus], repeat=2))


@pytest.mark.parametrize(("from_status", "to_status"), sorted(ALLOWED))
def test_allowed_moves(make_product, from_status, to_status):
    product = make_product(status=from_status, published_at=None)
    change_product_status(product, to_status, actor_id=None)
    assert product.status == to_status


@pytest.mark.parametrize(
    ("from_status", "to_status"), [pair for pair in EVERY_PAIR if pair not in ALLOWED]
)
def test_refused_moves_change_nothing(make_product, from_status, to_status):
    product = make_product(status=from_status)
    with pytest.raises(InvalidTransition):
        change_product_status(product, to_status)
    assert product.status == from_status


def test_the_state_machine_table_is_what_the_helpers_report():
    for from_status, to_status in EVERY_PAIR:
        assert can_transition(from_status, to_status) == ((from_status, to_status) in ALLOWED)
    assert allowed_transitions("archived") == frozenset()


def test_a_refusal_says_what_is_possible_instead(make_product):
    product = make_product(title="Walnut Spoon", status="draft")
    with pytest.raises(InvalidTransition) as refused:
        change_product_status(product, "live")
    assert isinstance(refused.value, DomainError)
    assert refused.value.message == (
        "“Walnut Spoon” is a draft and cannot go live; it can only be sent for review."
    )


def test_a_refusal_lists_every_allowed_move(make_product):
    product = make_product(title="Walnut Spoon", status="live")
    with pytest.raises(InvalidTransition) as refused:
        change_product_status(product, "rejected")
    assert refused.value.message == (
        "“Walnut Spoon” is live and cannot be rejected; "
        "it can only be delisted or be sent for review."
    )


def test_an_unknown_status_is_refused(make_product):
    product = make_product(status="live")
    with pytest.raises(InvalidTransition, match=r"“sold” is not a listing status\."):
        change_product_status(product, "sold")


def test_first_publication_is_dated_and_kept_on_relisting(make_product):
    product = make_product(status="pending_review", published_at=None)
    change_product_status(product, "live")
    first = product.published_at
    assert first is not None and first.tzinfo is not None

    change_product_status(product, "delisted")
    change_product_status(product, "pending_review")
    change_product_status(product, "live")
    assert product.published_at == first
