"""Pricing a checkout: per vendor order its items, shipping, tax, commission and vendor net.

The rules, in minor units of the order's one currency (never floats):

- Shipping: each vendor order pays one shipping option chosen by the buyer from the vendor's
  rates for the destination country (or, without any, the vendor's "any other country" rates).
  An option costs its flat rate, or nothing once the vendor order's items reach its
  free-shipping threshold. A vendor that has set up no rates at all ships everywhere at the
  marketplace's standard rate (`SHIPPING_DEFAULT_RATE_MINOR`, free from
  `SHIPPING_DEFAULT_FREE_OVER_MINOR`).
- Tax: the destination's rate from the tax table (the region's own rate when it has one, else
  the country's, else none), charged on every order line and on the shipping charge. Each
  line's tax and the shipping tax are rounded half up to the minor unit on their own; a vendor
  order's tax is their sum, and the order's tax the sum over vendor orders. Rounding per line
  keeps every refunded line's tax exact.
- Commission: `marketplace.payouts.commission.commission_for` on the vendor order's items
  (its own stated rule, rounded half to even); it is not charged on shipping or tax.
- Vendor net = items + shipping - commission. Tax is collected for remittance, not the vendor's.

So, exactly: grand total = items + shipping + tax = Σ vendor nets + Σ commissions + Σ taxes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.addresses import Address
from marketplace.orders.exceptions import InvalidShippingChoice, ShippingUnavailable
from marketplace.orders.models import ANY_COUNTRY, ShippingRate, TaxRate

DEFAULT_SHIPPING_KEY = "standard"
DEFAULT_SHIPPING_NAME = "Standard shipping"
DEFAULT_SHIPPING_RATE_MINOR = 599
DEFAULT_SHIPPING_FREE_OVER_MINOR = 7500
BPS = 10_000


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for non-negative integers, exactly."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("round_half_up takes a non-negative numerator and positive denominator")
    return (2 * numerator + denominator) // (2 * denominator)


def tax_on(amount_minor: int, rate_bps: int) -> int:
    """Tax on one amount: amount * rate / 10000, rounded half up to the minor unit."""
    return round_half_up(amount_minor * rate_bps, BPS)


@dataclass(frozen=True)
class LineInput:
    """One cart line as pricing needs it: who sells it, what it is, at what price, how many."""

    vendor_id: int
    vendor_name: str
    variant_id: int
    product_id: int
    category_id: int
    title: str
    variant_name: str
    sku: str
    unit_price_minor: int
    quantity: int

    @property
    def line_total_minor(self) -> int:
        return self.unit_price_minor * self.quantity

    @property
    def label(self) -> str:
        """How the buyer knows the line: the title, and the option when there is a choice."""
        if self.variant_name and self.variant_name != "Default":
            return f"{self.title} ({self.variant_name})"
        return self.title


@dataclass(frozen=True)
class ShippingOption:
    """A way a vendor can ship this vendor order, with its price for it."""

    key: str
    name: str
    amount_minor: int
    rate_minor: int
    free_over_minor: int | None

    @property
    def is_free(self) -> bool:
        return self.amount_minor == 0


@dataclass(frozen=True)
class LineQuote:
    line: LineInput
    tax_minor: int

    @property
    def line_total_minor(self) -> int:
        return self.line.line_total_minor


@dataclass(frozen=True)
class VendorQuote:
    """One vendor order priced: its lines, the chosen shipping, tax, commission, vendor net."""

    vendor_id: int
    vendor_name: str
    lines: tuple[LineQuote, ...]
    options: tuple[ShippingOption, ...]
    shipping: ShippingOption
    shipping_tax_minor: int
    commission_minor: int

    @property
    def subtotal_minor(self) -> int:
        return sum(line.line_total_minor for line in self.lines)

    @property
    def shipping_minor(self) -> int:
        return self.shipping.amount_minor

    @property
    def tax_minor(self) -> int:
        return sum(line.tax_minor for line in self.lines) + self.shipping_tax_minor

    @property
    def vendor_net_minor(self) -> int:
        return self.subtotal_minor + self.shipping_minor - self.commission_minor

    @property
    def total_minor(self) -> int:
        """What the buyer pays for this vendor's part."""
        return self.subtotal_minor + self.shipping_minor + self.tax_minor


@dataclass(frozen=True)
class Quote:
    """A whole checkout priced for one address; totals are sums of the vendor quotes."""

    currency: str
    address: Address
    tax_rate_bps: int
    tax_name: str
    vendors: tuple[VendorQuote, ...] = field(default_factory=tuple)

    @property
    def items_total_minor(self) -> int:
        return sum(v.subtotal_minor for v in self.vendors)

    @property
    def shipping_total_minor(self) -> int:
        return sum(v.shipping_minor for v in self.vendors)

    @property
    def tax_total_minor(self) -> int:
        return sum(v.tax_minor for v in self.vendors)

    @property
    def commission_total_minor(self) -> int:
        return sum(v.commission_minor for v in self.vendors)

    @property
    def grand_total_minor(self) -> int:
        return self.items_total_minor + self.shipping_total_minor + self.tax_total_minor

    @property
    def shipping_choices(self) -> dict[int, str]:
        return {v.vendor_id: v.shipping.key for v in self.vendors}

    def reconciles(self) -> bool:
        """Grand total == Σ vendor nets + Σ commissions + Σ taxes (it must, always)."""
        parts = sum(v.vendor_net_minor + v.commission_minor + v.tax_minor for v in self.vendors)
        return self.grand_total_minor == parts


# ---------------------------------------------------------------------------------------------
# Shipping


def _default_option(subtotal_minor: int) -> ShippingOption:
    config = current_app.config
    rate = int(config.get("SHIPPING_DEFAULT_RATE_MINOR", DEFAULT_SHIPPING_RATE_MINOR))
    free_over = config.get("SHIPPING_DEFAULT_FREE_OVER_MINOR", DEFAULT_SHIPPING_FREE_OVER_MINOR)
    free_over = None if free_over is None else int(free_over)
    return _option(DEFAULT_SHIPPING_KEY, DEFAULT_SHIPPING_NAME, rate, free_over, subtotal_minor)


def _option(
    key: str, name: str, rate_minor: int, free_over_minor: int | None, subtotal_minor: int
) -> ShippingOption:
    free = free_over_minor is not None and subtotal_minor >= free_over_minor
    return ShippingOption(key, name, 0 if free else rate_minor, rate_minor, free_over_minor)


def rates_by_vendor(vendor_ids: Sequence[int]) -> dict[int, list[ShippingRate]]:
    """Every shipping rate of these vendors (one query)."""
    found: dict[int, list[ShippingRate]] = {vendor_id: [] for vendor_id in vendor_ids}
    if vendor_ids:
        stmt = (
            select(ShippingRate)
            .where(ShippingRate.vendor_id.in_(vendor_ids))
            .order_by(ShippingRate.rate_minor, ShippingRate.name, ShippingRate.id)
        )
        for rate in db.session.scalars(stmt):
            found[rate.vendor_id].append(rate)
    return found


def shipping_options(
    rates: Sequence[ShippingRate],
    country: str,
    currency: str,
    subtotal_minor: int,
    vendor_name: str,
) -> tuple[ShippingOption, ...]:
    """The vendor's options to `country`, cheapest first; raises ShippingUnavailable if none."""
    if not rates:
        return (_default_option(subtotal_minor),)
    priced = [rate for rate in rates if rate.currency == currency]
    chosen = [rate for rate in priced if rate.country == country] or [
        rate for rate in priced if rate.country == ANY_COUNTRY
    ]
    if not chosen:
        raise ShippingUnavailable(
            f"{vendor_name} doesn't ship to {_country_name(country)}. Remove its items or "
            "ship to another address."
        )
    options = [
        _option(f"rate:{r.id}", r.name, r.rate_minor, r.free_over_minor, subtotal_minor)
        for r in chosen
    ]
    return tuple(sorted(options, key=lambda o: (o.amount_minor, o.name)))


def _country_name(code: str) -> str:
    from marketplace.vendors.countries import COUNTRIES

    return COUNTRIES.get(code, code)


def _choose(options: Sequence[ShippingOption], key: str | None) -> ShippingOption:
    """The option the buyer picked, or the cheapest when none was picked."""
    if not key:
        return options[0]
    for option in options:
        if option.key == key:
            return option
    raise InvalidShippingChoice()


# ---------------------------------------------------------------------------------------------
# Tax


def tax_rate_for(country: str, region: str) -> TaxRate | None:
    """The rate for a destination: its region's own when the table has one, else the country's."""
    wanted = (region or "").strip().upper()
    stmt = select(TaxRate).where(TaxRate.country == country, TaxRate.region.in_((wanted, "")))
    rates = list(db.session.scalars(stmt))
    regional = next((r for r in rates if r.region and r.region == wanted), None)
    return regional or next((r for r in rates if not r.region), None)


# ---------------------------------------------------------------------------------------------
# Quote


def commission_for(vendor_id: int, lines: Sequence[tuple[int, int]], currency: str) -> int:
    """The marketplace's commission on one vendor order (the payouts package owns the rule)."""
    from marketplace.payouts.commission import commission_for as payouts_commission_for

    return int(payouts_commission_for(vendor_id, lines, currency))


def group_by_vendor(lines: Sequence[LineInput]) -> dict[int, list[LineInput]]:
    """Lines per vendor, vendors in the order their first line appears."""
    groups: dict[int, list[LineInput]] = {}
    for line in lines:
        groups.setdefault(line.vendor_id, []).append(line)
    return groups


def quote(
    lines: Sequence[LineInput],
    currency: str,
    address: Address,
    shipping_choices: Mapping[int, str | None] | None = None,
) -> Quote:
    """Price the lines for delivery to `address`; raises ShippingUnavailable or
    InvalidShippingChoice. Missing choices take the vendor's cheapest option."""
    choices = shipping_choices or {}
    tax_rate = tax_rate_for(address.country, address.region)
    rate_bps = tax_rate.rate_bps if tax_rate else 0
    groups = group_by_vendor(lines)
    all_rates = rates_by_vendor(list(groups))
    vendors = []
    for vendor_id, vendor_lines in groups.items():
        subtotal = sum(line.line_total_minor for line in vendor_lines)
        name = vendor_lines[0].vendor_name
        options = shipping_options(all_rates[vendor_id], address.country, currency, subtotal, name)
        shipping = _choose(options, choices.get(vendor_id))
        commission = commission_for(
            vendor_id,
            [(line.category_id, line.line_total_minor) for line in vendor_lines],
            currency,
        )
        vendors.append(
            VendorQuote(
                vendor_id=vendor_id,
                vendor_name=name,
                lines=tuple(
                    LineQuote(line, tax_on(line.line_total_minor, rate_bps))
                    for line in vendor_lines
                ),
                options=options,
                shipping=shipping,
                shipping_tax_minor=tax_on(shipping.amount_minor, rate_bps),
                commission_minor=commission,
            )
        )
    return Quote(
        currency=currency,
        address=address,
        tax_rate_bps=rate_bps,
        tax_name=tax_rate.name if tax_rate else "No tax",
        vendors=tuple(vendors),
    )
