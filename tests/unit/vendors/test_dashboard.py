"""The seller dashboard: only for vendor owners, and only ever about their own shop."""

from __future__ import annotations

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from tests.helpers import sign_in


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/sell/")
    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_buyer_gets_403_on_the_seller_dashboard(client, make_user):
    buyer = make_user()
    db.session.commit()
    sign_in(client, buyer)
    assert client.get("/sell/").status_code == 403


def test_vendor_sees_its_own_listings_and_low_stock_only(client, make_vendor, make_product):
    vendor = make_vendor(display_name="Kiln & Co")
    make_product(vendor=vendor, title="Speckled Stoneware Mug", stock=1)
    make_product(vendor=vendor, title="Draft Teapot", status=ProductStatus.DRAFT)
    other = make_vendor(display_name="Other Shop")
    make_product(vendor=other, title="Someone Else's Low Stock Lamp", stock=0)
    db.session.commit()
    sign_in(client, vendor.owner)

    page = client.get("/sell/").get_data(as_text=True)

    assert "Kiln &amp; Co" in page
    assert "Speckled Stoneware Mug" in page  # stock 1 is at its reorder point of 2
    assert "Someone Else" not in page


def test_vendor_sees_why_it_cannot_sell_yet(client, make_vendor):
    vendor = make_vendor(status="applied", payable=False)
    db.session.commit()
    sign_in(client, vendor.owner)
    page = client.get("/sell/").get_data(as_text=True)
    assert "Applied" in page
    assert "must be approved and payable" in page
