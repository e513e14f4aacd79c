"""Seller listing pages: the editor, images, stock, CSV, and vendor scoping of every URL."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.catalog import csv_io
from marketplace.catalog.models import (
    ListingCheck,
    Product,
    ProductImage,
    ProductStatus,
    StockAdjustment,
)
from marketplace.extensions import db
from tests.helpers import sign_in


def _png(size: tuple[int, int] = (320, 240)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 90, 40)).save(out, format="PNG")
    return out.getvalue()


def _form(category_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "title": "Speckled Stoneware Mug",
        "description": "Hand thrown, glazed twice.",
        "category": str(category_id),
        "extra_attributes": "",
        "variants-0-id": "",
        "variants-0-sku": "MUG-1",
        "variants-0-name": "Default",
        "variants-0-price": "24.99",
        "variants-0-currency": "USD",
        "variants-0-stock_on_hand": "12",
        "variants-0-reorder_point": "2",
        "save": "Save draft",
    }
    data.update(overrides)
    return data


def _products() -> int:
    return db.session.scalar(select(func.count()).select_from(Product))


@pytest.fixture
def seller(client, make_vendor):
    vendor = make_vendor(display_name="Kiln & Co")
    db.session.commit()
    sign_in(client, vendor.owner)
    return vendor


def test_listing_pages_need_a_vendor(client, make_user):
    assert client.get("/sell/listings").status_code == 302
    buyer = make_user()
    db.session.commit()
    sign_in(client, buyer)
    assert client.get("/sell/listings").status_code == 403
    assert client.get("/sell/listings/new").status_code == 403


def test_the_list_shows_only_the_vendors_own_listings(client, seller, make_vendor, make_product):
    make_product(vendor=seller, title="Ash Glaze Teapot", stock=0)
    make_product(vendor=make_vendor(), title="Somebody Else's Vase")
    db.session.commit()
    page = client.get("/sell/listings").get_data(as_text=True)
    assert "Ash Glaze Teapot" in page
    assert "Out of stock" in page
    assert "Somebody Else" not in page
    assert "Ash Glaze Teapot" not in client.get("/sell/listings?status=draft").get_data(True)
    assert "Ash Glaze Teapot" in client.get("/sell/listings?q=teapot").get_data(True)


def test_creating_a_listing_converts_the_price_exactly(client, seller, make_category):
    category = make_category(name="Mugs")
    db.session.commit()
    response = client.post("/sell/listings/new", data=_form(category.id))
    assert response.status_code == 302
    db.session.expire_all()
    product = db.session.scalar(select(Product))
    assert response.headers["Location"].endswith(f"/sell/listings/{product.id}/edit")
    assert (product.vendor_id, product.status) == (seller.id, ProductStatus.DRAFT)
    variant = product.variants[0]
    assert (variant.sku, variant.price_minor, variant.stock_on_hand) == ("MUG-1", 2499, 12)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="24.99"' in page
    assert "Saved." in page


def test_invalid_input_shows_errors_and_writes_nothing(client, seller, make_category):
    category = make_category()
    db.session.commit()
    response = client.post(
        "/sell/listings/new",
        data=_form(category.id, title="", **{"variants-0-price": "24.999"}),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The listing was not saved" in page
    assert "Enter a title." in page
    assert "USD prices have at most 2 decimal places." in page
    db.session.expire_all()
    assert _products() == 0


def test_negative_price_is_refused(client, seller, make_category):
    category = make_category()
    db.session.commit()
    page = client.post(
        "/sell/listings/new", data=_form(category.id, **{"variants-0-price": "-1"})
    ).get_data(as_text=True)
    assert "A price can&#39;t be negative." in page
    db.session.expire_all()
    assert _products() == 0


def test_a_sku_already_used_in_the_shop_is_a_field_error(
    client, seller, make_category, make_product
):
    category = make_category()
    existing = make_product(vendor=seller, title="Teapot")
    db.session.commit()
    sku = existing.variants[0].sku
    response = client.post("/sell/listings/new", data=_form(category.id, **{"variants-0-sku": sku}))
    assert response.status_code == 200
    assert f"SKU {sku} is already used by" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _products() == 1


def test_choosing_a_category_shows_its_required_details_without_saving(
    client, seller, make_category
):
    category = make_category(name="Mugs", required_attributes=["material", "capacity_ml"])
    db.session.commit()
    response = client.post(
        "/sell/listings/new", data=_form(category.id, save="", refresh="Show details")
    )
    page = response.get_data(as_text=True)
    assert 'name="attr:material"' in page
    assert "Capacity ml" in page
    assert 'value="Speckled Stoneware Mug"' in page  # what was typed is kept
    db.session.expire_all()
    assert _products() == 0
    assert 'name="attr:material"' in client.get(
        f"/sell/listings/new?category={category.id}"
    ).get_data(True)


def test_required_details_are_saved_as_attributes(client, seller, make_category):
    category = make_category(required_attributes=["material"])
    db.session.commit()
    client.post(
        "/sell/listings/new",
        data=_form(
            category.id, **{"attr:material": "Stoneware", "extra_attributes": "Glaze = Ash"}
        ),
    )
    db.session.expire_all()
    assert db.session.scalar(select(Product)).attributes == {
        "Glaze": "Ash",
        "material": "Stoneware",
    }


def test_add_variant_button_adds_a_row(client, seller, make_category):
    category = make_category()
    db.session.commit()
    page = client.post(
        "/sell/listings/new", data=_form(category.id, save="", add_variant="Add")
    ).get_data(as_text=True)
    assert 'name="variants-1-sku"' in page
    db.session.expire_all()
    assert _products() == 0


def test_submitting_runs_the_standards_check(client, seller, make_category):
    category = make_category()
    db.session.commit()
    response = client.post(
        "/sell/listings/new", data=_form(category.id, save="", submit_review="Submit")
    )
    db.session.expire_all()
    product = db.session.scalar(select(Product))
    check = db.session.scalar(select(ListingCheck).where(ListingCheck.product_id == product.id))
    assert check is not None  # the check job ran after the commit (inline in tests)
    assert product.status == check.outcome
    assert product.status != ProductStatus.DRAFT
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "passed the product standards" in page or "Submitted." in page or "doesn" in page


def test_editing_a_live_listing_sends_it_through_the_check_again(client, seller, make_product):
    product = make_product(vendor=seller, status=ProductStatus.LIVE)
    db.session.commit()
    variant = product.variants[0]
    form = _form(
        product.category_id,
        title="Speckled Stoneware Mug, Larger",
        **{
            "variants-0-id": str(variant.id),
            "variants-0-sku": variant.sku,
            "variants-0-price": "25.00",
            "variants-0-stock_on_hand": "10",
        },
    )
    client.post(f"/sell/listings/{product.id}/edit", data=form)
    db.session.expire_all()
    assert product.title == "Speckled Stoneware Mug, Larger"
    assert db.session.scalar(select(ListingCheck).where(ListingCheck.product_id == product.id))


def test_failed_standards_show_next_to_their_fields(client, seller, make_product):
    product = make_product(vendor=seller, status=ProductStatus.REJECTED)
    results = [
        {
            "standard_id": 1,
            "kind": "title_caps",
            "name": "No shouting",
            "severity": "block",
            "passed": False,
            "field": "title",
            "message": "Titles can't be written in capital letters.",
        },
        {
            "standard_id": 2,
            "kind": "min_images",
            "name": "Photos",
            "severity": "warn",
            "passed": False,
            "field": "images",
            "message": "Listings with photos sell better.",
        },
        {
            "standard_id": 3,
            "kind": "desc_len",
            "name": "Description",
            "severity": "block",
            "passed": True,
            "field": "description",
            "message": "Description is long enough.",
        },
    ]
    db.session.add(ListingCheck(product_id=product.id, outcome="blocked", results=results))
    db.session.commit()
    page = client.get(f"/sell/listings/{product.id}/edit").get_data(as_text=True)
    assert "1 problem to fix before this listing can go live" in page
    basics = page.split('id="basics-heading"')[1].split('id="attributes-heading"')[0]
    assert "Titles can&#39;t be written in capital letters." in basics
    photos = page.split('id="images-heading"')[1]
    assert "Listings with photos sell better." in photos
    assert "standard-note--block" in basics
    assert "Description is long enough." not in page


def test_vendor_b_gets_404_on_vendor_a_listing_urls(client, make_vendor, make_product):
    product = make_product(vendor=make_vendor(), title="Original", stock=10)
    intruder = make_vendor()
    db.session.commit()
    sign_in(client, intruder.owner)
    base = f"/sell/listings/{product.id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.get(f"{base}/stock").status_code == 404
    assert client.post(f"{base}/edit", data=_form(product.category_id)).status_code == 404
    assert client.post(f"{base}/delist").status_code == 404
    stock_form = {"variant": product.variants[0].id, "delta": "-10", "reason": "mine"}
    assert client.post(f"{base}/stock", data=stock_form).status_code == 404
    upload = {"images": (io.BytesIO(_png()), "a.png")}
    assert client.post(f"{base}/images", data=upload).status_code == 404
    assert client.post(f"{base}/images/manage", data={"delete": "1"}).status_code == 404
    db.session.expire_all()
    assert product.title == "Original"
    assert product.status == ProductStatus.LIVE
    assert product.variants[0].stock_on_hand == 10
    assert db.session.scalar(select(func.count()).select_from(ProductImage)) == 0


def test_forged_forms_with_another_vendors_ids_change_nothing(client, make_vendor, make_product):
    victim = make_product(vendor=make_vendor(), price_minor=2500, stock=10)
    intruder = make_vendor()
    mine = make_product(vendor=intruder, status=ProductStatus.DRAFT, title="Mine")
    db.session.commit()
    sign_in(client, intruder.owner)
    their_variant = victim.variants[0]
    forged = _form(
        mine.category_id,
        title="Mine renamed",
        **{"variants-0-id": str(their_variant.id), "variants-0-price": "0.01"},
    )
    assert client.post(f"/sell/listings/{mine.id}/edit", data=forged).status_code == 404
    stock_form = {"variant": their_variant.id, "delta": "-10", "reason": "forged"}
    assert client.post(f"/sell/listings/{mine.id}/stock", data=stock_form).status_code == 404
    db.session.expire_all()
    assert their_variant.price_minor == 2500
    assert their_variant.stock_on_hand == 10
    assert mine.title == "Mine"
    assert db.session.scalar(select(func.count()).select_from(StockAdjustment)) == 0


def test_images_upload_reorder_and_remove(client, seller, make_product):
    product = make_product(vendor=seller, status=ProductStatus.DRAFT)
    db.session.commit()
    url = f"/sell/listings/{product.id}/images"
    response = client.post(
        url,
        data={"images": [(io.BytesIO(_png()), "front.png"), (io.BytesIO(_png()), "side.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sell/listings/{product.id}/edit#images")
    db.session.expire_all()
    first, second = product.images
    client.post(f"{url}/manage", data={"move": f"{second.id}:up"})
    client.post(f"{url}/manage", data={"save_alt": "1", f"alt-{first.id}": "Mug from the side"})
    client.post(f"{url}/manage", data={"delete": str(second.id)})
    db.session.expire_all()
    assert [(image.id, image.alt_text) for image in product.images] == [
        (first.id, "Mug from the side")
    ]


def test_a_fake_image_is_refused_with_a_message(client, seller, make_product):
    product = make_product(vendor=seller, status=ProductStatus.DRAFT)
    db.session.commit()
    response = client.post(
        f"/sell/listings/{product.id}/images",
        data={"images": (io.BytesIO(b"not an image at all"), "photo.jpg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "photo.jpg: The file could not be read as an image" in response.get_data(as_text=True)
    db.session.expire_all()
    assert product.images == []


def test_stock_page_records_adjustments(client, seller, make_product):
    product = make_product(vendor=seller, stock=10)
    db.session.commit()
    variant_id = product.variants[0].id
    url = f"/sell/listings/{product.id}/stock"
    response = client.post(url, data={"variant": variant_id, "delta": "-4", "reason": "Breakage"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Breakage" in page
    assert "-4" in page
    refused = client.post(url, data={"variant": variant_id, "delta": "-50", "reason": "Oops"})
    assert "Only 6 units are on hand" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert product.variants[0].stock_on_hand == 6


def test_out_of_stock_variants_show_as_unavailable(client, seller, make_product):
    product = make_product(vendor=seller, stock=0)
    db.session.commit()
    assert "Unavailable: out of stock" in client.get(f"/sell/listings/{product.id}/stock").get_data(
        True
    )
    assert "Unavailable: out of stock" in client.get(f"/sell/listings/{product.id}/edit").get_data(
        True
    )


def test_vendor_delists_its_live_listing(client, seller, make_product):
    product = make_product(vendor=seller, status=ProductStatus.LIVE)
    db.session.commit()
    response = client.post(f"/sell/listings/{product.id}/delist", follow_redirects=True)
    assert "Delisted." in response.get_data(as_text=True)
    db.session.expire_all()
    assert product.status == ProductStatus.DELISTED


def test_export_downloads_the_vendors_csv(client, seller, make_vendor, make_product):
    make_product(vendor=seller, title="Ash Glaze Teapot", price_minor=4500)
    make_product(vendor=make_vendor(), title="Not Mine")
    db.session.commit()
    response = client.get("/sell/listings/export.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "Ash Glaze Teapot" in text
    assert "45.00" in text
    assert "Not Mine" not in text


def test_import_page_reports_bad_rows_and_applies_nothing(client, seller, make_category):
    make_category(slug="mugs")
    db.session.commit()
    header = ",".join(csv_io.COLUMNS)
    body = f"{header}\n,Good Mug,,mugs,,G-1,,5.00,USD,1,0,\n,Bad Mug,,mugs,,B-1,,5.001,USD,1,0,\n"

    def send(apply_valid: bool):
        data = {"file": (io.BytesIO(body.encode()), "listings.csv")}
        if apply_valid:
            data["apply_valid"] = "y"
        return client.post(
            "/sell/listings/import", data=data, content_type="multipart/form-data"
        ).get_data(as_text=True)

    page = send(apply_valid=False)
    assert "Nothing was imported" in page
    assert "USD prices have at most 2 decimal places." in page
    db.session.expire_all()
    assert _products() == 0

    page = send(apply_valid=True)
    assert "Imported the valid rows; 1 row skipped" in page
    db.session.expire_all()
    assert [p.title for p in db.session.scalars(select(Product))] == ["Good Mug"]


def test_import_page_explains_a_wrong_header(client, seller):
    response = client.post(
        "/sell/listings/import",
        data={"file": (io.BytesIO(b"foo,bar\n1,2\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert "The header row is not right" in response.get_data(as_text=True)
