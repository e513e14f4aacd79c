"""Review test fixtures: buyers with delivered (or not yet delivered) order lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from marketplace.orders.models import OrderLine
from tests.unit.reviews.reviews_support import place_line


@pytest.fixture
def delivered_line(make_user, make_product) -> Callable[..., OrderLine]:
    """`delivered_line(buyer=None, product=None, **kw)`: an order line (new buyer/product)."""

    def make(buyer: Any = None, product: Any = None, **kwargs: Any) -> OrderLine:
        return place_line(buyer or make_user(), product or make_product(), **kwargs)

    return make
