"""Stock: every change recorded with its reason, never below reserved, low stock alerted once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.catalog import services
from marketplace.catalog.models import ProductStatus, StockAdjustment
from marketplace.catalog.services import ListingNotFound, StockError
from marketplace.extensions import db
from marketplace.notifications.models import Notification, OutboundEmail


def _notices(user_id: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    )


def _emails(address: str) -> list[OutboundEmail]:
    return list(
        db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == address))
    )


def test_adjustment_changes_stock_and_records_who_and_why(app, make_vendor, make_product):
    vendor = make_vendor()
    variant = make_product(vendor=vendor, stock=10).variants[0]
    services.adjust_stock(vendor, variant.id, 5, "  Delivery   from supplier ", vendor.owner_id)
    services.adjust_stock(vendor, variant.id, -3, "Damaged in storage", vendor.owner_id)
    assert variant.stock_on_hand == 12
    history = services.stock_history(vendor, variant.product_id)
    assert [(a.delta, a.reason, who) for a, _, who in history] == [
        (-3, "Damaged in storage", vendor.owner.display_name),
        (5, "Delivery from supplier", vendor.owner.display_name),
    ]


@pytest.mark.parametrize(
    ("delta", "reason", "message"),
    [
        (5, "   ", "Say why"),
        (0, "Count", "other than zero"),
        (-11, "Count", "Only 10 units are on hand"),
    ],
)
def test_refused_adjustments_change_nothing(app, make_vendor, make_product, delta, reason, message):
    vendor = make_vendor()
    variant = make_product(vendor=vendor, stock=10).variants[0]
    with pytest.raises(StockError, match=message):
        services.adjust_stock(vendor, variant.id, delta, reason, vendor.owner_id)
    assert variant.stock_on_hand == 10
    assert db.session.scalar(select(StockAdjustment)) is None


def test_stock_cannot_drop_below_what_orders_reserved(app, make_vendor, make_product):
    vendor = make_vendor()
    variant = make_product(vendor=vendor, stock=10).variants[0]
    variant.stock_reserved = 4
    db.session.flush()
    with pytest.raises(StockError, match="4 units are reserved"):
        services.adjust_stock(vendor, variant.id, -7, "Recount", vendor.owner_id)
    services.adjust_stock(vendor, variant.id, -6, "Recount", vendor.owner_id)
    assert variant.stock_available == 0


def test_another_vendors_variant_is_not_found(app, make_vendor, make_product):
    owner, intruder = make_vendor(), make_vendor()
    variant = make_product(vendor=owner, stock=10).variants[0]
    with pytest.raises(ListingNotFound):
        services.adjust_stock(intruder, variant.id, -10, "Mine now", intruder.owner_id)
    assert variant.stock_on_hand == 10
    assert services.stock_history(intruder, variant.product_id) == []


def test_low_stock_alerts_once_and_again_after_a_restock(app, make_vendor, make_product):
    vendor = make_vendor()
    variant = make_product(vendor=vendor, stock=10).variants[0]
    variant.reorder_point = 3
    owner = vendor.owner

    services.adjust_stock(vendor, variant.id, -6, "Sold at a fair", owner.id)  # 4 left: fine
    assert _notices(owner.id) == []

    services.adjust_stock(vendor, variant.id, -1, "Sold at a fair", owner.id)  # 3: at the point
    services.adjust_stock(vendor, variant.id, -2, "Sold at a fair", owner.id)  # 1: still low
    notices = _notices(owner.id)
    assert len(notices) == 1
    assert notices[0].dedupe_key == f"low-stock:{variant.id}"
    assert variant.sku in notices[0].message
    assert notices[0].link == f"/sell/listings/{variant.product_id}/stock"
    assert len(_emails(vendor.contact_email)) == 1

    services.adjust_stock(vendor, variant.id, 20, "Delivery", owner.id)  # restocked: re-armed
    assert _notices(owner.id)[0].dedupe_key is None
    services.adjust_stock(vendor, variant.id, -19, "Big order", owner.id)  # 2: low again
    notices = _notices(owner.id)
    assert len(notices) == 2
    assert notices[1].dedupe_key == f"low-stock:{variant.id}"
    assert len(_emails(vendor.contact_email)) == 2


def test_draft_listings_raise_no_stock_alerts(app, make_vendor, make_product):
    vendor = make_vendor()
    variant = make_product(vendor=vendor, status=ProductStatus.DRAFT, stock=3).variants[0]
    services.adjust_stock(vendor, variant.id, -3, "Samples", vendor.owner_id)
    assert _notices(vendor.owner_id) == []


def test_stock_set_in_the_editor_is_recorded_and_alerts(app, make_vendor, make_product):
    vendor = make_vendor()
    product = make_product(vendor=vendor, stock=10)
    variant = product.variants[0]
    row = services.VariantInput(
        id=variant.id,
        sku=variant.sku,
        price_minor=variant.price_minor,
        stock_on_hand=1,
        reorder_point=2,
    )
    services.upsert_variants(vendor, product.id, [row], actor_id=vendor.owner_id)
    adjustment = db.session.scalar(select(StockAdjustment))
    assert (adjustment.delta, adjustment.reason) == (-9, "Set in the listing editor")
    assert len(_notices(vendor.owner_id)) == 1
