"""Migrations build the schema from nothing, match the models, and go back down cleanly."""

from __future__ import annotations

from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect

from marketplace import create_app
from marketplace.extensions import db
from tests.helpers import MIGRATIONS, app_settings


def test_upgrade_from_empty_builds_every_table_and_matches_the_models(tmp_path):
    app = create_app(app_settings(tmp_path, f"sqlite:///{tmp_path / 'fresh.db'}"))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        check(directory=MIGRATIONS)  # exits non-zero on drift between models and migrations
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
