"""Listing services: prices, validation, SKU uniqueness, vendor scoping and resubmission."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog import services
from marketplace.catalog.models import Product, ProductStatus, StockAdjustment, Variant
from marketplace.catalog.services import (
    ListingInvalid,
    ListingNotFound,
    PriceInvalid,
    ProductInput,
    VariantInput,
)
from marketplace.errors import DomainError
from marketplace.extensions import db


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _listing(category, title="Stoneware Mug, Speckled Glaze", **fields) -> ProductInput:
    fields.setdefault("description", "Handmade.")
    return ProductInput(title=title, category_id=category.id, **fields)


def _variant(sku="MUG-1", price=2499, **fields) -> VariantInput:
    return VariantInput(sku=sku, price_minor=price, **fields)


# --- prices ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("24.99", "USD", 2499),
        ("24.9", "USD", 2490),
        ("24", "USD", 2400),
        (" 0.10 ", "USD", 10),
        ("1,234.50", "USD", 123450),
        ("0.1", "USD", 10),
        ("500", "JPY", 500),
        ("1.234", "KWD", 1234),
        ("19.99", "EUR", 1999),
    ],
)
def test_prices_in_major_units_become_exact_minor_units(app, text, currency, minor):
    assert services.parse_price(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("24.999", "USD", "at most 2 decimal places"),
        ("-1", "USD", "can't be negative"),
        ("", "USD", "Enter a price"),
        ("abc", "USD", "as a number"),
        ("1e3", "USD", "as a number"),
        ("NaN", "USD", "as a number"),
        ("12,34", "USD", "as a number"),
        ("500.5", "JPY", "whole numbers"),
        ("99999999999", "USD", "too high"),
    ],
)
def test_bad_prices_are_refused_with_a_reason(app, text, currency, message):
    with pytest.raises(PriceInvalid, match=message):
        services.parse_price(text, currency)


def test_price_input_shows_minor_units_in_major_units(app):
    assert services.format_price_input(2499, "USD") == "24.99"
    assert services.format_price_input(5, "USD") == "0.05"
    assert services.format_price_input(500, "JPY") == "500"


# --- creating and editing ----------------------------------------------------------------------


def test_save_listing_creates_a_draft_with_variants_and_opening_stock(
    app, make_vendor, make_category
):
    vendor, category = make_vendor(), make_category()
    product = services.save_listing(
        vendor,
        None,
        _listing(category, attributes={"material": "stoneware"}),
        [_variant(stock_on_hand=12, reorder_point=3), _variant("MUG-2", 2999, name="Large")],
        actor_id=vendor.owner_id,
    )
    db.session.flush()
    assert product.status == ProductStatus.DRAFT
    assert product.vendor_id == vendor.id
    assert product.slug.startswith("stoneware-mug-speckled-glaze-")
    assert [v.sku for v in product.variants] == ["MUG-1", "MUG-2"]
    assert product.variants[0].stock_on_hand == 12
    adjustment = db.session.scalar(select(StockAdjustment))
    assert (adjustment.delta, adjustment.actor_id) == (12, vendor.owner_id)
    assert _count(StockAdjustment) == 1  # the second variant starts at zero: nothing to record


def test_invalid_listing_reports_every_field_and_writes_nothing(app, make_vendor, make_category):
    vendor = make_vendor()
    make_category()
    db.session.flush()
    with pytest.raises(ListingInvalid) as caught:
        services.save_listing(
            vendor,
            None,
            ProductInput(title="  ", category_id=999_999),
            [_variant(sku="bad sku!"), _variant(sku="OK-1", currency="XXX", stock_on_hand=-1)],
        )
    errors = caught.value.errors
    assert set(errors) >= {
        "title",
        "category",
        "variants-0-sku",
        "variants-1-currency",
        "variants-1-stock_on_hand",
    }
    db.session.rollback()
    assert _count(Product) == 0
    assert _count(Variant) == 0


def test_a_category_with_children_is_not_a_listing_category(app, make_vendor, make_category):
    vendor = make_vendor()
    parent = make_category(name="Kitchen")
    make_category(name="Mugs", parent=parent)
    with pytest.raises(ListingInvalid) as caught:
        services.create_product(vendor, _listing(parent))
    assert "category" in caught.value.errors


def test_leaf_categories_have_full_path_names(app, make_category):
    home = make_category(name="Home")
    kitchen = make_category(name="Kitchen", parent=home)
    make_category(name="Mugs", parent=kitchen)
    names = [name for _, name in services.leaf_categories()]
    assert names == ["Home \u203a Kitchen \u203a Mugs"]


def test_sku_is_unique_per_vendor_as_a_field_error(app, make_vendor, make_category, make_product):
    vendor, category = make_vendor(), make_category()
    existing = make_product(vendor=vendor, title="Teapot")
    taken = existing.variants[0].sku
    with pytest.raises(ListingInvalid) as caught:
        services.save_listing(vendor, None, _listing(category), [_variant(sku=taken)])
    assert caught.value.errors["variants-0-sku"] == [f"SKU {taken} is already used by “Teapot”."]


def test_the_same_sku_twice_in_one_listing_is_refused(app, make_vendor, make_category):
    vendor, category = make_vendor(), make_category()
    with pytest.raises(ListingInvalid) as caught:
        services.save_listing(vendor, None, _listing(category), [_variant(), _variant()])
    assert "appears twice" in caught.value.errors["variants-1-sku"][0]


def test_another_vendor_may_use_the_same_sku(app, make_vendor, make_category, make_product):
    other = make_product(vendor=make_vendor())
    vendor, category = make_vendor(), make_category()
    product = services.save_listing(
        vendor, None, _listing(category), [_variant(sku=other.variants[0].sku)]
    )
    assert product.variants[0].sku == other.variants[0].sku


def test_variants_are_updated_added_and_removed(app, make_vendor, make_product):
    vendor = make_vendor()
    product = make_product(vendor=vendor, status=ProductStatus.DRAFT, stock=5)
    first = product.variants[0]
    extra = services.save_listing(
        vendor,
        product.id,
        _listing(product.category, title=product.title),
        [_variant(first.sku, 1500, id=first.id, stock_on_hand=5), _variant("NEW-1", 900)],
    ).variants[1]
    services.save_listing(
        vendor,
        product.id,
        _listing(product.category, title=product.title),
        [_variant(first.sku, 1500, id=first.id, stock_on_hand=5)],
        remove_ids=[extra.id],
    )
    db.session.expire_all()
    assert [(v.sku, v.price_minor) for v in product.variants] == [(first.sku, 1500)]


def test_another_vendors_product_is_not_found(app, make_vendor, make_product):
    owner, intruder = make_vendor(), make_vendor()
    product = make_product(vendor=owner, title="Original title")
    with pytest.raises(ListingNotFound):
        services.update_product(intruder, product.id, _listing(product.category, title="Hacked"))
    with pytest.raises(ListingNotFound):
        services.get_variant(intruder, product.variants[0].id)
    with pytest.raises(ListingNotFound):
        services.delist_product(intruder, product.id, actor_id=None)
    assert product.title == "Original title"


def test_a_forged_variant_id_from_another_vendor_changes_nothing(app, make_vendor, make_product):
    owner, intruder = make_vendor(), make_vendor()
    victim = make_product(vendor=owner, price_minor=2500)
    mine = make_product(vendor=intruder, status=ProductStatus.DRAFT)
    db.session.commit()
    forged = _variant("STOLEN", 1, id=victim.variants[0].id)
    with pytest.raises(ListingNotFound):
        services.save_listing(intruder, mine.id, _listing(mine.category, title="Renamed"), [forged])
    db.session.rollback()
    db.session.expire_all()
    assert victim.variants[0].price_minor == 2500
    assert victim.variants[0].sku != "STOLEN"
    assert mine.title != "Renamed"


def test_editing_a_live_listing_sends_it_back_through_submission(app, make_vendor, make_product):
    vendor = make_vendor()
    product = make_product(vendor=vendor, status=ProductStatus.LIVE)
    variant = product.variants[0]
    services.save_listing(
        vendor,
        product.id,
        _listing(product.category, title="A Brand New Title For The Mug"),
        [_variant(variant.sku, variant.price_minor, id=variant.id, stock_on_hand=10)],
    )
    assert product.status == ProductStatus.PENDING_REVIEW


def test_stock_only_changes_keep_a_live_listing_live(app, make_vendor, make_product):
    vendor = make_vendor()
    product = make_product(vendor=vendor, status=ProductStatus.LIVE, stock=10)
    variant = product.variants[0]
    services.save_listing(
        vendor,
        product.id,
        _listing(product.category, title=product.title, description=product.description),
        [_variant(variant.sku, variant.price_minor, id=variant.id, stock_on_hand=40)],
    )
    assert product.status == ProductStatus.LIVE
    assert variant.stock_on_hand == 40


def test_vendor_can_delist_its_live_listing_only(app, make_vendor, make_product):
    vendor = make_vendor()
    live = make_product(vendor=vendor, status=ProductStatus.LIVE)
    draft = make_product(vendor=vendor, status=ProductStatus.DRAFT)
    services.delist_product(vendor, live.id, actor_id=vendor.owner_id)
    assert live.status == ProductStatus.DELISTED
    with pytest.raises(DomainError, match="Only a live listing"):
        services.delist_product(vendor, draft.id, actor_id=vendor.owner_id)


def test_a_listing_without_variants_cannot_be_submitted(app, make_vendor, make_category):
    vendor, category = make_vendor(), make_category()
    product = services.create_product(vendor, _listing(category))
    with pytest.raises(ListingInvalid) as caught:
        services.submit_for_review(vendor, product.id)
    assert "variants" in caught.value.errors
    assert product.status == ProductStatus.DRAFT


def test_a_rejected_vendor_cannot_change_listings(app, make_vendor, make_category):
    vendor, category = make_vendor(status="rejected"), make_category()
    with pytest.raises(services.ShopClosed):
        services.create_product(vendor, _listing(category))


def test_listing_search_and_status_filter_stay_in_the_vendors_shop(app, make_vendor, make_product):
    vendor, other = make_vendor(), make_vendor()
    make_product(vendor=vendor, title="Blue Teapot", status=ProductStatus.LIVE)
    make_product(vendor=vendor, title="Blue Mug", status=ProductStatus.DRAFT)
    make_product(vendor=other, title="Blue Vase", status=ProductStatus.LIVE)
    titles = {p.title for p in services.list_products(vendor, query="blue").items}
    assert titles == {"Blue Teapot", "Blue Mug"}
    live = services.list_products(vendor, status="live", query="blue").items
    assert [p.title for p in live] == ["Blue Teapot"]
    assert services.status_counts(vendor)["draft"] == 1
