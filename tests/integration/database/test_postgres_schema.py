"""The migrations on a real PostgreSQL server: no drift, and the constraints hold there too."""

from __future__ import annotations

import pytest
from flask_migrate import check
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from marketplace.catalog.models import Variant
from marketplace.extensions import db
from tests import factories
from tests.helpers import MIGRATIONS

pytestmark = pytest.mark.integration


def test_migrations_match_the_models_on_postgres(pg_app):
    assert db.engine.dialect.name == "postgresql"
    check(directory=MIGRATIONS)


def test_negative_stock_is_refused_by_postgres(pg_app):
    variant = factories.VariantFactory()
    db.session.commit()
    with pytest.raises(IntegrityError, match="violates check constraint"):
        db.session.execute(update(Variant).where(Variant.id == variant.id).values(stock_on_hand=-1))
        db.session.flush()
    db.session.rollback()


def test_timestamps_keep_utc_on_postgres(pg_app):
    user = factories.UserFactory()
    db.session.commit()
    db.session.expire_all()
    assert user.created_at.utcoffset().total_seconds() == 0
