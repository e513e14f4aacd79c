"""Orders paid through the offline gateway, delivered, refunded, released and paid out, the way
checkout, fulfilment and the refund pages do it, for the payout tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders.models import Order, VendorOrder
from marketplace.payments import connect, services
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import Payment
from marketplace.payments.offline_payments import CARDS_BY_NUMBER
from marketplace.payments.refunding import RefundRequest, refund
from marketplace.payouts.models import Payout
from tests import factories
from tests.unit.payments import payments_support as market_support
from tests.unit.payments.payments_support import Marketplace

VISA = CARDS_BY_NUMBER["4242424242424242"]
# Release waits for the longer of the hold (7 days) and the return window (30 days).
AFTER_RELEASE = timedelta(days=31)


def paid_order(market: Marketplace, quantities: tuple[int, ...] | None = None) -> Order:
    """An order placed by the market's buyer and paid with a test card (events applied)."""
    order = market_support.place_order(market, quantities)
    services.start_payment(order.id)
    payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    connect.handle_gateway_event(get_gateway().pay_with_card(payment.gateway_reference, VISA))
    db.session.commit()
    return order


def deliver(order: Order, at: datetime | None = None) -> None:
    """Every vendor order of `order` delivered at `at` (what fulfilment records)."""
    for vendor_order in order.vendor_orders:
        vendor_order.status = "delivered"
        vendor_order.delivered_at = at or utcnow()
    db.session.commit()


def vendor_order_of(order: Order, vendor) -> VendorOrder:
    return next(vo for vo in order.vendor_orders if vo.vendor_id == vendor.id)


def refund_all(vendor_order: VendorOrder, reason: str = "Arrived damaged") -> None:
    """An admin refunds everything left of one vendor order."""
    admin = factories.UserFactory(is_admin=True)
    refund(RefundRequest(vendor_order.id, reason), actor_id=admin.id)
    db.session.commit()


def payouts() -> list[Payout]:
    db.session.expire_all()
    return list(db.session.scalars(select(Payout).order_by(Payout.id)))
