"""The flush listeners: every change search cares about leaves an outbox row in its transaction."""

from __future__ import annotations

from sqlalchemy import update

from marketplace.catalog.models import Product, ProductStatus, Variant
from marketplace.extensions import db
from marketplace.jobs import JobStatus, OutboxJob
from marketplace.search import indexing
from marketplace.vendors.models import VendorStatus
from tests import factories
from tests.unit.search_pipeline.pipeline_support import drain_jobs, outbox_product_ids


def settled(make_product, **fields) -> Product:
    """A product committed and indexed, so the next change starts from an empty outbox."""
    product = make_product(**fields)
    db.session.commit()
    assert outbox_product_ids() == []
    return product


def test_a_new_product_is_recorded_in_the_same_transaction(database_only, make_product):
    product = make_product(title="Walnut serving board")
    db.session.flush()

    assert outbox_product_ids() == [product.id]


def test_a_rollback_takes_the_rows_and_the_job_with_it(database_only, make_product):
    make_product()
    db.session.flush()
    db.session.rollback()

    assert outbox_product_ids() == []
    assert drain_jobs() == 0
    assert database_only.documents == {}


def test_commit_enqueues_one_drain_job_that_indexes_the_product(database_only, make_product):
    first = make_product(title="Walnut serving board")
    second = make_product(title="Oak chopping board")
    db.session.commit()

    assert drain_jobs() == 1
    job = db.session.query(OutboxJob).filter_by(func=indexing.DRAIN_JOB).one()
    assert job.status == JobStatus.DONE
    assert job.queue == "search"
    assert database_only.titles() == {
        first.id: "Walnut serving board",
        second.id: "Oak chopping board",
    }
    assert outbox_product_ids() == []


def test_many_changes_to_one_product_make_one_row(database_only, make_product):
    product = settled(make_product)
    product.title = "A new title"
    db.session.flush()
    product.description = "A new description"
    product.variants[0].price_minor = 1999
    db.session.flush()

    assert outbox_product_ids() == [product.id]


def test_any_product_column_counts_ratings_and_sales_too(database_only, make_product):
    changes = {
        "title": "Renamed",
        "status": ProductStatus.DELISTED,
        "attributes": {"colour": "Red"},
        "rating_count": 1,
        "sales_count": 3,
    }
    for column, value in changes.items():
        product = settled(make_product)
        setattr(product, column, value)
        if column == "rating_count":
            product.rating_sum = 5
        db.session.flush()
        assert outbox_product_ids() == [product.id], column
        db.session.commit()


def test_variant_price_stock_reservation_and_backorder_changes_count(database_only, make_product):
    for column, value in {
        "price_minor": 1234,
        "stock_on_hand": 0,
        "stock_reserved": 2,
        "allow_backorder": True,
    }.items():
        product = settled(make_product)
        setattr(product.variants[0], column, value)
        db.session.flush()
        assert outbox_product_ids() == [product.id], column
        db.session.commit()


def test_variant_changes_search_does_not_see_are_ignored(database_only, make_product):
    product = settled(make_product)
    product.variants[0].name = "Large"
    product.variants[0].reorder_point = 7
    db.session.flush()

    assert outbox_product_ids() == []


def test_adding_and_removing_a_variant_counts(database_only, make_product):
    product = settled(make_product)
    variant = factories.VariantFactory(product=product, price_minor=900)
    db.session.flush()
    assert outbox_product_ids() == [product.id]
    db.session.commit()

    db.session.delete(db.session.get(Variant, variant.id))
    db.session.flush()
    assert outbox_product_ids() == [product.id]


def test_a_deleted_product_is_recorded(database_only, make_product):
    product = settled(make_product)
    product_id = product.id
    db.session.delete(product)
    db.session.flush()

    assert outbox_product_ids() == [product_id]


def test_suspending_a_vendor_records_all_its_products_only(
    database_only, make_vendor, make_product
):
    vendor, other = make_vendor(), make_vendor()
    mine = [make_product(vendor=vendor) for _ in range(3)]
    make_product(vendor=other)
    db.session.commit()

    vendor.status = VendorStatus.SUSPENDED
    db.session.flush()

    assert sorted(outbox_product_ids()) == sorted(p.id for p in mine)


def test_vendor_payments_name_and_slug_count_but_not_the_description(
    database_only, make_vendor, make_product
):
    vendor = make_vendor()
    product = make_product(vendor=vendor)
    db.session.commit()

    vendor.description = "Now with more pottery."
    db.session.flush()
    assert outbox_product_ids() == []

    for column, value in {
        "payouts_enabled": False,
        "display_name": "Renamed Shop",
        "slug": "renamed-shop",
    }.items():
        setattr(vendor, column, value)
        db.session.flush()
        assert outbox_product_ids() == [product.id], column
        db.session.commit()


def test_renaming_a_category_records_products_in_it_and_below(
    database_only, make_category, make_product
):
    home = make_category(name="Home", slug="home", path="home")
    kitchen = make_category(name="Kitchen", slug="kitchen", parent=home)
    homeware = make_category(name="Homeware", slug="homeware", path="homeware")
    in_home = make_product(category=home)
    in_kitchen = make_product(category=kitchen)
    make_product(category=homeware)  # its path starts with "home" but is not below it
    db.session.commit()

    home.name = "Home & Living"
    db.session.flush()

    assert sorted(outbox_product_ids()) == sorted([in_home.id, in_kitchen.id])


def test_moving_a_category_records_its_products(database_only, make_category, make_product):
    home = make_category(name="Home", slug="home", path="home")
    garden = make_category(name="Garden", slug="garden", path="garden")
    pots = make_category(name="Pots", slug="pots", parent=home)
    product = make_product(category=pots)
    db.session.commit()

    pots.parent = garden
    pots.path = "garden/pots"
    db.session.flush()

    assert outbox_product_ids() == [product.id]


def test_unrelated_writes_leave_the_outbox_alone(database_only, make_user, make_product):
    settled(make_product)
    user = make_user()
    user.display_name = "Someone Else"
    db.session.commit()

    assert outbox_product_ids() == []
    assert drain_jobs() == 1  # the product's own, from `settled`


def test_a_savepoint_rollback_does_not_hide_later_changes(database_only, make_product):
    product = settled(make_product)
    with db.session.begin_nested() as savepoint:
        product.title = "Changed inside a savepoint"
        db.session.flush()
        savepoint.rollback()
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    product.title = "Changed after it"
    db.session.commit()

    assert database_only.titles()[product.id] == "Changed after it"


def test_mark_stale_covers_bulk_updates_the_listeners_cannot_see(database_only, make_product):
    product = settled(make_product, title="Old title")
    db.session.execute(update(Product).where(Product.id == product.id).values(title="New title"))
    assert outbox_product_ids() == []

    assert indexing.mark_stale([product.id, product.id]) == 1
    assert outbox_product_ids() == [product.id]
    db.session.commit()

    assert database_only.titles()[product.id] == "New title"


def test_the_drain_writes_nothing_the_listeners_pick_up(database_only, make_product):
    make_product()
    db.session.commit()

    assert drain_jobs() == 1
    assert outbox_product_ids() == []
