"""The home page shows sellable products from several shops, and nothing else."""

from __future__ import annotations

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db


def test_home_lists_live_products_of_several_vendors(client, make_vendor, make_product):
    kiln = make_vendor(display_name="Kiln & Co")
    loom = make_vendor(display_name="Loom House")
    make_product(vendor=kiln, title="Speckled Mug", price_minor=2400)
    make_product(vendor=loom, title="Wool Throw", price_minor=8900)
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    assert "Speckled Mug" in page
    assert "Wool Throw" in page
    assert "Kiln &amp; Co" in page
    assert "Loom House" in page
    assert "$24.00" in page
    assert "$89.00" in page


def test_home_hides_products_buyers_cannot_buy(client, make_vendor, make_product):
    seller = make_vendor()
    make_product(vendor=seller, title="Live Lamp")
    make_product(vendor=seller, title="Draft Teapot", status=ProductStatus.DRAFT)
    make_product(vendor=seller, title="Pending Vase", status=ProductStatus.PENDING_REVIEW)
    make_product(vendor=seller, title="Delisted Bowl", status=ProductStatus.DELISTED)
    make_product(vendor=make_vendor(status="suspended"), title="Suspended Shop Candle")
    make_product(vendor=make_vendor(payable=False), title="Unpayable Shop Scarf")
    make_product(vendor=make_vendor(status="applied"), title="Applicant Soap")
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    assert "Live Lamp" in page
    for hidden in ("Draft Teapot", "Pending Vase", "Delisted Bowl", "Suspended Shop Candle"):
        assert hidden not in page
    assert "Unpayable Shop Scarf" not in page
    assert "Applicant Soap" not in page


def test_new_arrivals_are_spread_across_vendors(client, make_vendor, make_product):
    prolific = make_vendor(display_name="Prolific")
    for n in range(10):
        make_product(vendor=prolific, title=f"Prolific Item {n}")
    quiet = make_vendor(display_name="Quiet Shop")
    make_product(vendor=quiet, title="Quiet Item")
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    assert "Quiet Item" in page  # not pushed off the page by the busier shop


def test_best_sellers_show_products_that_sold(client, make_product):
    make_product(title="Popular Pan", sales_count=40)
    make_product(title="Unsold Pot", sales_count=0)
    db.session.commit()

    page = client.get("/").get_data(as_text=True)
    best = page[page.index("Best sellers") :]

    assert "Popular Pan" in best
    assert "Unsold Pot" not in best.split("Featured shops")[0]


def test_featured_shops_are_selling_vendors(client, make_vendor, make_product):
    make_product(vendor=make_vendor(display_name="Busy Bee Crafts"))
    make_product(vendor=make_vendor(display_name="Closed Shop", status="suspended"))
    db.session.commit()

    page = client.get("/").get_data(as_text=True)
    shops = page[page.index("Featured shops") :]

    assert "Busy Bee Crafts" in shops
    assert "Closed Shop" not in shops


def test_empty_marketplace_home_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No products are on sale yet" in response.get_data(as_text=True)
