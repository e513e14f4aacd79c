"""A small marketplace to pay in: shops with payout accounts, products, tax, and placed orders.

Orders are placed the way a buyer places them (cart → `orders.services.place_order`), so the
payment tests start from the same rows checkout makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import services as order_services
from marketplace.orders.addresses import Address
from marketplace.orders.models import Order, TaxRate
from marketplace.payments import connect
from marketplace.payments.gateway import get_gateway
from marketplace.payments.offline import TEST_ACCOUNT_NUMBER, TEST_ROUTING_NUMBER, PayoutDetails
from marketplace.payouts import ledger
from marketplace.payouts.models import CommissionRule, LedgerTransaction
from tests import factories

ADDRESS = Address(
    name="Ava Morgan",
    line1="12 Alder Street",
    city="Portland",
    region="OR",
    postal_code="97205",
    country="US",
)
COMMISSION_BPS = 1000  # 10% ...
COMMISSION_FIXED = 30  # ... + 30 per vendor order
TAX_BPS = 800  # 8% on deliveries to the US
VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
INSUFFICIENT_FUNDS = "4000 0000 0000 9995"
AUTHENTICATE = "4000 0027 6000 3184"


@dataclass
class Marketplace:
    """The shops, their variants (one per shop) and a buyer."""

    buyer: Any
    vendors: list[Any]
    variants: list[Any]
    extra: dict[str, Any] = field(default_factory=dict)


def onboard_offline(vendor: Any) -> None:
    """Give a shop an enabled offline payout account, as the confirmation page would."""
    gateway = get_gateway()
    vendor.payout_account_id = gateway.create_connected_account(vendor)
    vendor.payout_gateway = gateway.name
    details = PayoutDetails("Shop Owner", TEST_ROUTING_NUMBER, TEST_ACCOUNT_NUMBER)
    connect.handle_gateway_event(gateway.complete_onboarding(vendor.payout_account_id, details))


def build_marketplace(
    prices: tuple[int, ...] = (2500, 1200), *, offline: bool = True
) -> Marketplace:
    """Shops selling one product each (at `prices`), a default commission and US tax."""
    db.session.add(
        CommissionRule(category_id=None, rate_bps=COMMISSION_BPS, fixed_minor=COMMISSION_FIXED)
    )
    db.session.add(TaxRate(country="US", region="", name="Sales tax", rate_bps=TAX_BPS))
    vendors, variants = [], []
    for price in prices:
        vendor = factories.VendorFactory()
        if offline:
            onboard_offline(vendor)
        product = factories.ProductFactory(vendor=vendor)
        variants.append(
            factories.VariantFactory(product=product, price_minor=price, stock_on_hand=20)
        )
        vendors.append(vendor)
    buyer = factories.UserFactory(display_name="Ava Morgan")
    db.session.flush()
    return Marketplace(buyer, vendors, variants)


def place_order(market: Marketplace, quantities: tuple[int, ...] | None = None) -> Order:
    """The buyer orders `quantities` of each shop's variant (one each by default)."""
    cart = carts.get_or_create_cart(market.buyer.id, None)
    for variant, quantity in zip(
        market.variants, quantities or (1,) * len(market.variants), strict=True
    ):
        if quantity:
            carts.add_item(cart, variant.id, quantity)
    db.session.flush()
    order = order_services.place_order(cart, market.buyer, ADDRESS)
    db.session.flush()
    return order


def ledger_entries() -> int:
    return db.session.scalar(select(func.count(LedgerTransaction.id))) or 0


def ledger_is_sound() -> ledger.LedgerReport:
    report = ledger.verify()
    assert report.ok, report.problems
    return report
