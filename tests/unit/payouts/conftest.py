"""A small marketplace (two onboarded shops, 10% + 30 commission, 8% US tax) for payout tests."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from tests.unit.payments import payments_support as market_support


@pytest.fixture
def market(app) -> market_support.Marketplace:
    built = market_support.build_marketplace()
    db.session.commit()
    return built
