"""A market with two shops, and a paid order from both to fulfil."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.orders.models import Order
from tests.unit.fulfilment import support
from tests.unit.payments import payments_support


@pytest.fixture
def market(app) -> payments_support.Marketplace:
    """Two onboarded shops ($25.00 and $12.00 products), 10% + 30 commission, 8% US tax."""
    built = payments_support.build_marketplace()
    db.session.commit()
    return built


@pytest.fixture
def order(market) -> Order:
    """3 units from the first shop, 1 from the second, paid."""
    return support.paid_order(market)
