"""Review photos: the same upload checks as listing images, stored under reviews/<id>/."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence

from flask import current_app

from marketplace.catalog.images import ImageRejected, Upload, ValidatedImage, validate_image
from marketplace.reviews.exceptions import InvalidReview
from marketplace.reviews.models import Review, ReviewPhoto
from marketplace.storage import get_storage


def max_photos() -> int:
    return int(current_app.config.get("REVIEW_MAX_PHOTOS", 4))


def chosen_uploads(uploads: Iterable[Upload | None]) -> list[Upload]:
    """The file inputs that hold a file (browsers send empty ones for unused inputs)."""
    return [upload for upload in uploads if upload is not None and upload.filename]


def validate_photos(uploads: Sequence[Upload], *, already: int = 0) -> list[ValidatedImage]:
    """Check every upload before anything is written, so one bad file changes nothing."""
    limit = max_photos()
    if already + len(uploads) > limit:
        raise InvalidReview(
            f"A review can have at most {limit} photos"
            + (f"; it has {already} already." if already else "."),
            field="photos",
        )
    images: list[ValidatedImage] = []
    for upload in uploads:
        try:
            images.append(validate_image(upload))
        except ImageRejected as error:
            name = upload.filename or "A photo"
            raise InvalidReview(f"{name}: {error.message}", field="photos") from None
    return images


def attach_photos(review: Review, images: Sequence[ValidatedImage]) -> None:
    """Store checked images under the review (unguessable names) and count them."""
    storage = get_storage()
    position = max((photo.position for photo in review.photos), default=-1) + 1
    for image in images:
        key = f"reviews/{review.id}/{secrets.token_hex(16)}.{image.ext}"
        storage.save(key, image.data)
        review.photos.append(
            ReviewPhoto(storage_key=key, width=image.width, height=image.height, position=position)
        )
        position += 1
    review.photo_count = len(review.photos)


def delete_photo_files(keys: list[str]) -> None:
    """Job: remove stored files of photos whose rows are gone (after the deletion committed)."""
    storage = get_storage()
    for key in keys:
        storage.delete(key)
