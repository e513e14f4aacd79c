"""The rate tables checkout prices with: vendors' shipping rates and the marketplace's tax rates.

Shipping rates belong to one vendor and every read or write here is filtered by that vendor's
id (an id from a URL alone never reaches another shop's rate). Tax rates are the admins'.
Services flush and never commit.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import case, select

from marketplace.extensions import db
from marketplace.orders.exceptions import (
    ShippingRateInvalid,
    ShippingRateNotFound,
    TaxRateInvalid,
    TaxRateNotFound,
)
from marketplace.orders.models import ANY_COUNTRY, ShippingRate, TaxRate
from marketplace.vendors.countries import COUNTRIES

RATE_NAME_MAX = 80
REGION_MAX = 40
PERCENT_PATTERN = re.compile(r"^\d{1,3}(\.\d{1,2})?$")
MAX_RATES_PER_VENDOR = 200


def country_label(code: str) -> str:
    """How a rate's destination reads: a country's name, or "Any other country"."""
    return "Any other country" if code == ANY_COUNTRY else COUNTRIES.get(code, code)


# ---------------------------------------------------------------------------------------------
# Shipping rates (vendor-scoped)


def vendor_rates(vendor_id: int) -> list[ShippingRate]:
    """The vendor's rates, countries A-Z and "any other country" last, cheapest first."""
    stmt = (
        select(ShippingRate)
        .where(ShippingRate.vendor_id == vendor_id)
        .order_by(
            case((ShippingRate.country == ANY_COUNTRY, 1), else_=0),
            ShippingRate.country,
            ShippingRate.rate_minor,
            ShippingRate.name,
        )
    )
    return list(db.session.scalars(stmt))


def get_vendor_rate(vendor_id: int, rate_id: int) -> ShippingRate:
    """One of the vendor's own rates, or ShippingRateNotFound."""
    stmt = select(ShippingRate).where(
        ShippingRate.id == rate_id, ShippingRate.vendor_id == vendor_id
    )
    rate = db.session.scalars(stmt).first()
    if rate is None:
        raise ShippingRateNotFound()
    return rate


def _money(text: str | None, currency: str, field: str, *, required: bool) -> int | None:
    # Imported here: catalog.services and the vendors package import each other while loading.
    from marketplace.catalog.services import PriceInvalid, parse_price

    if not (text or "").strip():
        if required:
            raise ShippingRateInvalid(
                "Enter the shipping price (0 for free shipping).", field=field
            )
        return None
    try:
        return parse_price(text or "", currency)
    except PriceInvalid as error:
        raise ShippingRateInvalid(error.message, field=field) from None


def _clean_rate_fields(
    country: str | None, name: str | None, currency: str | None
) -> tuple[str, str, str]:
    from marketplace.catalog.services import listing_currencies

    code = (country or "").strip().upper()
    if code != ANY_COUNTRY and code not in COUNTRIES:
        raise ShippingRateInvalid("Choose a country, or “Any other country”.", field="country")
    label = " ".join((name or "").split())
    if not label:
        raise ShippingRateInvalid("Name the option, like “Standard shipping”.", field="name")
    if len(label) > RATE_NAME_MAX:
        raise ShippingRateInvalid(f"At most {RATE_NAME_MAX} characters.", field="name")
    money = (currency or "").strip().upper()
    if money not in listing_currencies():
        raise ShippingRateInvalid("Choose one of the marketplace's currencies.", field="currency")
    return code, label, money


def save_shipping_rate(
    vendor_id: int,
    *,
    rate_id: int | None,
    country: str | None,
    name: str | None,
    rate: str | None,
    free_over: str | None,
    currency: str | None,
) -> ShippingRate:
    """Create (rate_id None) or change one of the vendor's rates from what the vendor typed."""
    code, label, money = _clean_rate_fields(country, name, currency)
    rate_minor = _money(rate, money, "rate", required=True)
    free_over_minor = _money(free_over, money, "free_over", required=False)
    row = get_vendor_rate(vendor_id, rate_id) if rate_id is not None else None
    clash = select(ShippingRate.id).where(
        ShippingRate.vendor_id == vendor_id,
        ShippingRate.country == code,
        ShippingRate.name == label,
    )
    if row is not None:
        clash = clash.where(ShippingRate.id != row.id)
    if db.session.scalar(clash) is not None:
        raise ShippingRateInvalid(
            f"You already have “{label}” for {country_label(code)}. Edit that one instead.",
            field="name",
        )
    if row is None:
        if len(vendor_rates(vendor_id)) >= MAX_RATES_PER_VENDOR:
            raise ShippingRateInvalid(f"A shop can have at most {MAX_RATES_PER_VENDOR} rates.")
        row = ShippingRate(vendor_id=vendor_id)
        db.session.add(row)
    row.country, row.name, row.currency = code, label, money
    row.rate_minor, row.free_over_minor = int(rate_minor or 0), free_over_minor
    db.session.flush()
    return row


def delete_shipping_rate(vendor_id: int, rate_id: int) -> ShippingRate:
    rate = get_vendor_rate(vendor_id, rate_id)
    db.session.delete(rate)
    db.session.flush()
    return rate


# ---------------------------------------------------------------------------------------------
# Tax rates (admin)


def tax_rates() -> list[TaxRate]:
    stmt = select(TaxRate).order_by(TaxRate.country, TaxRate.region)
    return list(db.session.scalars(stmt))


def get_tax_rate(rate_id: int) -> TaxRate:
    rate = db.session.get(TaxRate, rate_id)
    if rate is None:
        raise TaxRateNotFound()
    return rate


def parse_percent(text: str | None) -> int:
    """A percentage typed with at most two decimals, as basis points: "8.25" → 825."""
    raw = (text or "").strip().rstrip("%").strip()
    if not PERCENT_PATTERN.match(raw):
        raise TaxRateInvalid("Enter the rate as a percentage, like 8.25.", field="rate")
    try:
        bps = int(Decimal(raw) * 100)
    except InvalidOperation:
        raise TaxRateInvalid("Enter the rate as a percentage, like 8.25.", field="rate") from None
    if bps > 10_000:
        raise TaxRateInvalid("A tax rate can't be more than 100%.", field="rate")
    return bps


def format_percent(bps: int) -> str:
    """Basis points as a percentage people read: 825 → "8.25", 600 → "6"."""
    text = f"{Decimal(bps) / 100:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def save_tax_rate(
    *,
    rate_id: int | None,
    country: str | None,
    region: str | None,
    name: str | None,
    rate: str | None,
) -> TaxRate:
    """Create or change a tax rate; one per country (region "") and per country and region."""
    code = (country or "").strip().upper()
    if code not in COUNTRIES:
        raise TaxRateInvalid("Choose a country.", field="country")
    area = " ".join((region or "").split()).upper()
    if len(area) > REGION_MAX:
        raise TaxRateInvalid(f"At most {REGION_MAX} characters.", field="region")
    label = " ".join((name or "").split())
    if not label or len(label) > RATE_NAME_MAX:
        raise TaxRateInvalid(
            f"Name the tax as buyers see it, like “Sales tax” (at most {RATE_NAME_MAX}).",
            field="name",
        )
    bps = parse_percent(rate)
    row = get_tax_rate(rate_id) if rate_id is not None else None
    clash = select(TaxRate.id).where(TaxRate.country == code, TaxRate.region == area)
    if row is not None:
        clash = clash.where(TaxRate.id != row.id)
    if db.session.scalar(clash) is not None:
        where = f"{COUNTRIES[code]}, {area}" if area else COUNTRIES[code]
        raise TaxRateInvalid(f"{where} already has a rate. Edit that one.", field="region")
    if row is None:
        row = TaxRate()
        db.session.add(row)
    row.country, row.region, row.name, row.rate_bps = code, area, label, bps
    db.session.flush()
    return row


def delete_tax_rate(rate_id: int) -> TaxRate:
    rate = get_tax_rate(rate_id)
    db.session.delete(rate)
    db.session.flush()
    return rate
