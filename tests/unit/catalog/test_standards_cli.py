"""`flask standards install-defaults` and `flask standards recheck [--dry-run]`."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.catalog.models import ListingCheck, Product, ProductStandard
from marketplace.catalog.standards import KINDS
from marketplace.extensions import db


def invoke(app, *args: str):
    result = app.test_cli_runner().invoke(args=["standards", *args])
    assert result.exception is None, result.output
    db.session.expire_all()
    return result


def add_title_rule(minimum: int = 15) -> None:
    db.session.add(
        ProductStandard(kind="title_length", name="Title length", params={"min": minimum})
    )


def test_install_defaults_installs_once(app):
    assert invoke(app, "install-defaults").output == f"installed={len(KINDS)}\n"
    assert invoke(app, "install-defaults").output == "installed=0\n"
    assert db.session.scalar(select(func.count()).select_from(ProductStandard)) == len(KINDS)


def test_dry_run_prints_what_would_happen_and_changes_nothing(app, make_product, make_vendor):
    shop = make_vendor(display_name="Kiln Street Pottery")
    short = make_product(vendor=shop, title="Mug")
    make_product(vendor=shop, description="Another sturdy mug, in a different speckled glaze.")
    add_title_rule()
    db.session.commit()

    result = invoke(app, "recheck", "--dry-run")

    assert result.output.splitlines() == [
        f"would delist: #{short.id} “Mug” (Kiln Street Pottery)",
        "    - Title must be at least 15 characters (it has 3).",
        "checked=2 passed=1 review=0 blocked=1",
    ]
    assert db.session.get(Product, short.id).status == "live"
    assert db.session.scalar(select(func.count()).select_from(ListingCheck)) == 0


def test_a_real_recheck_delists_and_ends_with_the_counts(app, make_product):
    short = make_product(title="Mug")
    add_title_rule()
    db.session.commit()

    result = invoke(app, "recheck")

    assert result.output.splitlines()[0].startswith(f"delisted: #{short.id} “Mug”")
    assert result.output.splitlines()[-1] == "checked=1 passed=0 review=0 blocked=1"
    assert db.session.get(Product, short.id).status == "delisted"


def test_recheck_with_nothing_live(app):
    assert invoke(app, "recheck").output == "checked=0 passed=0 review=0 blocked=0\n"
