"""Placeholder pictures: decodable images of the promised size and format."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from marketplace.demo.images import PICTOGRAMS, initials, palette_for, product_image, vendor_logo


@pytest.mark.parametrize("pictogram", sorted(PICTOGRAMS))
def test_product_image_is_a_jpeg_of_the_requested_size(pictogram):
    rendered = product_image(pictogram, "Kitchen Knives", palette_for(3, 1), size=320)

    image = Image.open(io.BytesIO(rendered.data))
    assert image.format == "JPEG"
    assert image.size == (320, 320) == (rendered.width, rendered.height)
    assert rendered.content_type == "image/jpeg"


def test_full_size_product_image_is_800_pixels_and_not_one_flat_colour():
    rendered = product_image("outdoors", "Camping", palette_for(0, 0))

    image = Image.open(io.BytesIO(rendered.data)).convert("RGB")
    assert image.size == (800, 800)
    assert len(image.getcolors(maxcolors=1_000_000)) > 50


def test_palettes_differ_between_a_category_s_pictures():
    assert len({palette_for(5, variant) for variant in range(3)}) == 3


def test_vendor_logo_is_a_transparent_png_with_initials():
    rendered = vendor_logo("Copper & Crumb", 2, size=128)

    image = Image.open(io.BytesIO(rendered.data))
    assert image.format == "PNG"
    assert image.size == (128, 128)
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0  # corner outside the circle
    assert initials("Copper & Crumb") == "CC"
    assert initials("Fernhill Pet Co.") == "FP"
