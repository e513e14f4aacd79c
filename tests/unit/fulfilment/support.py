"""Paid orders to fulfil: placed and paid the way a buyer does (cart, checkout, test card)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.fulfilment import services
from marketplace.fulfilment.models import Shipment
from marketplace.notifications.models import OutboundEmail
from marketplace.orders.models import Order, VendorOrder
from marketplace.payments import connect
from marketplace.payments import services as payment_services
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import Payment
from marketplace.payments.offline_payments import CARDS_BY_NUMBER
from tests.unit.payments import payments_support

VISA = CARDS_BY_NUMBER["4242424242424242"]
# Valid numbers per carrier, for parcels in tests.
UPS_NUMBERS = iter(f"1Z999AA1{n:010d}" for n in range(1, 10_000))


def paid_order(market: payments_support.Marketplace, quantities=(3, 1)) -> Order:
    """The market's buyer orders `quantities` of each shop's variant and pays by card."""
    order = payments_support.place_order(market, quantities)
    payment_services.start_payment(order.id)
    payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    connect.handle_gateway_event(get_gateway().pay_with_card(payment.gateway_reference, VISA))
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Order, order.id)


def part_of(order: Order, index: int = 0) -> VendorOrder:
    db.session.expire_all()
    return db.session.get(Order, order.id).vendor_orders[index]


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def accept(vendor_order: VendorOrder) -> None:
    services.accept(vendor_order.vendor_id, vendor_order.id)
    db.session.commit()


def ship(
    vendor_order: VendorOrder, quantities: Mapping[int, int] | None = None, number: str = ""
) -> Shipment:
    """A UPS parcel with `quantities` (default: everything left) of the vendor order."""
    wanted = quantities or {line.id: line.quantity_to_ship for line in vendor_order.lines}
    shipment = services.ship(
        vendor_order.vendor_id,
        vendor_order.id,
        services.ShipRequest(wanted, "ups", number or next(UPS_NUMBERS)),
    )
    db.session.commit()
    return shipment


def emails(kind: str) -> list[OutboundEmail]:
    return list(
        db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.kind == kind).order_by(OutboundEmail.id)
        )
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0
