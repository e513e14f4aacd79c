"""Carriers a shop can ship with: the tracking number format each uses and its tracking page.

Numbers are checked when the shop enters them (spaces and dashes dropped, letters upper-cased)
so a typo is caught before the buyer gets a link that finds nothing. "Other" takes any
plausible number and has no tracking page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from marketplace.fulfilment.exceptions import InvalidTracking


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    patterns: tuple[str, ...]
    example: str
    tracking_url: str | None  # with {number}

    def matches(self, number: str) -> bool:
        return any(re.fullmatch(pattern, number) for pattern in self.patterns)

    def link(self, number: str) -> str | None:
        if self.tracking_url is None:
            return None
        return self.tracking_url.format(number=quote(number, safe=""))


OTHER = "other"

CARRIERS: dict[str, Carrier] = {
    carrier.code: carrier
    for carrier in (
        Carrier(
            "ups",
            "UPS",
            (r"1Z[0-9A-Z]{16}",),
            "1Z999AA10123456784",
            "https://www.ups.com/track?tracknum={number}",
        ),
        Carrier(
            "usps",
            "USPS",
            (r"9[2-5][0-9]{18,20}", r"[A-Z]{2}[0-9]{9}US"),
            "9400111899223197428490",
            "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
        ),
        Carrier(
            "fedex",
            "FedEx",
            (r"[0-9]{12}", r"[0-9]{15}", r"[0-9]{20}", r"[0-9]{22}"),
            "123456789012",
            "https://www.fedex.com/fedextrack/?trknbr={number}",
        ),
        Carrier(
            "dhl",
            "DHL Express",
            (r"[0-9]{10}", r"JJD[0-9]{10,20}"),
            "1234567890",
            "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
        ),
        Carrier(
            "royal_mail",
            "Royal Mail",
            (r"[A-Z]{2}[0-9]{9}GB",),
            "AB123456789GB",
            "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
        ),
        Carrier(OTHER, "Other carrier", (r"[0-9A-Z]{4,40}",), "", None),
    )
}

CARRIER_CHOICES = [(carrier.code, carrier.name) for carrier in CARRIERS.values()]


def normalise(number: str | None) -> str:
    """The number as carriers print it: no spaces or dashes, letters upper-case."""
    return re.sub(r"[\s\-]", "", number or "").upper()


def carrier(code: str | None) -> Carrier:
    """The carrier with that code; an unknown code is refused."""
    found = CARRIERS.get((code or "").strip().lower())
    if found is None:
        raise InvalidTracking("Choose the carrier the parcel was sent with.", field="carrier")
    return found


def checked_tracking(code: str | None, number: str | None) -> tuple[Carrier, str]:
    """(carrier, normalised number), or InvalidTracking saying what that carrier's look like."""
    chosen = carrier(code)
    clean = normalise(number)
    if not clean:
        raise InvalidTracking("Enter the tracking number.")
    if not chosen.matches(clean):
        if chosen.code == OTHER:
            raise InvalidTracking("A tracking number has 4 to 40 letters and digits.")
        raise InvalidTracking(
            f"That is not a {chosen.name} tracking number "
            f"(they look like {chosen.example}). Check the number or the carrier."
        )
    return chosen, clean


def carrier_name(code: str) -> str:
    """A carrier's name for people (codes stored before this list existed are shown as is)."""
    known = CARRIERS.get(code)
    return known.name if known else code


def tracking_link(code: str, number: str) -> str | None:
    """The carrier's public tracking page for the number, when it has one."""
    known = CARRIERS.get(code)
    return known.link(number) if known else None
