"""Builders for review tests: delivered order lines, review input, uploads."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta
from typing import Any

from PIL import Image
from werkzeug.datastructures import FileStorage

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, OrderLine, OrderStatus, VendorOrder
from marketplace.reviews.services import ReviewInput

_numbers = itertools.count(1)
GOOD_TEXT = "Sturdy and well made; it keeps coffee hot and the handle is comfortable to hold."


def place_line(
    buyer: Any,
    product: Any,
    *,
    status: str = "delivered",
    quantity: int = 1,
    delivered_days_ago: float = 5,
    address: dict[str, str] | None = None,
) -> OrderLine:
    """An order of `product` by `buyer` whose vendor order is in `status` (default delivered)."""
    price = product.variants[0].price_minor if product.variants else 2500
    total = price * quantity
    now = utcnow()
    order = Order(
        number=f"MP-R{next(_numbers):06d}",
        buyer_id=buyer.id,
        status=OrderStatus.PAID,
        currency="USD",
        items_total_minor=total,
        grand_total_minor=total,
        email=buyer.email,
        shipping_address=address
        or {
            "name": buyer.display_name,
            "line1": "1 Main St",
            "city": "Portland",
            "region": "OR",
            "postal_code": "97205",
            "country": "US",
        },
        paid_at=now - timedelta(days=delivered_days_ago + 3),
    )
    vendor_order = VendorOrder(
        vendor_id=product.vendor_id,
        status=status,
        currency="USD",
        subtotal_minor=total,
        vendor_net_minor=total,
        delivered_at=now - timedelta(days=delivered_days_ago)
        if status in ("delivered", "returned")
        else None,
    )
    line = OrderLine(
        product_id=product.id,
        variant_id=product.variants[0].id if product.variants else None,
        title=product.title,
        sku=f"SKU-R{next(_numbers)}",
        unit_price_minor=price,
        quantity=quantity,
        line_total_minor=total,
    )
    vendor_order.lines.append(line)
    order.vendor_orders.append(vendor_order)
    db.session.add(order)
    db.session.flush()
    return line


def review_input(rating: int = 5, title: str = "Lovely mug", body: str = GOOD_TEXT) -> ReviewInput:
    return ReviewInput(rating=rating, title=title, body=body)


def png_upload(name: str = "photo.png", size: tuple[int, int] = (320, 240)) -> FileStorage:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 90, 40)).save(buffer, format="PNG")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename=name, content_type="image/png")
