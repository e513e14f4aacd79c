"""The product page: only sellable products, with variants, stock, breadcrumb and details."""

from __future__ import annotations

import re

import pytest

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from tests import factories


def test_product_page_shows_the_listing(client, make_category, make_vendor, make_product):
    home = make_category(name="Home", slug="home")
    mugs = make_category(name="Mugs", slug="mugs", parent=home)
    vendor = make_vendor(display_name="Kiln & Co", slug="kiln-co")
    product = make_product(
        vendor=vendor,
        category=mugs,
        title="Speckled Mug",
        description="Wheel-thrown.\n\nFired twice.",
        attributes={"material": "stoneware", "dishwasher_safe": True},
        price_minor=2400,
    )
    db.session.commit()

    response = client.get(f"/products/{product.slug}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1" in page and "Speckled Mug" in page
    assert 'href="/vendors/kiln-co"' in page
    assert 'href="/search?category=home"' in page
    assert 'href="/search?category=home/mugs"' in page
    assert "$24.00" in page
    assert '<p class="preserve-lines">Wheel-thrown.</p>' in page
    assert "Fired twice." in page
    assert "Dishwasher safe" in page and "Yes" in page
    assert "stoneware" in page
    assert "Add to cart" in page


@pytest.mark.parametrize(
    "status",
    [
        ProductStatus.DRAFT,
        ProductStatus.PENDING_REVIEW,
        ProductStatus.REJECTED,
        ProductStatus.DELISTED,
    ],
)
def test_product_that_is_not_live_is_404(client, make_product, status):
    product = make_product(status=status)
    db.session.commit()
    assert client.get(f"/products/{product.slug}").status_code == 404


@pytest.mark.parametrize(
    "vendor_fields", [{"status": "suspended"}, {"status": "applied"}, {"payable": False}]
)
def test_product_of_a_vendor_that_cannot_sell_is_404(
    client, make_vendor, make_product, vendor_fields
):
    product = make_product(vendor=make_vendor(**vendor_fields))
    db.session.commit()
    assert client.get(f"/products/{product.slug}").status_code == 404


def test_unknown_product_is_404(client):
    response = client.get("/products/nothing-like-this")
    assert response.status_code == 404
    assert "isn" in response.get_data(as_text=True)  # "That product isn't available"


def test_variants_show_options_prices_and_stock_state(client, make_product):
    product = make_product(price_minor=3000, stock=40)
    product.variants[0].name = "Large"
    product.variants[0].options = {"size": "L"}
    factories.VariantFactory(
        product=product, name="Small", options={"size": "S"}, price_minor=2000, stock_on_hand=3
    )
    factories.VariantFactory(
        product=product, name="Medium", options={"size": "M"}, price_minor=2500, stock_on_hand=0
    )
    db.session.commit()

    page = client.get(f"/products/{product.slug}").get_data(as_text=True)

    assert "From</span> $20.00" in page  # lowest variant price until one is chosen
    assert "Size: S" in page
    assert "In stock" in page
    assert "Only 3 left" in page
    assert "Out of stock" in page
    assert "$30.00" in page and "$25.00" in page


def test_selected_variant_sets_the_price(client, make_product):
    product = make_product(price_minor=3000)
    small = factories.VariantFactory(product=product, name="Small", price_minor=2000)
    db.session.commit()

    response = client.get(f"/products/{product.slug}?variant={product.variants[0].id}")
    text = response.get_data(as_text=True)

    headline = re.search(r'<p class="product-price[^"]*">(.*?)</p>', text, re.S).group(1)
    assert headline.strip() == "$30.00"
    assert 'class="is-selected" aria-current="true"' in text
    assert small.name in text


def test_a_variant_of_another_product_is_ignored(client, make_product):
    product = make_product(price_minor=3000)
    other = make_product(price_minor=100)
    db.session.commit()

    response = client.get(f"/products/{product.slug}?variant={other.variants[0].id}")

    assert response.status_code == 200
    assert "$1.00" not in response.get_data(as_text=True)


def test_images_are_shown_from_storage(client, make_product):
    product = make_product()
    db.session.add_all([_image(product, 0), _image(product, 1)])
    db.session.commit()

    page = client.get(f"/products/{product.slug}").get_data(as_text=True)

    assert f'src="/media/products/{product.id}/0.png"' in page
    assert "data-gallery-thumb" in page


def _image(product, position):
    from marketplace.catalog.models import ProductImage

    return ProductImage(
        product=product,
        storage_key=f"products/{product.id}/{position}.png",
        content_type="image/png",
        width=800,
        height=800,
        byte_size=1024,
        alt_text="Mug on a table",
        position=position,
    )
