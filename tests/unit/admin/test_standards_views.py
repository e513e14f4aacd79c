"""Admin product standards: list, create and edit per kind, switch on and off, re-check."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import ListingCheck, ModerationDecision, Product, ProductStandard
from marketplace.catalog.standards import KINDS
from marketplace.extensions import db
from tests.helpers import sign_in


@pytest.fixture
def admin(make_user):
    return make_user(is_admin=True)


@pytest.fixture
def admin_client(client, admin):
    db.session.commit()
    sign_in(client, admin)
    return client


def add_standard(**fields) -> ProductStandard:
    fields.setdefault("name", "Prohibited words")
    fields.setdefault("kind", "prohibited_words")
    fields.setdefault("params", {"words": ["replica"]})
    fields.setdefault("severity", "block")
    standard = ProductStandard(**fields)
    db.session.add(standard)
    db.session.flush()
    return standard


def standards() -> list[ProductStandard]:
    db.session.expire_all()
    return list(db.session.scalars(select(ProductStandard).order_by(ProductStandard.id)))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def form_data(**overrides) -> dict[str, str]:
    data = {"name": "Title length", "severity": "block", "category_id": "", "is_active": "y"}
    data.update(overrides)
    return data


# --- list ---------------------------------------------------------------------------------------


def test_list_shows_kind_severity_scope_and_state(admin_client, make_category):
    knives = make_category(name="Knives", slug="knives", path="knives")
    add_standard(name="No replicas", severity="review")
    add_standard(
        name="No knives",
        kind="prohibited_category",
        params={"paths": ["knives"]},
        category_id=knives.id,
        is_active=False,
    )
    db.session.commit()

    page = admin_client.get("/admin/standards").get_data(as_text=True)

    for text in (
        "No replicas",
        "Prohibited words",
        "Needs review",
        "Every category",
        "No knives",
        "Prohibited categories",
        "knives",
        "Inactive",
        "Preview the re-check",
    ):
        assert text in page, text
    assert page.index("No replicas") < page.index("No knives")  # active first


def test_new_standard_starts_by_choosing_a_kind(admin_client):
    page = admin_client.get("/admin/standards/new").get_data(as_text=True)
    for kind in KINDS.values():
        assert f"/admin/standards/new?kind={kind.name}" in page
        assert kind.label in page


def test_each_kind_renders_its_own_parameters_with_help(admin_client):
    page = admin_client.get("/admin/standards/new?kind=title_caps").get_data(as_text=True)
    assert 'name="param_max_ratio"' in page
    assert 'name="param_min_length"' in page
    assert "taken as acronyms" in page
    assert 'name="param_words"' not in page


# --- create -------------------------------------------------------------------------------------


def test_creating_a_standard_stores_typed_parameters(admin_client):
    response = admin_client.post(
        "/admin/standards/new?kind=title_length",
        data=form_data(param_min="20", param_max="120", severity="review"),
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/standards?changed=1")
    (standard,) = standards()
    assert (standard.kind, standard.name, standard.severity) == (
        "title_length",
        "Title length",
        "review",
    )
    assert standard.params == {"min": 20, "max": 120}
    assert standard.is_active is True
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The standards changed." in page


def test_word_lists_are_split_trimmed_and_deduplicated(admin_client):
    admin_client.post(
        "/admin/standards/new?kind=prohibited_words",
        data=form_data(name="Banned", param_words=" replica\nknock-off, replica\n\nbootleg "),
    )
    assert standards()[0].params == {"words": ["replica", "knock-off", "bootleg"]}


def test_prices_are_typed_in_major_units_and_stored_in_minor(admin_client, make_category):
    toys = make_category(name="Toys", slug="toys", path="toys")
    db.session.commit()
    admin_client.post(
        "/admin/standards/new?kind=price_bounds",
        data=form_data(
            name="Toy prices",
            category_id=str(toys.id),
            param_min_minor="1.50",
            param_max_minor="250",
            param_currency="usd",
        ),
    )
    (standard,) = standards()
    assert standard.params == {"min_minor": 150, "max_minor": 25000, "currency": "USD"}
    assert standard.category_id == toys.id


def test_category_paths_must_exist(admin_client, make_category):
    make_category(name="Knives", slug="knives", path="knives")
    db.session.commit()

    response = admin_client.post(
        "/admin/standards/new?kind=prohibited_category",
        data=form_data(name="Banned", param_paths="knives\nfireworks"),
    )

    assert response.status_code == 400
    assert "No such category: fireworks." in response.get_data(as_text=True)
    assert standards() == []


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("title_length", {"param_min": "lots"}, "Not a valid integer value."),
        ("title_length", {"param_min": "0"}, "Number must be between 1 and 200."),
        ("title_length", {"param_min": "50", "param_max": "20"}, "Must not be below the minimum."),
        ("title_caps", {"param_max_ratio": "1.5", "param_min_length": "4"}, "between 0 and 1"),
        ("prohibited_words", {"param_words": " \n "}, "Enter at least one entry"),
        ("price_bounds", {"param_currency": "dollars"}, "Use a code like USD."),
        ("title_length", {"param_min": "10", "name": ""}, "Name the standard"),
    ],
)
def test_bad_parameters_are_explained_next_to_the_field(admin_client, kind, data, message):
    response = admin_client.post(f"/admin/standards/new?kind={kind}", data=form_data(**data))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="field-errors"' in page
    assert standards() == []


def test_unknown_kind_falls_back_to_the_choice(admin_client):
    response = admin_client.post("/admin/standards/new?kind=astrology", data=form_data())
    assert response.status_code == 200
    assert "What should the new standard check?" in response.get_data(as_text=True)
    assert standards() == []


# --- edit, activate, deactivate -----------------------------------------------------------------


def test_editing_shows_the_stored_parameters_and_saves_changes(admin_client):
    standard = add_standard(params={"words": ["replica", "bootleg"]})
    db.session.commit()

    page = admin_client.get(f"/admin/standards/{standard.id}/edit").get_data(as_text=True)
    assert "replica\nbootleg</textarea>" in page

    response = admin_client.post(
        f"/admin/standards/{standard.id}/edit",
        data=form_data(name="Banned words", severity="warn", param_words="fake"),
    )

    assert response.status_code == 302
    (saved,) = standards()
    assert (saved.name, saved.severity, saved.params) == (
        "Banned words",
        "warn",
        {"words": ["fake"]},
    )


def test_deactivating_and_activating_a_standard(admin_client):
    standard = add_standard()
    db.session.commit()

    response = admin_client.post(f"/admin/standards/{standard.id}/deactivate")
    assert response.headers["Location"].endswith("/admin/standards?changed=1")
    assert standards()[0].is_active is False

    admin_client.post(f"/admin/standards/{standard.id}/activate")
    assert standards()[0].is_active is True


def test_editing_a_missing_standard_is_404(admin_client):
    assert admin_client.get("/admin/standards/999/edit").status_code == 404


# --- re-check -----------------------------------------------------------------------------------


@pytest.fixture
def replica_listing(make_product):
    """A live listing that an active block standard, added after it went live, now fails."""
    product = make_product(title="Replica Designer Handbag in Tan Leather", status="live")
    add_standard(name="No replicas", params={"words": ["replica"]}, severity="block")
    make_product(title="Waxed Canvas Tote Bag With Brass Rivets", status="live")
    db.session.commit()
    return product


def test_the_recheck_dry_run_reports_and_changes_nothing(admin_client, replica_listing):
    response = admin_client.post("/admin/standards/recheck", data={"dry_run": "1"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Re-check preview" in page
    assert "Replica Designer Handbag in Tan Leather" in page
    assert "Would be delisted" in page
    assert "Waxed Canvas Tote" not in page
    assert 'name="dry_run" type="hidden" value="0"' in page
    db.session.expire_all()
    assert db.session.get(Product, replica_listing.id).status == "live"
    assert count(ListingCheck) == 0
    assert count(ModerationDecision) == 0


def test_confirming_the_recheck_delists_what_the_preview_showed(admin_client, replica_listing):
    response = admin_client.post("/admin/standards/recheck", data={"dry_run": "0"})

    page = response.get_data(as_text=True)
    assert "Re-check done" in page
    assert "Replica Designer Handbag in Tan Leather" in page
    db.session.expire_all()
    assert db.session.get(Product, replica_listing.id).status == "delisted"
    assert count(ModerationDecision) == 1
