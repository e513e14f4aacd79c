"""Shipping addresses: what checkout asks for, checked the way a carrier would need it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from marketplace.orders.exceptions import InvalidAddress
from marketplace.vendors.countries import COUNTRIES

NAME_MAX = 100
LINE_MAX = 120
CITY_MAX = 80
REGION_MAX = 40
POSTAL_MAX = 16

# Countries whose carriers need a state, province or territory on every parcel.
REGION_REQUIRED = frozenset({"US", "CA", "AU", "BR", "MX", "IN"})
# Countries without postal codes (a parcel goes by city alone).
NO_POSTAL_CODE = frozenset({"AE", "AG", "BS", "BZ", "HK", "IE", "JM", "QA"})
POSTAL_PATTERNS = {
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), "a ZIP code like 97205 or 97205-1234"),
    "CA": (re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"), "a postal code like K1A 0B1"),
    "GB": (re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"), "a postcode like SW1A 1AA"),
    "DE": (re.compile(r"^\d{5}$"), "a five-digit Postleitzahl"),
    "FR": (re.compile(r"^\d{5}$"), "a five-digit code postal"),
    "AU": (re.compile(r"^\d{4}$"), "a four-digit postcode"),
}
GENERIC_POSTAL = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,14}[A-Z0-9]$")


@dataclass(frozen=True)
class Address:
    """A delivery address as an order keeps it (a snapshot: later edits don't move parcels)."""

    name: str
    line1: str
    city: str
    country: str
    line2: str = ""
    region: str = ""
    postal_code: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Address:
        """Build and check an address from form data or a stored dict; raises InvalidAddress."""
        return clean_address(data)

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Address:
        """The address an order kept, as it was (no re-check: the rules may have moved on)."""
        return cls(**{name: str(data.get(name) or "") for name in cls.__dataclass_fields__})

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def country_name(self) -> str:
        return COUNTRIES.get(self.country, self.country)

    def lines(self) -> list[str]:
        """The address as it goes on a label, one line each."""
        place = " ".join(part for part in (self.city, self.region, self.postal_code) if part)
        return [
            part for part in (self.name, self.line1, self.line2, place, self.country_name) if part
        ]


def _text(data: Mapping[str, Any], key: str) -> str:
    return " ".join(str(data.get(key) or "").split())


def _required(value: str, field: str, label: str, max_length: int) -> str:
    if not value:
        raise InvalidAddress(f"Enter the {label}.", field=field)
    if len(value) > max_length:
        raise InvalidAddress(
            f"The {label} is too long (at most {max_length} characters).", field=field
        )
    return value


def _optional(value: str, field: str, label: str, max_length: int) -> str:
    if len(value) > max_length:
        raise InvalidAddress(
            f"The {label} is too long (at most {max_length} characters).", field=field
        )
    return value


def _clean_country(raw: str) -> str:
    country = raw.upper()
    if country not in COUNTRIES:
        raise InvalidAddress("Choose the country from the list.", field="country")
    return country


def _clean_postal_code(raw: str, country: str) -> str:
    code = raw.upper()
    if not code:
        if country in NO_POSTAL_CODE:
            return ""
        raise InvalidAddress("Enter the postal code.", field="postal_code")
    pattern, example = POSTAL_PATTERNS.get(country, (GENERIC_POSTAL, "a valid postal code"))
    if len(code) > POSTAL_MAX or not pattern.match(code):
        raise InvalidAddress(f"Enter {example} for {COUNTRIES[country]}.", field="postal_code")
    return code


def clean_address(data: Mapping[str, Any]) -> Address:
    """Check every field (country first: the postal-code and region rules depend on it)."""
    country = _clean_country(_text(data, "country"))
    region = _optional(_text(data, "region"), "region", "state or region", REGION_MAX)
    if country in REGION_REQUIRED and not region:
        raise InvalidAddress(
            f"Enter the state, province or territory ({COUNTRIES[country]} needs one).",
            field="region",
        )
    return Address(
        name=_required(_text(data, "name"), "name", "recipient's full name", NAME_MAX),
        line1=_required(_text(data, "line1"), "line1", "street address", LINE_MAX),
        line2=_optional(_text(data, "line2"), "line2", "second address line", LINE_MAX),
        city=_required(_text(data, "city"), "city", "town or city", CITY_MAX),
        region=region.upper() if len(region) <= 3 else region,
        postal_code=_clean_postal_code(_text(data, "postal_code"), country),
        country=country,
    )
