"""The schema is the last line of defence: the database itself refuses impossible data."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, StatementError

from marketplace.accounts.models import User
from marketplace.catalog.models import Variant
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, VendorOrder
from marketplace.payouts.models import LedgerAccount, LedgerEntry, LedgerTransaction
from marketplace.reviews.models import Review
from tests import factories


def _refused(statement_or_objects) -> None:
    with pytest.raises(IntegrityError):
        if isinstance(statement_or_objects, list):
            db.session.add_all(statement_or_objects)
            db.session.flush()
        else:
            db.session.execute(statement_or_objects)
    db.session.rollback()


def test_negative_stock_is_refused_by_the_database(app):
    variant = factories.VariantFactory()
    db.session.commit()
    _refused(update(Variant).where(Variant.id == variant.id).values(stock_on_hand=-1))


def test_reserving_more_than_on_hand_is_refused(app):
    variant = factories.VariantFactory(stock_on_hand=2)
    db.session.commit()
    _refused(update(Variant).where(Variant.id == variant.id).values(stock_reserved=3))


def test_negative_price_is_refused(app):
    variant = factories.VariantFactory()
    db.session.commit()
    _refused(update(Variant).where(Variant.id == variant.id).values(price_minor=-5))


def test_sku_is_unique_per_vendor_but_not_across_vendors(app):
    first = factories.VariantFactory(sku="MUG-1")
    other_vendor = factories.VariantFactory(sku="MUG-1")
    assert first.vendor_id != other_vendor.vendor_id
    same_vendor_product = factories.ProductFactory(vendor=first.product.vendor)
    _refused(
        [
            Variant(
                product=same_vendor_product,
                vendor_id=first.vendor_id,
                sku="MUG-1",
                price_minor=100,
                stock_on_hand=1,
            )
        ]
    )


def test_email_is_unique_and_stored_lower_case(app):
    factories.UserFactory(email="ada@example.com")
    db.session.commit()
    _refused([User(email="ada@example.com", password_hash="x", display_name="Ada again")])
    _refused([User(email="Ada@Example.com", password_hash="x", display_name="Shouty")])


def test_review_rating_must_be_one_to_five(app):
    line = _order_line()
    product = factories.ProductFactory()
    for rating in (0, 6):
        _refused(
            [
                Review(
                    order_line_id=line.id,
                    product_id=product.id,
                    vendor_id=product.vendor_id,
                    author_id=line.vendor_order.order.buyer_id,
                    rating=rating,
                    title="Fine",
                    body="It works as described.",
                )
            ]
        )
        line = _order_line()
        product = factories.ProductFactory()


def test_order_totals_must_add_up(app):
    buyer = factories.UserFactory()
    _refused(
        [
            Order(
                number="M-1",
                buyer=buyer,
                email=buyer.email,
                items_total_minor=1000,
                shipping_total_minor=500,
                tax_total_minor=100,
                grand_total_minor=1599,
            )
        ]
    )


def test_vendor_net_must_equal_items_plus_shipping_minus_commission(app):
    order = _order()
    vendor = factories.VendorFactory()
    _refused(
        [
            VendorOrder(
                order=order,
                vendor=vendor,
                subtotal_minor=1000,
                shipping_minor=500,
                commission_minor=130,
                vendor_net_minor=1400,
            )
        ]
    )


def test_ledger_entries_are_integers_and_never_zero(app):
    account = LedgerAccount(code="platform:cash", name="Cash", kind="asset", currency="USD")
    txn = LedgerTransaction(reference="t-1", kind="test", description="zero entry")
    _refused(
        [
            account,
            txn,
            LedgerEntry(transaction=txn, account=account, amount_minor=0, currency="USD"),
        ]
    )


def test_naive_datetimes_are_refused(app):
    user = factories.UserFactory()
    user.last_login_at = datetime(2026, 1, 1)  # no tzinfo
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_timestamps_read_back_timezone_aware(app):
    user = factories.UserFactory()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).created_at.tzinfo is not None


def _order() -> Order:
    buyer = factories.UserFactory()
    order = Order(number=f"M-{buyer.id}", buyer=buyer, email=buyer.email)
    db.session.add(order)
    db.session.flush()
    return order


def _order_line() -> OrderLine:
    vendor_order = VendorOrder(order=_order(), vendor=factories.VendorFactory())
    line = OrderLine(
        vendor_order=vendor_order,
        title="Mug",
        sku="MUG-1",
        unit_price_minor=1200,
        quantity=1,
        line_total_minor=1200,
    )
    db.session.add(line)
    db.session.flush()
    return line
