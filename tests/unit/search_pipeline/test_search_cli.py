"""`flask search …`: what each command prints and what it leaves behind."""

from __future__ import annotations

from sqlalchemy import update

from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.search import service
from marketplace.search.documents import searchable_product_ids
from marketplace.search.models import SearchSynonym
from tests.unit.search_pipeline.pipeline_support import drains_held, outbox_product_ids


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=["search", *args])
    db.session.expire_all()
    return result


def test_reindex_prints_each_backend_then_the_totals(app, indexes, make_product):
    make_product()
    make_product(status=ProductStatus.DELISTED)
    db.session.commit()

    result = run(app, "reindex")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("backend=database indexed=1 errors=0 seconds=")
    assert lines[1].startswith("backend=elasticsearch indexed=1 errors=0 seconds=")
    assert lines[-1].startswith("indexed=1 errors=0 seconds=")


def test_reindex_fails_loudly_when_the_backend_is_down(app, indexes):
    indexes[1].down = True

    result = run(app, "reindex")

    assert result.exit_code == 1
    assert "search backend unavailable: elasticsearch is not answering" in result.output


def test_repair_dry_run_reports_and_the_real_run_fixes(app, indexes, make_product):
    elastic_index = indexes[1]
    kept, hidden = make_product().id, make_product().id
    db.session.commit()
    del elastic_index.documents[kept]
    db.session.execute(
        update(Product).where(Product.id == hidden).values(status=ProductStatus.DELISTED)
    )
    db.session.commit()

    dry = run(app, "repair", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"    missing: {kept}" in dry.output
    assert f"    extra (should not be found): {hidden}" in dry.output
    assert "dry run: nothing changed" in dry.output
    assert dry.output.splitlines()[-1] == "missing=1 stale=0 extra=2 fixed=0"

    real = run(app, "repair")
    assert real.exit_code == 0, real.output
    assert "backend=elasticsearch missing=1 stale=0 extra=1 fixed=2" in real.output
    assert real.output.splitlines()[-1] == "missing=1 stale=0 extra=2 fixed=3"
    assert run(app, "repair", "--dry-run").output.splitlines()[-1] == (
        "missing=0 stale=0 extra=0 fixed=0"
    )


def test_drain_applies_pending_rows_and_says_what_is_left(app, indexes, make_product):
    with drains_held():
        product = make_product()
        db.session.commit()
    assert outbox_product_ids() == [product.id]

    result = run(app, "drain")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "indexed=1 deleted=0 errors=0 pending=0"
    assert product.id in indexes[1].documents


def test_drain_keeps_rows_and_exits_non_zero_when_the_backend_is_down(app, indexes, make_product):
    with drains_held():
        make_product()
        db.session.commit()
    indexes[1].down = True

    result = run(app, "drain")

    assert result.exit_code == 1
    assert "rows kept" in result.output
    assert "pending=1" in result.output


def test_status_shows_backend_backlog_and_index_sizes(app, indexes, make_product):
    make_product()
    db.session.commit()
    with drains_held():
        make_product()
        db.session.commit()

    result = run(app, "status")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "backend=elasticsearch"
    assert lines[1].startswith("outbox pending=1 oldest=20")
    assert "searchable products=2" in lines
    assert "index database documents=1" in lines
    assert "index elasticsearch documents=1" in lines


def test_synonyms_install_defaults_adds_the_list_once(app):
    from marketplace.search.default_synonyms import DEFAULT_SYNONYM_RULES

    first = run(app, "synonyms", "install-defaults")
    again = run(app, "synonyms", "install-defaults")

    assert first.output.strip() == f"installed={len(DEFAULT_SYNONYM_RULES)}"
    assert again.output.strip() == "installed=0"
    assert db.session.query(SearchSynonym).count() == len(DEFAULT_SYNONYM_RULES)


def test_the_demo_is_searchable_right_after_seeding(app):
    """The demo's bulk inserts bypass the listeners; seed-demo indexes it and adds synonyms."""
    result = app.test_cli_runner().invoke(
        args=["seed-demo", "--products", "12", "--image-size", "64"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()

    searchable = searchable_product_ids()
    assert len(searchable) == 12
    assert set(service.get_backend().indexed_versions()) == searchable
    assert db.session.query(SearchSynonym).count() > 0
    assert outbox_product_ids() == []
    assert "Search: 12 products indexed" in result.output
