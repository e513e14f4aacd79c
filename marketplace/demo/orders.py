"""Past orders for the demo buyers, placed and paid through the real checkout and payments.

Each order goes the way a buyer's does: a cart (`orders.cart`), `orders.services.place_order`
(prices, shipping, tax and commission, stock held), `payments.services.start_payment`, the
offline gateway's test card (its signed `payment_intent.succeeded` event applied by
`connect.handle_gateway_event`: order paid, ledger booked). So the demo's ledger verifies like
a real one. Afterwards the order is moved back to when it happened (its dates and its ledger
entries' dates), and the older ones move through fulfilment the way a shop moves them:
accepted, shipped with a tracking number in its carrier's format (events from the embedded
tracking provider), delivered; one recent delivery has a return request waiting for the shop.
The vendors' shares stay payable until `marketplace.demo.payouts` replays the release cron.

The first shop (the demo's vendor sign-in) also gets a few orders placed on purpose, so its
pages show every case whatever the random draw: money paid out, money released since the last
payout run, money still in its hold, and an order past its ship-by date.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from marketplace.accounts.models import User
from marketplace.demo.generator import ProductSpec
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.fulfilment import returns
from marketplace.fulfilment.models import Shipment, ShipmentLine, ShipmentStatus, TrackingEvent
from marketplace.orders import cart as carts
from marketplace.orders import services as order_services
from marketplace.orders.models import Order, VendorOrder, VendorOrderStatus
from marketplace.payments import connect
from marketplace.payments import services as payment_services
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import Payment
from marketplace.payments.offline import OfflineGateway
from marketplace.payments.offline_payments import CARDS_BY_NUMBER
from marketplace.payouts import release
from marketplace.payouts.commission import round_half_even
from marketplace.payouts.models import LedgerTransaction, Transfer
from marketplace.vendors.models import Vendor

log = logging.getLogger(__name__)

# The marketplace default commission the demo installs: 10% of the items + 30 cents per
# vendor order (see `marketplace.payouts.commission` for the rounding).
COMMISSION_RATE_BPS = 1000
COMMISSION_FIXED_MINOR = 30
# Carrier codes (marketplace.fulfilment.carriers) and how to make a number in their format.
CARRIERS = ("ups", "usps", "fedex", "dhl")
TEST_CARD = CARDS_BY_NUMBER["4242424242424242"]


def commission_minor(subtotal_minor: int) -> int:
    """The demo default's commission on a vendor order's items (10% half-even, + 30)."""
    return round_half_even(subtotal_minor * COMMISSION_RATE_BPS, 10_000) + COMMISSION_FIXED_MINOR


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


@dataclass(frozen=True)
class PlannedOrder:
    """One past order to place: who buys what from which shops, and how long ago.

    `delivered_days_ago` pins the delivery date (for an order whose money must be at a known
    point of its hold); the shop `late_vendor_id` accepted its part but has not shipped it,
    past its ship-by date (the other shops' parts go the usual way).
    """

    age_days: float
    buyer: User
    address: dict
    parts: dict[int, list]
    delivered_days_ago: float | None = None
    late_vendor_id: int | None = None


def _status_for_age(age_days: float) -> str:
    if age_days > 12:
        return VendorOrderStatus.DELIVERED
    if age_days > 4:
        return VendorOrderStatus.SHIPPED
    if age_days > 1:
        return VendorOrderStatus.ACCEPTED
    return VendorOrderStatus.PAID


def tracking_number(rng: random.Random, carrier: str) -> str:
    """A number in the carrier's format (checked by marketplace.fulfilment.carriers)."""
    if carrier == "ups":
        return "1Z" + _random_text(rng, "0123456789ABCDEFGHJKLMNPRSTVWXYZ", 16)
    if carrier == "usps":
        return "94" + _random_text(rng, "0123456789", 20)
    if carrier == "fedex":
        return _random_text(rng, "0123456789", 12)
    return _random_text(rng, "0123456789", 10)  # DHL Express


def _random_text(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


class _OrderMaker:
    """Places and pays one order at a time through the services."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.placed = PlacedOrders()

    def pick_lines(self, samples: list[ProductSample], age_days: float):
        """1-3 (sample, variant, quantity) from products listed before the order was placed."""
        older = [s for s in samples if s.variants and s.age_days > age_days + 1]
        chosen = self.rng.sample(older, min(len(older), self.rng.choice((1, 1, 2, 3))))
        return [(s, self.rng.choice(s.variants), self.rng.choice((1, 1, 1, 2, 3))) for s in chosen]

    def place(self, plan: PlannedOrder) -> None:
        """Buy, pay and (for older orders) ship; an order the shop can no longer fill is
        skipped, leaving nothing behind."""
        try:
            with db.session.begin_nested():
                order = self._buy_and_pay(plan.buyer, plan.address, plan.parts)
        except DomainError as refused:
            log.info("Demo order for %s skipped: %s", plan.buyer.email, refused.message)
            return
        created = self.now - timedelta(days=plan.age_days)
        self._backdate(order, created, created + timedelta(minutes=2))
        usual = _status_for_age(plan.age_days)
        delivered_at = None
        if plan.delivered_days_ago is not None:
            usual = VendorOrderStatus.DELIVERED
            delivered_at = self.now - timedelta(days=plan.delivered_days_ago)
        for vendor_order in order.vendor_orders:
            late = vendor_order.vendor_id == plan.late_vendor_id
            status = VendorOrderStatus.ACCEPTED if late else usual
            if status == VendorOrderStatus.ACCEPTED:
                vendor_order.status = status
                vendor_order.accepted_at = order.paid_at + timedelta(hours=self.rng.randint(1, 6))
            elif status != VendorOrderStatus.PAID:
                self._ship(vendor_order, status, order.paid_at, delivered_at)
        self.placed.orders += 1
        self.placed.vendor_orders += len(order.vendor_orders)

    def _buy_and_pay(self, buyer: User, address: dict, parts: dict[int, list]) -> Order:
        cart = carts.get_or_create_cart(buyer.id, None)
        for lines in parts.values():
            for _sample, (variant_id, *_rest), quantity in lines:
                carts.add_item(cart, variant_id, quantity)
        order = order_services.place_order(cart, buyer, address)
        started = payment_services.start_payment(order.id)
        payment = db.session.get(Payment, started.payment_id)
        assert payment is not None and payment.gateway_reference is not None
        gateway = get_gateway()
        assert isinstance(gateway, OfflineGateway)
        connect.handle_gateway_event(gateway.pay_with_card(payment.gateway_reference, TEST_CARD))
        return order

    def _backdate(self, order: Order, created: datetime, paid_at: datetime) -> None:
        """Put the order, its payment, transfers and ledger entries when they happened."""
        order.number = f"MP-{created:%Y%m%d}-{order.number.rsplit('-', 1)[-1]}"
        order.created_at, order.paid_at = created, paid_at
        order.reservation_expires_at = created + timedelta(minutes=30)
        for vendor_order in order.vendor_orders:
            vendor_order.created_at = created
            vendor_order.ship_by = order_services.ship_by_date(
                paid_at, vendor_order.vendor.handling_days
            )
        payment = payment_services.order_payment(order.id)
        if payment is not None:
            payment.created_at, payment.updated_at, payment.succeeded_at = created, paid_at, paid_at
        vendor_order_ids = [vo.id for vo in order.vendor_orders]
        db.session.execute(
            update(Transfer)
            .where(Transfer.vendor_order_id.in_(vendor_order_ids))
            .values(created_at=paid_at)
        )
        db.session.execute(
            update(LedgerTransaction)
            .where(LedgerTransaction.order_id == order.id)
            .values(created_at=paid_at)
        )
        db.session.flush()

    def _ship(
        self,
        vendor_order: VendorOrder,
        status: str,
        paid_at: datetime,
        delivered_at: datetime | None = None,
    ) -> None:
        """A parcel with every line, and the tracking events that moved it along (delivered
        at `delivered_at` when given, a few days after shipping otherwise)."""
        accepted_at = paid_at + timedelta(hours=self.rng.randint(1, 4))
        shipped_at = accepted_at + timedelta(hours=self.rng.randint(3, 36))
        delivered = status == VendorOrderStatus.DELIVERED
        if delivered and delivered_at is None:
            delivered_at = shipped_at + timedelta(days=self.rng.randint(2, 6))
        vendor_order.status = status
        vendor_order.accepted_at, vendor_order.shipped_at = accepted_at, shipped_at
        vendor_order.delivered_at = delivered_at
        for line in vendor_order.lines:
            line.quantity_shipped = line.quantity
        carrier = self.rng.choice(CARRIERS)
        shipment = Shipment(
            vendor_order_id=vendor_order.id,
            carrier=carrier,
            tracking_number=tracking_number(self.rng, carrier),
            provider="embedded",
            status=ShipmentStatus.DELIVERED if delivered else ShipmentStatus.IN_TRANSIT,
            shipped_at=shipped_at,
            delivered_at=delivered_at,
            last_event_at=delivered_at or shipped_at + timedelta(hours=6),
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
                provider="embedded",
                event_id=f"{shipment.tracking_number}-{n}",
                status=event_status,
                description=description,
                occurred_at=when,
                received_at=when,
            )
            for n, (event_status, description, when) in enumerate(moments, start=1)
        ]
        db.session.add(shipment)


def seed_orders(
    buyers: list[tuple[User, dict]],
    vendors: list[Vendor],
    samples: dict[int, list[ProductSample]],
    *,
    seed: int,
    now: datetime,
) -> PlacedOrders:
    """Two to four past orders per buyer, from one to three shops each, oldest first, and
    the first shop's showcase orders (see the module docstring).

    Needs the offline gateway (the demo's shops have offline payout accounts); with another
    gateway configured the demo has no past orders. Shops without a payout account sell in
    none of them (their share could not be released).
    """
    if not isinstance(get_gateway(), OfflineGateway):
        log.warning("Demo orders need the offline gateway; none were placed.")
        return PlacedOrders()
    rng = random.Random(f"orders-{seed}")
    maker = _OrderMaker(rng, now)
    shops = sorted(
        index for index, kept in samples.items() if kept and vendors[index].payout_account_id
    )
    planned = []
    for user, address in buyers:
        for _ in range(rng.randint(2, 4)):
            # A quarter awaiting dispatch, a quarter on the way, the rest delivered: some
            # still in their hold, some long enough ago to have been paid out.
            age_days = rng.choice(((0.1, 4.0), (4.0, 12.0), (12.0, 40.0), (30.0, 90.0)))
            age_days = rng.uniform(*age_days)
            wanted = rng.sample(shops, min(len(shops), rng.choice((1, 1, 2, 3))))
            parts = {}
            for vendor_index in wanted:
                lines = maker.pick_lines(samples[vendor_index], age_days)
                if lines:
                    parts[vendor_index] = lines
            if parts:
                planned.append(PlannedOrder(age_days, user, address, parts))
    if shops and shops[0] == 0:
        planned.extend(_showcase_orders(maker, buyers, samples, vendors[0].id))
    for plan in sorted(planned, key=lambda p: -p.age_days):
        maker.place(plan)
    _ask_for_a_return(now)
    return maker.placed


def _showcase_orders(
    maker: _OrderMaker,
    buyers: list[tuple[User, dict]],
    samples: dict[int, list[ProductSample]],
    first_shop_id: int,
) -> list[PlannedOrder]:
    """Orders from the first shop whose money is at known points: paid out weeks ago,
    released a few hours ago (available, the next payout run pays it), still in its hold; a
    new one waiting to be accepted; and one the first shop accepted but never shipped, past
    its ship-by date, bought by the demo buyer together with another shop's parcel that is on
    its way (a partly shipped order)."""
    hold = release.hold_days()
    plans = []
    for number, (age_days, delivered_days_ago) in enumerate(
        [
            (hold + 26.0, hold + 21.0),  # released three weeks ago: paid out since
            (hold + 5.0, hold + 0.3),  # released this morning: available
            (12.0, 8.0),  # delivered last week: in its hold
            (0.2, None),  # paid this morning: waiting for the shop to accept it
        ]
    ):
        lines = maker.pick_lines(samples[0], age_days)
        if lines:
            buyer, address = buyers[(number * 3 + 1) % len(buyers)]
            plans.append(PlannedOrder(age_days, buyer, address, {0: lines}, delivered_days_ago))
    late_age = 6.0
    parts = {index: maker.pick_lines(samples.get(index, []), late_age)[:1] for index in (0, 1)}
    if all(parts.values()):
        buyer, address = buyers[0]
        plans.append(PlannedOrder(late_age, buyer, address, parts, late_vendor_id=first_shop_id))
    return plans


def _ask_for_a_return(now: datetime) -> None:
    """The most recent delivery gets a return request (one unit, waiting for the shop)."""
    delivered = db.session.scalars(
        select(VendorOrder)
        .where(VendorOrder.status == VendorOrderStatus.DELIVERED)
        .order_by(VendorOrder.delivered_at.desc(), VendorOrder.id)
        .limit(1)
    ).first()
    if delivered is None:
        return
    try:
        with db.session.begin_nested():
            returns.request_return(
                delivered.order.buyer_id,
                delivered.order.number,
                delivered.id,
                {delivered.lines[0].id: 1},
                "It arrived with a scratch on the front.",
                now=now,
            )
    except DomainError as refused:  # e.g. delivered longer ago than the return window
        log.info("Demo return request skipped: %s", refused.message)
