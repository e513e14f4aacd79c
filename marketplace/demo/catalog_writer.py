"""Writes generated products in bulk: Product, Variant, StockAdjustment and ProductImage rows.

Rows go in with `INSERT ... RETURNING` in chunks, so 200,000 products never sit in the session
as objects; pictures are drawn once per category and palette and shared by every product.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice

from flask import current_app
from sqlalchemy import insert

from marketplace.catalog.models import (
    Product,
    ProductImage,
    ProductStatus,
    StockAdjustment,
    Variant,
)
from marketplace.demo import images
from marketplace.demo.departments import LEAVES, Leaf
from marketplace.demo.generator import ProductSpec
from marketplace.demo.orders import ProductSample
from marketplace.demo.taxonomy import DEPARTMENT_BY_NAME, LEAF_BY_PATH
from marketplace.extensions import db
from marketplace.storage import get_storage
from marketplace.vendors.models import Vendor

CHUNK_SIZE = 2000
SAMPLES_PER_VENDOR = 60  # products per vendor that demo orders may be drawn from


def _chunks(items: Iterable[ProductSpec], size: int) -> Iterator[list[ProductSpec]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class ImageLibrary:
    """Draws each category picture once, saves it through storage, and remembers it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.saved: dict[tuple[str, int], tuple[str, images.RenderedImage]] = {}
        self._leaf_index = {leaf.path: i for i, leaf in enumerate(LEAVES)}

    def get(self, leaf: Leaf, palette: int) -> tuple[str, images.RenderedImage]:
        found = self.saved.get((leaf.path, palette))
        if found is None:
            pictogram = DEPARTMENT_BY_NAME[leaf.department].pictogram
            colours = images.palette_for(self._leaf_index[leaf.path], palette)
            picture = images.product_image(pictogram, leaf.name, colours, self.size)
            key = f"demo/products/{leaf.slug}-{palette + 1}.{picture.extension}"
            get_storage().save(key, picture.data)
            found = self.saved[(leaf.path, palette)] = (key, picture)
        return found


class ProductWriter:
    """Turns generated products into Product, Variant, StockAdjustment and image rows."""

    def __init__(
        self,
        vendors: list[Vendor],
        category_ids: dict[str, int],
        now: datetime,
        library: ImageLibrary,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.vendors = vendors
        self.category_ids = category_ids
        self.now = now
        self.library = library
        self.progress = progress
        self.currency = current_app.config.get("CURRENCY", "USD")
        self.samples: dict[int, list[ProductSample]] = {}
        self.summary_counts = {"products": 0, "live": 0, "variants": 0, "images": 0}

    def write(self, specs: Iterable[ProductSpec], status: str) -> None:
        for chunk in _chunks(specs, CHUNK_SIZE):
            self._write_chunk(chunk, status)
            if self.progress:
                self.progress(len(chunk))

    def _write_chunk(self, chunk: list[ProductSpec], status: str) -> None:
        session = db.session
        created = [self.now - timedelta(days=spec.age_days) for spec in chunk]
        live = status == ProductStatus.LIVE
        product_rows = [
            {
                "vendor_id": self.vendors[spec.vendor_index].id,
                "category_id": self.category_ids[spec.category_path],
                "title": spec.title,
                "slug": spec.slug,
                "description": spec.description,
                "status": status,
                "attributes": spec.attributes,
                "sales_count": 0,
                "created_at": when,
                "updated_at": when,
                "published_at": when + timedelta(hours=3) if live else None,
            }
            for spec, when in zip(chunk, created, strict=True)
        ]
        product_ids = self._insert_returning(Product, product_rows)
        variant_rows, image_rows = [], []
        for spec, product_id in zip(chunk, product_ids, strict=True):
            vendor_id = self.vendors[spec.vendor_index].id
            variant_rows.extend(
                {
                    "product_id": product_id,
                    "vendor_id": vendor_id,
                    "sku": v.sku,
                    "name": v.name,
                    "options": v.options,
                    "price_minor": v.price_minor,
                    "currency": self.currency,
                    "stock_on_hand": v.stock,
                    "stock_reserved": 0,
                    "reorder_point": v.reorder_point,
                    "allow_backorder": False,
                    "position": v.position,
                }
                for v in spec.variants
            )
            image_rows.extend(self._image_rows(spec, product_id))
        variant_ids = self._insert_returning(Variant, variant_rows)
        self._opening_stock(chunk, created, variant_rows, variant_ids)
        session.execute(insert(ProductImage), image_rows)
        if live:
            self._keep_samples(chunk, product_ids, variant_rows, variant_ids)
        counts = self.summary_counts
        counts["products"] += len(chunk)
        counts["live"] += len(chunk) if live else 0
        counts["variants"] += len(variant_rows)
        counts["images"] += len(image_rows)

    @staticmethod
    def _insert_returning(model: type, rows: list[dict]) -> list[int]:
        """Bulk insert `rows`, returning their new ids in the same order (SQLite and PostgreSQL)."""
        statement = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list(db.session.scalars(statement, rows))

    def _image_rows(self, spec: ProductSpec, product_id: int) -> list[dict]:
        leaf = LEAF_BY_PATH[spec.category_path]
        rows = []
        for position, palette in enumerate(spec.image_palettes):
            key, picture = self.library.get(leaf, palette)
            rows.append(
                {
                    "product_id": product_id,
                    "storage_key": key,
                    "content_type": picture.content_type,
                    "width": picture.width,
                    "height": picture.height,
                    "byte_size": len(picture.data),
                    "alt_text": spec.title[:200],
                    "position": position,
                }
            )
        return rows

    def _opening_stock(self, chunk, created, variant_rows, variant_ids) -> None:
        """Record each SKU's starting stock, so stock on hand can always be explained."""
        owner_of = {vendor.id: vendor.owner_id for vendor in self.vendors}
        when_of = {}
        for spec, when in zip(chunk, created, strict=True):
            for variant in spec.variants:
                when_of[variant.sku] = when
        rows = [
            {
                "variant_id": variant_id,
                "delta": row["stock_on_hand"],
                "reason": "Opening stock",
                "actor_id": owner_of[row["vendor_id"]],
                "created_at": when_of[row["sku"]],
            }
            for row, variant_id in zip(variant_rows, variant_ids, strict=True)
            if row["stock_on_hand"] > 0
        ]
        if rows:
            db.session.execute(insert(StockAdjustment), rows)

    def _keep_samples(self, chunk, product_ids, variant_rows, variant_ids) -> None:
        """Remember a few products per vendor for the demo orders to be made of."""
        by_product: dict[int, list[tuple[int, dict]]] = {}
        for row, variant_id in zip(variant_rows, variant_ids, strict=True):
            by_product.setdefault(row["product_id"], []).append((variant_id, row))
        for spec, product_id in zip(chunk, product_ids, strict=True):
            kept = self.samples.setdefault(spec.vendor_index, [])
            if len(kept) < SAMPLES_PER_VENDOR:
                kept.append(ProductSample.from_rows(product_id, spec, by_product[product_id]))
