"""A vendor's storefront: who they are and what they sell, for approved vendors only."""

from __future__ import annotations

import pytest

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db


def test_storefront_shows_the_vendor_and_their_live_products(client, make_vendor, make_product):
    vendor = make_vendor(
        display_name="Loom House",
        slug="loom-house",
        country="PT",
        description="Blankets woven on a 1950s loom.",
    )
    make_product(vendor=vendor, title="Wool Throw")
    make_product(vendor=vendor, title="Secret Draft", status=ProductStatus.DRAFT)
    make_product(title="Another Shop's Lamp")
    db.session.commit()

    response = client.get("/vendors/loom-house")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Loom House" in page
    assert "Based in PT" in page
    assert "Blankets woven on a 1950s loom." in page
    assert f"Member since {vendor.approved_at.strftime('%B %Y')}" in page
    assert "Wool Throw" in page
    assert "Secret Draft" not in page
    assert "Another Shop" not in page
    assert "1 product" in page


@pytest.mark.parametrize("status", ["applied", "rejected", "suspended"])
def test_storefront_404_unless_vendor_is_approved(client, make_vendor, status):
    vendor = make_vendor(status=status)
    db.session.commit()
    assert client.get(f"/vendors/{vendor.slug}").status_code == 404


def test_unknown_vendor_is_404(client):
    assert client.get("/vendors/nobody").status_code == 404


def test_storefront_is_paginated(client, make_vendor, make_product):
    vendor = make_vendor(slug="big-shop")
    for n in range(30):
        make_product(vendor=vendor, title=f"Item {n:02d}")
    db.session.commit()

    first = client.get("/vendors/big-shop").get_data(as_text=True)
    second = client.get("/vendors/big-shop?page=2").get_data(as_text=True)

    assert first.count('class="product-card"') == 24
    assert second.count('class="product-card"') == 6
    assert 'href="/vendors/big-shop?page=2"' in first
    assert "30 products" in first


def test_logo_is_shown_when_the_vendor_has_one(client, make_vendor):
    make_vendor(slug="logo-shop", logo_key="vendors/1/logo.png")
    db.session.commit()
    page = client.get("/vendors/logo-shop").get_data(as_text=True)
    assert 'src="/media/vendors/1/logo.png"' in page


def test_vendor_with_nothing_live_says_so(client, make_vendor):
    make_vendor(slug="empty-shop", display_name="Empty Shop")
    db.session.commit()
    page = client.get("/vendors/empty-shop").get_data(as_text=True)
    assert "Empty Shop has nothing for sale right now." in page
