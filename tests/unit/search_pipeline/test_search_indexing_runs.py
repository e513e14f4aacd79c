"""drain, reindex and repair: what reaches each index, what stays in the outbox, what is retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.jobs import JobStatus, OutboxJob, relay
from marketplace.models_base import utcnow
from marketplace.search import indexing
from marketplace.search.types import SearchUnavailable
from marketplace.vendors.models import VendorStatus
from tests import factories
from tests.unit.search_pipeline.pipeline_support import (
    MemoryIndex,
    drains_held,
    outbox_product_ids,
)


def changed_behind_the_index(product_ids: list[int]) -> None:
    """Commit outbox rows for these products (and whatever the flushes recorded) without the
    drain job doing anything, as if every worker were busy."""
    with drains_held():
        indexing.mark_stale(product_ids)
        db.session.commit()


# --- drain ------------------------------------------------------------------------------------


def test_drain_feeds_both_indexes_and_empties_the_outbox(indexes, make_product):
    database_index, elastic_index = indexes
    product = make_product(title="Linen apron")
    db.session.commit()

    assert database_index.titles() == {product.id: "Linen apron"}
    assert elastic_index.titles() == {product.id: "Linen apron"}
    assert outbox_product_ids() == []


@pytest.mark.parametrize(
    "hide",
    ["delist", "suspend vendor", "stop payouts", "sell out", "reserve everything"],
)
def test_products_that_stop_being_searchable_leave_both_indexes(indexes, make_product, hide):
    database_index, elastic_index = indexes
    product = make_product(stock=3)
    db.session.commit()
    assert product.id in elastic_index.documents

    variant = product.variants[0]
    if hide == "delist":
        product.status = ProductStatus.DELISTED
    elif hide == "suspend vendor":
        product.vendor.status = VendorStatus.SUSPENDED
    elif hide == "stop payouts":
        product.vendor.payouts_enabled = False
    elif hide == "sell out":
        variant.stock_on_hand = 0
    else:
        variant.stock_reserved = 3
    db.session.commit()

    assert product.id not in elastic_index.documents
    assert product.id not in database_index.documents


def test_out_of_stock_with_backorder_stays_searchable(indexes, make_product):
    elastic_index = indexes[1]
    product = make_product(stock=1)
    db.session.commit()
    product.variants[0].stock_on_hand = 0
    product.variants[0].allow_backorder = True
    db.session.commit()

    assert elastic_index.documents[product.id].in_stock is False


def test_when_elasticsearch_is_down_the_database_index_still_follows(indexes, make_product):
    database_index, elastic_index = indexes
    elastic_index.down = True
    product = make_product(title="Wool throw")
    db.session.commit()  # the inline drain job runs here and fails on Elasticsearch

    assert database_index.titles() == {product.id: "Wool throw"}
    assert elastic_index.documents == {}
    assert outbox_product_ids() == [product.id]
    job = db.session.scalars(select(OutboxJob).where(OutboxJob.func == indexing.DRAIN_JOB)).one()
    assert job.status == JobStatus.PENDING  # to be retried with backoff
    assert job.attempts == 1
    assert "SearchUnavailable" in job.last_error


def test_the_retried_job_catches_elasticsearch_up(indexes, make_product):
    elastic_index = indexes[1]
    elastic_index.down = True
    product = make_product(title="Wool throw")
    db.session.commit()
    job = db.session.scalars(select(OutboxJob).where(OutboxJob.func == indexing.DRAIN_JOB)).one()

    elastic_index.down = False
    db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job.id)
        .values(available_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert relay(older_than=0) == 1

    assert elastic_index.titles() == {product.id: "Wool throw"}
    assert outbox_product_ids() == []
    db.session.expire_all()
    assert db.session.get(OutboxJob, job.id).status == JobStatus.DONE


def test_a_down_index_does_not_stop_later_batches_reaching_the_database(app, indexes, make_product):
    database_index, elastic_index = indexes
    app.config["SEARCH_INDEX_BATCH"] = 2
    products = [make_product() for _ in range(5)]
    elastic_index.down = True
    changed_behind_the_index([p.id for p in products])

    with pytest.raises(SearchUnavailable):
        indexing.drain()

    assert sorted(database_index.documents) == sorted(p.id for p in products)
    assert sorted(outbox_product_ids()) == sorted(p.id for p in products)


def test_when_the_only_index_is_down_rows_stay_and_the_run_raises(database_only, make_product):
    product = make_product()
    database_only.down = True
    changed_behind_the_index([product.id])

    with pytest.raises(SearchUnavailable):
        indexing.drain()

    assert product.id in outbox_product_ids()


def test_refused_documents_keep_their_rows_and_the_rest_go_through(indexes, make_product):
    database_index, elastic_index = indexes
    good, bad = make_product(), make_product()
    elastic_index.refuse[bad.id] = "mapper_parsing_exception: field [title] too long"
    changed_behind_the_index([good.id, bad.id])

    report = indexing.drain()

    assert report.indexed == 1
    assert report.errors == {bad.id: "mapper_parsing_exception: field [title] too long"}
    assert sorted(set(outbox_product_ids())) == [bad.id]
    assert good.id in elastic_index.documents
    assert bad.id in database_index.documents


def test_drain_works_in_batches_and_honours_the_limit(app, database_only, make_product):
    app.config["SEARCH_INDEX_BATCH"] = 2
    products = [make_product() for _ in range(5)]
    changed_behind_the_index([p.id for p in products])

    indexing.drain(limit=3)
    assert sorted(outbox_product_ids()) == sorted(p.id for p in products[3:])

    indexing.drain()
    assert outbox_product_ids() == []
    assert sorted(database_only.documents) == sorted(p.id for p in products)


def test_drain_deletes_only_the_rows_it_applied(app, database_only, make_product):
    """A change recorded while a batch is being indexed waits for the next batch."""
    product = make_product(title="First")
    changed_behind_the_index([product.id])
    original_index = database_only.index

    def index_while_the_product_changes(documents):
        report = original_index(documents)
        database_only.index = original_index  # once
        db.session.execute(update(Product).where(Product.id == product.id).values(title="Second"))
        indexing.record_stale(db.session, [product.id])
        return report

    database_only.index = index_while_the_product_changes
    with drains_held():  # the change's own drain job must not run before we look
        indexing.drain(limit=1)

    assert database_only.titles() == {product.id: "First"}
    assert outbox_product_ids() == [product.id]
    indexing.drain()
    assert database_only.titles() == {product.id: "Second"}


def test_running_the_drain_twice_is_harmless(indexes, make_product):
    elastic_index = indexes[1]
    product = make_product()
    changed_behind_the_index([product.id])

    indexing.drain()
    second = indexing.drain()

    assert (second.indexed, second.deleted, second.errors) == (0, 0, {})
    assert list(elastic_index.documents) == [product.id]


# --- reindex ----------------------------------------------------------------------------------


def test_reindex_rebuilds_both_and_clears_the_outbox(indexes, make_product):
    database_index, elastic_index = indexes
    live, delisted = make_product(), make_product(status=ProductStatus.DELISTED)
    changed_behind_the_index([live.id, delisted.id])
    elastic_index.documents.clear()

    report = indexing.reindex()

    assert [run.backend for run in report.runs] == ["database", "elasticsearch"]
    assert report.indexed == 1
    assert list(elastic_index.documents) == [live.id]
    assert list(database_index.documents) == [live.id]
    assert outbox_product_ids() == []


def test_reindex_with_elasticsearch_down_rebuilds_the_database_and_keeps_rows(
    indexes, make_product
):
    database_index, elastic_index = indexes
    product = make_product()
    changed_behind_the_index([product.id])
    elastic_index.down = True

    with pytest.raises(SearchUnavailable):
        indexing.reindex()

    assert database_index.reindexed == 1
    assert list(database_index.documents) == [product.id]
    assert outbox_product_ids() == [product.id]


# --- repair -----------------------------------------------------------------------------------


@pytest.fixture
def drifted(indexes, make_product):
    """Elasticsearch missing one product, stale on another, holding one it should not."""
    database_index, elastic_index = indexes
    missing, stale, extra, fine = (make_product() for _ in range(4))
    db.session.commit()
    del elastic_index.documents[missing.id]
    db.session.execute(update(Product).where(Product.id == stale.id).values(title="Retitled"))
    db.session.execute(
        update(Product).where(Product.id == extra.id).values(status=ProductStatus.DELISTED)
    )
    db.session.commit()
    database_index.documents = dict(elastic_index.documents)
    return {"missing": missing.id, "stale": stale.id, "extra": extra.id, "fine": fine.id}


def test_a_dry_run_reports_drift_and_changes_nothing(indexes, drifted):
    elastic_index = indexes[1]
    before = dict(elastic_index.documents)

    report = indexing.repair(dry_run=True)

    drift = {d.backend: d for d in report.backends}["elasticsearch"]
    assert (drift.missing, drift.stale, drift.extra) == (
        [drifted["missing"]],
        [drifted["stale"]],
        [drifted["extra"]],
    )
    assert (report.missing, report.stale, report.extra, report.fixed) == (2, 2, 2, 0)
    assert elastic_index.documents == before


def test_repair_fixes_every_index(indexes, drifted):
    database_index, elastic_index = indexes

    report = indexing.repair(dry_run=False)

    assert report.fixed == 6
    for index in (database_index, elastic_index):
        assert sorted(index.documents) == sorted(
            [drifted["missing"], drifted["stale"], drifted["fine"]]
        )
        assert index.documents[drifted["stale"]].title == "Retitled"
    assert indexing.repair(dry_run=True).summary() == "missing=0 stale=0 extra=0 fixed=0"


def test_repair_reports_an_index_that_is_down_and_fixes_the_other(indexes, drifted):
    elastic_index = indexes[1]
    elastic_index.down = True

    report = indexing.repair(dry_run=False)

    by_backend = {d.backend: d for d in report.backends}
    assert by_backend["elasticsearch"].unavailable
    assert by_backend["database"].fixed == 3


def test_status_counts_the_outbox_and_each_index(indexes, make_product):
    product = make_product()
    db.session.commit()
    changed_behind_the_index([product.id])

    status = indexing.index_status()

    assert status.backend == "elasticsearch"
    assert status.pending == 1
    assert status.searchable == 1
    assert [(c.backend, c.documents) for c in status.indexed] == [
        ("database", 1),
        ("elasticsearch", 1),
    ]


# --- PostgreSQL: index writers take turns --------------------------------------------------------


def test_on_postgres_a_drain_waits_for_the_writer_holding_the_lock(pg_app, monkeypatch):
    """While another run holds the index lock, a drain waits, then gives up and keeps its rows."""
    index = MemoryIndex("database")
    monkeypatch.setattr(indexing, "index_targets", lambda: [index])
    monkeypatch.setattr(indexing, "INDEX_LOCK_WAIT_MS", 300)
    product = factories.VariantFactory().product
    changed_behind_the_index([product.id])

    with db.engine.connect() as other_run:
        other_run.execute(text("SELECT pg_advisory_lock(:key)"), {"key": indexing.INDEX_LOCK_KEY})
        with pytest.raises(indexing.IndexBusy):
            indexing.drain()
        assert outbox_product_ids() == [product.id]
        other_run.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": indexing.INDEX_LOCK_KEY})

    indexing.drain()
    assert list(index.documents) == [product.id]
    assert outbox_product_ids() == []
