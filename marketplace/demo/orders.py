"""Past orders for the demo buyers: paid, shipped and delivered, with totals that add up.

Each order is one buyer payment split into one vendor order per shop, priced the way the
marketplace prices a checkout: flat-rate shipping per shop below a free-shipping threshold,
and the default commission (10% of the items plus 30 cents per vendor order, rounded half to
even) taken from the vendor's share.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from flask import current_app
from sqlalchemy import update

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.demo.generator import ProductSpec
from marketplace.extensions import db
from marketplace.fulfilment.models import Shipment, ShipmentLine, ShipmentStatus, TrackingEvent
from marketplace.orders.models import Order, OrderLine, OrderStatus, VendorOrder, VendorOrderStatus
from marketplace.payments.models import Payment, PaymentStatus
from marketplace.vendors.models import Vendor

COMMISSION_RATE_BPS = 1000
COMMISSION_FIXED_MINOR = 30
FLAT_SHIPPING_MINOR = 599
FREE_SHIPPING_FROM_MINOR = 7500
CARRIERS = ("UPS", "USPS", "FedEx", "DHL Express")


@dataclass(frozen=True)
class ProductSample:
    """A live product an order may contain, with its in-stock variants."""

    product_id: int
    vendor_index: int
    age_days: float
    title: str
    variants: tuple[tuple[int, str, str, int], ...]  # (variant id, name, sku, price)

    @classmethod
    def from_rows(cls, product_id: int, spec: ProductSpec, rows: list[tuple[int, dict]]):
        """From the generated product and its inserted variant rows (id, row)."""
        in_stock = tuple(
            (variant_id, row["name"], row["sku"], row["price_minor"])
            for variant_id, row in rows
            if row["stock_on_hand"] > 0
        )
        return cls(product_id, spec.vendor_index, spec.age_days, spec.title, in_stock)


@dataclass
class PlacedOrders:
    orders: int = 0
    vendor_orders: int = 0


def commission_minor(subtotal_minor: int, rate_bps: int = COMMISSION_RATE_BPS) -> int:
    """The marketplace's cut of one vendor order, rounded half to even."""
    share = (Decimal(subtotal_minor) * rate_bps / 10000).quantize(Decimal(1), ROUND_HALF_EVEN)
    return int(share) + COMMISSION_FIXED_MINOR


def _status_for_age(age_days: float) -> str:
    if age_days > 12:
        return VendorOrderStatus.DELIVERED
    if age_days > 4:
        return VendorOrderStatus.SHIPPED
    return VendorOrderStatus.PAID


class _OrderMaker:
    """Builds one order at a time from the sampled products; remembers units sold."""

    def __init__(self, vendors: list[Vendor], rng: random.Random, now: datetime) -> None:
        self.vendors = vendors
        self.rng = rng
        self.now = now
        self.currency = current_app.config.get("CURRENCY", "USD")
        self.sold: Counter[int] = Counter()
        self.placed = PlacedOrders()

    def pick_lines(self, samples: list[ProductSample], age_days: float):
        """1-3 (sample, variant, quantity) from products listed before the order was placed."""
        older = [s for s in samples if s.variants and s.age_days > age_days + 1]
        chosen = self.rng.sample(older, min(len(older), self.rng.choice((1, 1, 2, 3))))
        return [(s, self.rng.choice(s.variants), self.rng.choice((1, 1, 1, 2, 3))) for s in chosen]

    def place(self, buyer: User, address: dict, parts: dict[int, list], age_days: float) -> None:
        created = self.now - timedelta(days=age_days)
        paid_at = created + timedelta(minutes=2)
        self.placed.orders += 1
        number = f"MP-{created:%Y%m%d}-{self.placed.orders:04d}"
        order = Order(
            number=number,
            buyer_id=buyer.id,
            status=OrderStatus.PAID,
            currency=self.currency,
            email=buyer.email,
            shipping_address=address,
            created_at=created,
            paid_at=paid_at,
        )
        status = _status_for_age(age_days)
        for vendor_index, lines in parts.items():
            order.vendor_orders.append(
                self._vendor_order(self.vendors[vendor_index], lines, status, created, paid_at)
            )
        order.items_total_minor = sum(vo.subtotal_minor for vo in order.vendor_orders)
        order.shipping_total_minor = sum(vo.shipping_minor for vo in order.vendor_orders)
        order.tax_total_minor = sum(vo.tax_minor for vo in order.vendor_orders)
        order.grand_total_minor = (
            order.items_total_minor + order.shipping_total_minor + order.tax_total_minor
        )
        db.session.add(order)
        db.session.flush()
        db.session.add(
            Payment(
                order_id=order.id,
                gateway="offline",
                gateway_reference=f"offline_demo_{number}",
                amount_minor=order.grand_total_minor,
                currency=self.currency,
                status=PaymentStatus.SUCCEEDED,
                idempotency_key=f"demo:{number}:payment",
                created_at=created,
                updated_at=paid_at,
                succeeded_at=paid_at,
            )
        )
        for vendor_order in order.vendor_orders:
            if status != VendorOrderStatus.PAID:
                self._ship(vendor_order, status, paid_at)

    def _vendor_order(self, vendor: Vendor, lines, status: str, created, paid_at) -> VendorOrder:
        self.placed.vendor_orders += 1
        shipped = status != VendorOrderStatus.PAID
        order_lines = []
        for sample, (variant_id, name, sku, price), quantity in lines:
            self.sold[sample.product_id] += quantity
            order_lines.append(
                OrderLine(
                    product_id=sample.product_id,
                    variant_id=variant_id,
                    title=sample.title,
                    variant_name=name,
                    sku=sku,
                    unit_price_minor=price,
                    quantity=quantity,
                    line_total_minor=price * quantity,
                    tax_minor=0,
                    quantity_shipped=quantity if shipped else 0,
                )
            )
        subtotal = sum(line.line_total_minor for line in order_lines)
        shipping = 0 if subtotal >= FREE_SHIPPING_FROM_MINOR else FLAT_SHIPPING_MINOR
        commission = commission_minor(subtotal)
        ship_by = paid_at + timedelta(days=vendor.handling_days or 1)
        return VendorOrder(
            vendor_id=vendor.id,
            status=status,
            currency=self.currency,
            subtotal_minor=subtotal,
            shipping_minor=shipping,
            tax_minor=0,
            commission_minor=commission,
            vendor_net_minor=subtotal + shipping - commission,
            shipping_method="Standard shipping" if shipping else "Free standard shipping",
            ship_by=ship_by,
            created_at=created,
            delivered_at=None,
            lines=order_lines,
        )

    def _ship(self, vendor_order: VendorOrder, status: str, paid_at: datetime) -> None:
        """A parcel with every line, and the tracking events that moved it along."""
        shipped_at = paid_at + timedelta(hours=self.rng.randint(4, 40))
        delivered = status == VendorOrderStatus.DELIVERED
        delivered_at = shipped_at + timedelta(days=self.rng.randint(2, 6)) if delivered else None
        vendor_order.delivered_at = delivered_at
        tracking = "".join(self.rng.choice("0123456789") for _ in range(18))
        shipment = Shipment(
            vendor_order_id=vendor_order.id,
            carrier=self.rng.choice(CARRIERS),
            tracking_number=f"DM{tracking}",
            status=ShipmentStatus.DELIVERED if delivered else ShipmentStatus.IN_TRANSIT,
            shipped_at=shipped_at,
            delivered_at=delivered_at,
            lines=[
                ShipmentLine(order_line_id=line.id, quantity=line.quantity)
                for line in vendor_order.lines
            ],
        )
        moments = [
            (ShipmentStatus.LABEL_CREATED, "Shipping label created", shipped_at),
            (ShipmentStatus.IN_TRANSIT, "Picked up by carrier", shipped_at + timedelta(hours=6)),
        ]
        if delivered_at:
            moments.append((ShipmentStatus.DELIVERED, "Delivered", delivered_at))
        shipment.events = [
            TrackingEvent(
                provider="demo",
                event_id=f"{shipment.tracking_number}-{n}",
                status=event_status,
                description=description,
                occurred_at=when,
                received_at=when,
            )
            for n, (event_status, description, when) in enumerate(moments, start=1)
        ]
        db.session.add(shipment)

    def record_sales(self) -> None:
        """Products' sales counts include the demo orders (ranking blends in sales)."""
        for product_id, units in self.sold.items():
            db.session.execute(
                update(Product)
                .where(Product.id == product_id)
                .values(sales_count=Product.sales_count + units)
            )


def seed_orders(
    buyers: list[tuple[User, dict]],
    vendors: list[Vendor],
    samples: dict[int, list[ProductSample]],
    *,
    seed: int,
    now: datetime,
) -> PlacedOrders:
    """Two to four past orders per buyer, from one to three shops each."""
    rng = random.Random(f"orders-{seed}")
    maker = _OrderMaker(vendors, rng, now)
    shops = sorted(index for index, kept in samples.items() if kept)
    for user, address in buyers:
        for _ in range(rng.randint(2, 4)):
            # A quarter awaiting dispatch, a quarter on the way, the rest delivered.
            age_days = rng.choice(((0.1, 4.0), (4.0, 12.0), (12.0, 60.0), (12.0, 60.0)))
            age_days = rng.uniform(*age_days)
            wanted = rng.sample(shops, min(len(shops), rng.choice((1, 1, 2, 3))))
            parts = {}
            for vendor_index in wanted:
                lines = maker.pick_lines(samples[vendor_index], age_days)
                if lines:
                    parts[vendor_index] = lines
            if parts:
                maker.place(user, address, parts, age_days)
    maker.record_sales()
    return maker.placed
