"""CSV import/export of listings: per-row errors, all-or-nothing by default, round trips."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from marketplace.catalog import csv_io
from marketplace.catalog.csv_io import CsvRejected, RowError, import_csv
from marketplace.catalog.models import Product, ProductStatus, StockAdjustment, Variant
from marketplace.extensions import db

HEADER = (
    "product_ref,title,description,category_path,attributes,sku,option_name,price,currency,"
    "stock,reorder_point,status"
)


def _file(*lines: str) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode()


def _count(model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture
def shop(make_vendor, make_category):
    vendor = make_vendor()
    mugs = make_category(name="Mugs", slug="mugs", required_attributes=["material"])
    db.session.flush()
    return vendor, mugs


def test_valid_file_creates_drafts_grouped_by_product_ref(app, shop):
    vendor, _ = shop
    report = import_csv(
        vendor,
        _file(
            "new-mug,Speckled Stoneware Mug,Hand thrown.,mugs,material=stoneware;colour=sand,"
            "MUG-S,Small,18.50,USD,12,3,",
            "new-mug,Speckled Stoneware Mug,Hand thrown.,mugs,material=stoneware;colour=sand,"
            "MUG-L,Large,24.99,USD,5,,",
            ',Linen Tea Towel,,mugs,"{""material"": ""linen""}",TOWEL-1,,9,USD,40,5,live',
        ),
        actor_id=vendor.owner_id,
    )
    assert report.errors == []
    assert (report.applied, report.created, report.applied_rows) == (True, 2, 3)
    mug = db.session.scalar(select(Product).where(Product.title == "Speckled Stoneware Mug"))
    assert mug.status == ProductStatus.DRAFT
    assert mug.attributes == {"material": "stoneware", "colour": "sand"}
    assert [(v.sku, v.name, v.price_minor, v.stock_on_hand) for v in mug.variants] == [
        ("MUG-S", "Small", 1850, 12),
        ("MUG-L", "Large", 2499, 5),
    ]
    towel = db.session.scalar(select(Product).where(Product.title == "Linen Tea Towel"))
    assert towel.status == ProductStatus.DRAFT  # the status column is ignored on import
    assert towel.attributes == {"material": "linen"}
    assert _count(StockAdjustment) == 3


BAD_FILE_LINES = (
    ",Good Mug,,mugs,material=clay,GOOD-1,,12.00,USD,4,1,",
    ",Bad Price Mug,,mugs,,BAD-1,,12.999,USD,4,1,",
    ",Lost Mug,,no/such/path,,BAD-2,,12.00,USD,lots,1,",
)


def test_bad_rows_are_reported_by_row_and_column_and_nothing_applied(app, shop):
    vendor, _ = shop
    report = import_csv(vendor, _file(*BAD_FILE_LINES))
    assert report.applied is False
    assert report.applied_rows == 0
    assert RowError(3, "price", "USD prices have at most 2 decimal places.") in report.errors
    assert {(e.row, e.column) for e in report.errors} == {
        (3, "price"),
        (4, "category_path"),
        (4, "stock"),
    }
    assert report.bad_rows == 2
    assert _count(Product) == 0


def test_import_valid_rows_applies_the_good_and_reports_the_bad(app, shop):
    vendor, _ = shop
    report = import_csv(vendor, _file(*BAD_FILE_LINES), apply_valid=True)
    assert report.applied is True
    assert (report.created, report.applied_rows, report.bad_rows) == (1, 1, 2)
    assert [p.title for p in db.session.scalars(select(Product))] == ["Good Mug"]


def test_export_then_import_round_trips_without_changes(app, shop, make_product):
    vendor, mugs = shop
    product = make_product(
        vendor=vendor,
        category=mugs,
        title="Ash Glaze Mug, 350 ml",
        description='Line one,\nline "two"',
        attributes={"material": "stoneware", "note": "a=b; c"},
        status=ProductStatus.LIVE,
        price_minor=2499,
    )
    make_product(vendor=make_vendor_other(), title="Someone Else's Mug")  # not exported
    db.session.flush()
    exported = csv_io.export_csv(vendor)
    assert exported.startswith("\ufeff")
    rows = _rows(exported)
    assert len(rows) == 1
    assert rows[0]["product_ref"] == product.slug
    assert rows[0]["price"] == "24.99"
    assert rows[0]["status"] == "live"

    report = import_csv(vendor, exported.encode("utf-8"))
    assert report.errors == []
    assert (report.created, report.updated) == (0, 1)
    db.session.expire_all()
    assert product.status == ProductStatus.LIVE  # nothing buyers see changed: no resubmission
    assert product.description == 'Line one,\nline "two"'
    assert product.attributes == {"material": "stoneware", "note": "a=b; c"}
    assert product.variants[0].price_minor == 2499
    assert _count(StockAdjustment) == 0


def make_vendor_other():
    from tests import factories

    return factories.VendorFactory()


def test_reimport_updates_price_and_stock_by_sku(app, shop, make_product):
    vendor, mugs = shop
    product = make_product(
        vendor=vendor, category=mugs, status=ProductStatus.DRAFT, attributes={"material": "clay"}
    )
    rows = _rows(csv_io.export_csv(vendor))
    rows[0].update(product_ref="", price="30.00", stock="25")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    report = import_csv(vendor, out.getvalue().encode(), actor_id=vendor.owner_id)
    assert report.errors == []
    assert report.updated == 1
    db.session.expire_all()
    variant = product.variants[0]
    assert (variant.price_minor, variant.stock_on_hand) == (3000, 25)
    adjustment = db.session.scalar(select(StockAdjustment))
    assert (adjustment.delta, adjustment.reason) == (15, "CSV import")


def test_another_vendors_product_ref_and_sku_never_reach_their_products(
    app, shop, make_vendor, make_product
):
    vendor, _ = shop
    theirs = make_product(vendor=make_vendor(), title="Their Mug", price_minor=5000)
    sku = theirs.variants[0].sku
    report = import_csv(
        vendor, _file(f"{theirs.slug},Hijacked,,mugs,material=x,{sku},,1.00,USD,1,0,")
    )
    assert report.errors == []
    assert report.created == 1
    db.session.expire_all()
    assert theirs.title == "Their Mug"
    assert theirs.variants[0].price_minor == 5000
    assert _count(Variant, sku=sku) == 2  # one per shop: SKUs are unique per vendor


def test_a_sku_twice_in_the_file_is_an_error(app, shop):
    vendor, _ = shop
    report = import_csv(
        vendor,
        _file(
            ",Mug A,,mugs,,SAME,,1.00,USD,1,0,",
            ",Mug B,,mugs,,SAME,,1.00,USD,1,0,",
        ),
    )
    assert RowError(3, "sku", "SKU SAME is also on row 2.") in report.errors
    assert _count(Product) == 0


def test_rows_of_one_product_must_agree(app, shop):
    vendor, _ = shop
    report = import_csv(
        vendor,
        _file(
            "ref-1,Mug,,mugs,,A-1,,1.00,USD,1,0,",
            "ref-1,Another title,,mugs,,A-2,,1.00,USD,1,0,",
        ),
    )
    assert [(e.row, e.column) for e in report.errors] == [(3, "title")]


def test_a_sku_cannot_move_to_another_of_the_vendors_listings(app, shop, make_product):
    vendor, mugs = shop
    first = make_product(vendor=vendor, category=mugs, status=ProductStatus.DRAFT)
    second = make_product(vendor=vendor, category=mugs, status=ProductStatus.DRAFT)
    sku = first.variants[0].sku
    report = import_csv(vendor, _file(f"{second.slug},Mug,,mugs,,{sku},,1.00,USD,1,0,"))
    assert [(e.row, e.column) for e in report.errors] == [(2, "sku")]


def test_wrong_headers_are_refused_with_the_expected_columns(app, shop):
    vendor, _ = shop
    with pytest.raises(CsvRejected) as caught:
        import_csv(vendor, b"name,price\nMug,12\n")
    message = caught.value.message
    assert "missing product_ref, title, category_path" in message
    assert "unknown name" in message


def test_byte_order_mark_and_semicolons_are_understood(app, shop):
    vendor, _ = shop
    text = HEADER.replace(",", ";") + "\r\n;Mug;;mugs;;S-1;;2.50;USD;3;0;\r\n"
    report = import_csv(vendor, text.encode("utf-8-sig"))
    assert report.errors == []
    assert report.created == 1


def test_optional_columns_may_be_left_out(app, shop):
    vendor, _ = shop
    data = (
        b"product_ref,title,category_path,sku,option_name,price,currency,stock\n"
        b",Mug,mugs,M-1,,3,USD,1\n"
    )
    report = import_csv(vendor, data)
    assert report.errors == []
    assert report.created == 1


def test_files_over_the_limits_are_refused(app, shop):
    vendor, _ = shop
    app.config["LISTINGS_CSV_MAX_ROWS"] = 2
    lines = [f",Mug {n},,mugs,,S-{n},,1.00,USD,1,0," for n in range(3)]
    with pytest.raises(CsvRejected, match="more than 2 rows"):
        import_csv(vendor, _file(*lines))
    app.config["LISTINGS_CSV_MAX_BYTES"] = 100
    with pytest.raises(CsvRejected, match="larger than"):
        import_csv(vendor, _file(*lines[:1]))


def test_non_utf8_and_empty_files_are_refused(app, shop):
    vendor, _ = shop
    with pytest.raises(CsvRejected, match="UTF-8"):
        import_csv(vendor, (HEADER + "\n,Caf\xe9 Mug,,mugs,,C-1,,1,USD,1,0,\n").encode("latin-1"))
    with pytest.raises(CsvRejected, match="empty"):
        import_csv(vendor, b"")
    with pytest.raises(CsvRejected, match="no listings"):
        import_csv(vendor, _file())


def test_formula_cells_are_neutralised_on_export_and_restored_on_import(app, shop):
    vendor, _ = shop
    report = import_csv(vendor, _file(",'=HYPERLINK(1),,mugs,,F-1,,1.00,USD,1,0,"))
    assert report.errors == []
    product = db.session.scalar(select(Product))
    assert product.title == "=HYPERLINK(1)"
    assert _rows(csv_io.export_csv(vendor))[0]["title"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("colour=blue;size=M", {"colour": "blue", "size": "M"}),
        ('{"colour": "blue"}', {"colour": "blue"}),
    ],
)
def test_attribute_cells(text, expected):
    assert csv_io.parse_attributes(text) == expected


@pytest.mark.parametrize("text", ["colour", "{not json", "[1, 2]", "=blue"])
def test_bad_attribute_cells(text):
    with pytest.raises(ValueError):
        csv_io.parse_attributes(text)
