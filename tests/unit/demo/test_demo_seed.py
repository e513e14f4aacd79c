"""`seed_demo` and `flask seed-demo`: a consistent demo marketplace, only in an empty database."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.accounts.services import authenticate
from marketplace.catalog.models import Category, Product, ProductImage, StockAdjustment, Variant
from marketplace.demo.orders import commission_minor
from marketplace.demo.seed import ADMIN_EMAIL, DEMO_PASSWORD, DemoDataRefused, seed_demo
from marketplace.extensions import db
from marketplace.fulfilment.models import Shipment
from marketplace.orders.models import Order, VendorOrder
from marketplace.payments.models import Payment
from marketplace.storage import get_storage
from marketplace.vendors.models import Vendor


@pytest.fixture
def seeded(app):
    summary = seed_demo(products=40, seed=7, image_size=96)
    db.session.commit()
    return summary


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_vendors_have_the_promised_statuses_and_owners(seeded):
    vendors = db.session.scalars(select(Vendor)).all()
    by_status: dict[str, list[Vendor]] = {}
    for vendor in vendors:
        by_status.setdefault(vendor.status, []).append(vendor)

    assert len(vendors) == 12
    assert len(by_status["approved"]) >= 10
    assert len(by_status["applied"]) == 1
    assert len(by_status["suspended"]) == 1
    assert all(v.can_sell for v in by_status["approved"])
    assert not by_status["applied"][0].is_payable
    assert by_status["suspended"][0].status_reason
    assert len({v.owner_id for v in vendors}) == 12
    assert all(v.logo_key and get_storage().exists(v.logo_key) for v in vendors)
    assert seeded.vendors == {"approved": 10, "applied": 1, "suspended": 1}


def test_live_products_have_variants_images_and_required_attributes(seeded):
    live = db.session.scalars(
        select(Product)
        .join(Vendor, Product.vendor_id == Vendor.id)
        .where(Product.status == "live", Vendor.status == "approved")
    ).all()

    assert len(live) >= 40
    for product in live:
        assert product.published_at is not None
        assert product.variants and product.images
        missing = set(product.category.required_attributes) - set(product.attributes)
        assert not missing, (product.title, missing)
    drafts = db.session.scalars(select(Product).where(Product.status == "draft")).all()
    assert drafts and all(p.vendor.status == "applied" for p in drafts)


def test_product_images_point_at_stored_pictures(seeded):
    image = db.session.scalars(select(ProductImage).limit(1)).one()
    data = get_storage().read(image.storage_key)

    picture = Image.open(io.BytesIO(data))
    assert picture.size == (image.width, image.height) == (96, 96)
    assert image.byte_size == len(data)
    assert seeded.image_files < seeded.images


def test_opening_stock_less_the_demo_orders_explains_stock_on_hand(seeded):
    from marketplace.orders.models import OrderLine

    total_stock = db.session.scalar(select(func.sum(Variant.stock_on_hand)))
    sold = db.session.scalar(select(func.sum(OrderLine.quantity)))
    unexplained = ~Variant.id.in_(select(StockAdjustment.variant_id))

    assert _count(Variant, Variant.stock_on_hand > 0, unexplained) == 0
    adjusted = set(db.session.scalars(select(StockAdjustment.variant_id)))
    assert _count(StockAdjustment) == len(adjusted)  # one opening adjustment per variant
    assert db.session.scalar(select(func.sum(StockAdjustment.delta))) == total_stock + sold


def test_category_tree_has_leaves_with_required_attributes(seeded):
    leaves = db.session.scalars(select(Category).where(~Category.children.any())).all()

    assert 30 <= len(leaves) <= 40
    assert all(leaf.required_attributes for leaf in leaves)
    headphones = db.session.scalars(select(Category).where(Category.slug == "headphones")).one()
    assert headphones.path == "electronics/audio/headphones"
    assert headphones.parent.parent.slug == "electronics"


def test_buyers_have_paid_orders_whose_totals_add_up(seeded):
    orders = db.session.scalars(select(Order)).all()
    buyers = {order.buyer_id for order in orders}

    assert len(buyers) >= 5
    for order in orders:
        assert order.status == "paid"
        assert order.grand_total_minor == (
            order.items_total_minor + order.shipping_total_minor + order.tax_total_minor
        )
        assert order.items_total_minor == sum(vo.subtotal_minor for vo in order.vendor_orders)
        payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
        assert payment.status == "succeeded"
        assert payment.amount_minor == order.grand_total_minor
        for vendor_order in order.vendor_orders:
            assert vendor_order.vendor.status == "approved"
            assert vendor_order.subtotal_minor == sum(
                line.line_total_minor for line in vendor_order.lines
            )
            assert vendor_order.commission_minor == commission_minor(vendor_order.subtotal_minor)
            assert vendor_order.vendor_net_minor == (
                vendor_order.subtotal_minor
                + vendor_order.shipping_minor
                - vendor_order.commission_minor
            )
    statuses = set(db.session.scalars(select(VendorOrder.status)))
    assert statuses <= {"paid", "accepted", "shipped", "delivered"}
    assert "delivered" in statuses


def test_shipped_vendor_orders_have_a_shipment_for_every_unit(seeded):
    shipped = db.session.scalars(
        select(VendorOrder).where(VendorOrder.status.in_(["shipped", "delivered"]))
    ).all()

    assert shipped
    for vendor_order in shipped:
        shipment = db.session.scalars(
            select(Shipment).where(Shipment.vendor_order_id == vendor_order.id)
        ).one()
        assert {(sl.order_line_id, sl.quantity) for sl in shipment.lines} == {
            (line.id, line.quantity) for line in vendor_order.lines
        }
        assert all(line.quantity_shipped == line.quantity for line in vendor_order.lines)
        assert (vendor_order.status == "delivered") == (shipment.status == "delivered")


def test_sales_counts_match_units_ordered(seeded):
    from marketplace.orders.models import OrderLine

    ordered = db.session.scalar(select(func.sum(OrderLine.quantity)))

    assert db.session.scalar(select(func.sum(Product.sales_count))) == ordered


def test_commission_is_ten_percent_plus_thirty_cents_rounded_half_even():
    assert commission_minor(10000) == 1030
    assert commission_minor(1225) == 152  # 122.5 rounds to the even 122
    assert commission_minor(1235) == 154  # 123.5 rounds to the even 124


def test_demo_accounts_sign_in_with_the_demo_password(seeded):
    emails = [email for _role, email, _password in seeded.credentials]

    assert emails[0] == ADMIN_EMAIL
    for email in emails:
        assert authenticate(email, DEMO_PASSWORD).email == email
    assert authenticate(ADMIN_EMAIL, DEMO_PASSWORD).is_admin


def test_second_run_refuses_and_changes_nothing(seeded):
    users = _count(User)

    with pytest.raises(DemoDataRefused, match="already has user accounts"):
        seed_demo(products=5)
    assert _count(User) == users


def test_cli_seeds_then_refuses_then_skips_quietly_with_if_empty(app):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed-demo", "--products", "12", "--image-size", "64"])
    assert first.exit_code == 0, first.output
    assert ADMIN_EMAIL in first.output and DEMO_PASSWORD in first.output

    again = runner.invoke(args=["seed-demo", "--products", "12"])
    assert again.exit_code != 0
    assert "already has user accounts" in again.output

    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert "demo data not loaded" in skipped.output
