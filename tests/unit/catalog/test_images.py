"""Image uploads are checked with real pictures made by Pillow: type, size, pixels, integrity."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace.catalog import images, services
from marketplace.catalog.images import ImageRejected, validate_image
from marketplace.catalog.models import ProductImage
from marketplace.extensions import db
from marketplace.storage import get_storage


def picture(
    fmt: str = "JPEG", size: tuple[int, int] = (400, 300), exif: bool = False, noise: bool = False
) -> bytes:
    """A real image file: a gradient, or random noise that no encoder can shrink."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size)
        image.putdata([(x % 256, y % 256, 128) for y in range(size[1]) for x in range(size[0])])
    out = io.BytesIO()
    options = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "SecretCam"  # Make
        tags[0x0112] = 6  # Orientation: rotate 90° clockwise to display
        options["exif"] = tags.tobytes()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def upload(data: bytes, filename: str, content_type: str | None = None) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=filename, content_type=content_type)


@pytest.mark.parametrize(
    ("fmt", "name", "content_type", "ext"),
    [
        ("JPEG", "mug.jpg", "image/jpeg", "jpg"),
        ("PNG", "mug.png", "image/png", "png"),
        ("WEBP", "mug.webp", "image/webp", "webp"),
    ],
)
def test_real_images_are_accepted_with_their_dimensions(app, fmt, name, content_type, ext):
    checked = validate_image(upload(picture(fmt), name, content_type))
    assert (checked.width, checked.height) == (400, 300)
    assert (checked.content_type, checked.ext) == (content_type, ext)
    assert Image.open(io.BytesIO(checked.data)).format == fmt


def test_the_file_name_speaks_when_the_browser_sends_no_type(app):
    checked = validate_image(upload(picture("PNG"), "mug.png", "application/octet-stream"))
    assert checked.content_type == "image/png"


def test_exif_is_stripped_and_orientation_applied(app):
    checked = validate_image(upload(picture("JPEG", exif=True), "photo.jpg", "image/jpeg"))
    stored = Image.open(io.BytesIO(checked.data))
    assert (stored.width, stored.height) == (300, 400)  # turned upright
    assert not stored.getexif()
    assert b"SecretCam" not in checked.data


def test_a_text_file_named_jpg_is_refused(app):
    with pytest.raises(ImageRejected, match="could not be read as an image"):
        validate_image(upload(b"just some text, not a picture\n" * 20, "mug.jpg", "image/jpeg"))


def test_a_png_named_jpg_is_refused(app):
    with pytest.raises(ImageRejected, match="says it is JPEG but contains PNG"):
        validate_image(upload(picture("PNG"), "mug.jpg", "image/jpeg"))


def test_other_image_types_are_refused(app):
    with pytest.raises(ImageRejected, match="JPEG, PNG or WebP"):
        validate_image(upload(picture("GIF"), "mug.gif", "image/gif"))


def test_a_gif_disguised_as_png_is_refused(app):
    with pytest.raises(ImageRejected, match="Only JPEG, PNG and WebP"):
        validate_image(upload(picture("GIF"), "mug.png", "image/png"))


def test_too_small_images_are_refused(app):
    with pytest.raises(ImageRejected, match=r"each side must be at least 200 pixels"):
        validate_image(upload(picture("PNG", (640, 120)), "banner.png", "image/png"))


def test_too_large_files_are_refused(app):
    app.config["MAX_IMAGE_BYTES"] = 10_000
    data = picture("PNG", (300, 300), noise=True)
    assert len(data) > 10_000
    with pytest.raises(ImageRejected, match="larger than"):
        validate_image(upload(data, "big.png", "image/png"))


def test_truncated_files_are_refused(app):
    data = picture("JPEG", (800, 600))
    with pytest.raises(ImageRejected, match="damaged, incomplete"):
        validate_image(upload(data[: len(data) // 2], "cut.jpg", "image/jpeg"))


def test_truncated_png_is_refused(app):
    data = picture("PNG", (800, 600))
    with pytest.raises(ImageRejected, match="damaged, incomplete"):
        validate_image(upload(data[: len(data) - 200], "cut.png", "image/png"))


def test_decompression_bombs_are_refused_before_decoding(app):
    app.config["MAX_IMAGE_PIXELS"] = 250_000
    with pytest.raises(ImageRejected, match="megapixels"):
        validate_image(upload(picture("PNG", (600, 600)), "huge.png", "image/png"))


def test_empty_files_are_refused(app):
    with pytest.raises(ImageRejected, match="empty"):
        validate_image(upload(b"", "nothing.jpg", "image/jpeg"))


def test_add_images_stores_files_under_the_product(app, make_vendor, make_product):
    vendor = make_vendor()
    product = make_product(vendor=vendor)
    added = services.add_images(
        vendor,
        product.id,
        [upload(picture("JPEG"), "a.jpg", "image/jpeg"), upload(picture("PNG"), "b.png")],
    )
    assert [image.position for image in added] == [0, 1]
    for image in added:
        assert image.storage_key.startswith(f"products/{product.id}/")
        assert get_storage().exists(image.storage_key)
    assert added[1].content_type == "image/png"


def test_one_bad_file_stores_none_of_the_batch(app, make_vendor, make_product):
    vendor = make_vendor()
    product = make_product(vendor=vendor)
    with pytest.raises(ImageRejected, match=r"^notes\.jpg: "):
        services.add_images(
            vendor,
            product.id,
            [upload(picture(), "a.jpg", "image/jpeg"), upload(b"hello", "notes.jpg")],
        )
    assert db.session.scalar(select(ProductImage)) is None


def test_a_listing_holds_a_limited_number_of_images(app, make_vendor, make_product):
    app.config["MAX_IMAGES_PER_PRODUCT"] = 2
    vendor = make_vendor()
    product = make_product(vendor=vendor)
    files = [upload(picture(), f"{n}.jpg", "image/jpeg") for n in range(3)]
    with pytest.raises(ImageRejected, match="at most 2 images"):
        services.add_images(vendor, product.id, files)


def test_images_reorder_and_remove_within_the_vendors_listing(app, make_vendor, make_product):
    vendor, intruder = make_vendor(), make_vendor()
    product = make_product(vendor=vendor)
    first, second = services.add_images(
        vendor, product.id, [upload(picture(), "a.jpg"), upload(picture(), "b.jpg")]
    )
    services.move_image(vendor, product.id, second.id, -1)
    assert [image.id for image in product.images] == [second.id, first.id]
    with pytest.raises(services.ListingNotFound):
        services.remove_image(intruder, product.id, first.id)
    key = services.remove_image(vendor, product.id, first.id)
    assert key == first.storage_key
    assert [image.id for image in product.images] == [second.id]


def test_store_image_uses_an_unguessable_name(app):
    checked = validate_image(upload(picture(), "mug.jpg", "image/jpeg"))
    keys = {images.store_image(7, checked) for _ in range(3)}
    assert len(keys) == 3
    assert all(key.startswith("products/7/") and key.endswith(".jpg") for key in keys)
