"""Product image uploads: accept only real JPEG, PNG and WebP pictures, and store them clean.

An upload is trusted for nothing: its declared type must agree with what Pillow finds in the
bytes, it must decode completely, its pixel count and size are bounded, and it is re-encoded so
camera metadata (EXIF: location, device) never reaches the storefront.
"""

from __future__ import annotations

import io
import mimetypes
import secrets
import warnings
from dataclasses import dataclass
from typing import IO, Protocol

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.errors import DomainError
from marketplace.storage import get_storage

# Pillow format name → (content type, file extension).
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
CONTENT_TYPES = {content_type: name for name, (content_type, _) in FORMATS.items()}
READABLE_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
JPEG_QUALITY = 90
WEBP_QUALITY = 90


class ImageRejected(DomainError):
    """An upload that is not an image we can safely show."""

    message = "That file is not an image we can use."


class Upload(Protocol):
    """What a browser upload looks like (werkzeug's FileStorage)."""

    filename: str | None
    mimetype: str
    stream: IO[bytes]


@dataclass(frozen=True)
class ValidatedImage:
    """A decoded, checked and re-encoded picture, ready to store."""

    data: bytes
    content_type: str
    width: int
    height: int
    ext: str

    @property
    def byte_size(self) -> int:
        return len(self.data)


def _limit(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def validate_image(upload: Upload) -> ValidatedImage:
    """Check an upload end to end and return it re-encoded without metadata; else ImageRejected."""
    data = _read_bounded(upload)
    declared = _declared_format(upload)
    image = _open_checked(data)
    if declared is not None and declared != image.format:
        raise ImageRejected(
            f"The file says it is {READABLE_NAMES[declared]} but contains "
            f"{READABLE_NAMES[image.format]} data. Save it again with the right extension."
        )
    return _reencode(image)


def _read_bounded(upload: Upload) -> bytes:
    """Read at most one byte past the limit, so a huge upload is never held in memory."""
    limit = _limit("MAX_IMAGE_BYTES", 8 * 1024 * 1024)
    data = upload.stream.read(limit + 1)
    if not data:
        raise ImageRejected("The file is empty.")
    if len(data) > limit:
        raise ImageRejected(
            f"The file is larger than {limit / (1024 * 1024):g} MB. "
            "Upload a smaller or more compressed picture."
        )
    return data


def _declared_format(upload: Upload) -> str | None:
    """The format the browser claims (content type, else the file name); refuse other types."""
    claimed = (upload.mimetype or "").lower()
    if claimed in GENERIC_TYPES:
        claimed = (mimetypes.guess_type(upload.filename or "")[0] or "").lower()
    if claimed in ("image/jpg", "image/pjpeg"):
        claimed = "image/jpeg"
    if claimed not in CONTENT_TYPES:
        raise ImageRejected("It is not a JPEG, PNG or WebP image; only those formats are accepted.")
    return CONTENT_TYPES[claimed]


def _open_checked(data: bytes) -> Image.Image:
    """Decode fully (verify, then load) after bounding the pixel count the header declares."""
    max_pixels = _limit("MAX_IMAGE_PIXELS", 40_000_000)
    min_side = _limit("MIN_IMAGE_SIDE", 200)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise ImageRejected("Only JPEG, PNG and WebP images are accepted.")
            width, height = probe.size
            if width * height > max_pixels:
                raise ImageRejected(
                    f"The image is {width}\u00d7{height} pixels; at most "
                    f"{max_pixels / 1_000_000:g} megapixels are accepted."
                )
            probe.verify()  # structure and checksums; the object is unusable afterwards
            image = Image.open(io.BytesIO(data))
            image.load()  # decodes every pixel: a truncated file fails here
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("The image has too many pixels to process safely.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(
            "The file could not be read as an image: it is damaged, incomplete or not a picture."
        ) from exc
    if min(image.size) < min_side:
        raise ImageRejected(
            f"The image is {image.width}\u00d7{image.height} pixels; each side must be at least "
            f"{min_side} pixels."
        )
    return image


def _reencode(image: Image.Image) -> ValidatedImage:
    """Apply the camera's rotation, then write the pixels again without EXIF or text chunks."""
    source_format = image.format or "PNG"
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image) or image
    content_type, ext = FORMATS[source_format]
    options: dict[str, object] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if source_format == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif source_format == "WEBP":
        options.update(quality=WEBP_QUALITY)
    else:
        options.update(optimize=True)
    out = io.BytesIO()
    upright.save(out, format=source_format, **options)
    return ValidatedImage(out.getvalue(), content_type, upright.width, upright.height, ext)


def store_image(product_id: int, image: ValidatedImage) -> str:
    """Save under products/<product id>/ with an unguessable name; returns the storage key."""
    key = f"products/{product_id}/{secrets.token_hex(16)}.{image.ext}"
    get_storage().save(key, image.data)
    return key
