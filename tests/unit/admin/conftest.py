"""Fixtures for the admin console's tests: a signed-in admin."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from tests.helpers import sign_in


@pytest.fixture
def admin_user(make_user):
    return make_user(is_admin=True, email="audit-admin@example.com", display_name="Audit Admin")


@pytest.fixture
def as_admin(client, admin_user):
    """The test client, signed in as `admin_user`."""
    db.session.commit()
    sign_in(client, admin_user)
    return client
