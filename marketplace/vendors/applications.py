"""An application to sell: the rules for each field, and the shop's unique name and slug."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from marketplace.accounts.exceptions import InvalidEmail
from marketplace.accounts.services import normalise_email
from marketplace.extensions import db
from marketplace.vendors.countries import COUNTRIES
from marketplace.vendors.exceptions import InvalidApplication, ReasonRequired
from marketplace.vendors.models import Vendor

BUSINESS_NAME_MIN, BUSINESS_NAME_MAX = 2, 160
DISPLAY_NAME_MIN, DISPLAY_NAME_MAX = 2, 60
DESCRIPTION_MIN, DESCRIPTION_MAX = 30, 2000
CONTACT_EMAIL_MAX = 254
PHONE_MAX = 40
PHONE_DIGITS_MIN, PHONE_DIGITS_MAX = 7, 15  # E.164 numbers have at most 15 digits
REASON_MAX = 2000
SLUG_BASE_MAX = 70  # leaves room in the 80-character column for a "-123" suffix

# Lower-case letters Unicode does not decompose into ASCII, with their usual ASCII spelling.
TRANSLITERATIONS = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "&": " and "}
)
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ().\-/]+$")


@dataclass(frozen=True)
class Application:
    """An application to sell, cleaned and checked."""

    business_name: str
    display_name: str
    country: str
    contact_email: str
    contact_phone: str | None
    description: str


def _single_line(raw: str | None) -> str:
    return " ".join((raw or "").split())


def _check_length(value: str, low: int, high: int, field: str, what: str) -> str:
    if not low <= len(value) <= high:
        raise InvalidApplication(f"{what} must be {low} to {high} characters long.", field=field)
    return value


def clean_display_name(raw: str | None) -> str:
    """The shop name buyers see: single-spaced, 2 to 60 characters, with a letter or digit."""
    name = _check_length(
        _single_line(raw), DISPLAY_NAME_MIN, DISPLAY_NAME_MAX, "display_name", "The display name"
    )
    if not any(char.isalnum() for char in name):
        raise InvalidApplication(
            "The display name needs at least one letter or digit.", field="display_name"
        )
    return name


def clean_country(raw: str | None) -> str:
    """An ISO 3166-1 alpha-2 code from our list of countries."""
    code = (raw or "").strip().upper()
    if code not in COUNTRIES:
        raise InvalidApplication("Choose the country your business is based in.", field="country")
    return code


def clean_contact_email(raw: str | None) -> str:
    """A syntactically valid address, normalised like account e-mails."""
    try:
        return normalise_email(raw or "")
    except InvalidEmail as exc:
        raise InvalidApplication(
            "Enter a valid contact e-mail address, like orders@example.com.",
            field="contact_email",
        ) from exc


def clean_phone(raw: str | None) -> str | None:
    """An optional phone number: digits with the usual separators, 7 to 15 digits."""
    phone = _single_line(raw)
    if not phone:
        return None
    digits = sum(char.isdigit() for char in phone)
    if (
        len(phone) > PHONE_MAX
        or not PHONE_CHARACTERS.match(phone)
        or not PHONE_DIGITS_MIN <= digits <= PHONE_DIGITS_MAX
    ):
        raise InvalidApplication(
            "Enter a phone number with country code, like +1 555 010 0199, or leave it empty.",
            field="contact_phone",
        )
    return phone


def clean_description(raw: str | None) -> str:
    """What the shop sells, in the seller's words; paragraphs kept, edges trimmed."""
    text = "\n".join(line.rstrip() for line in (raw or "").strip().splitlines())
    return _check_length(
        text, DESCRIPTION_MIN, DESCRIPTION_MAX, "description", "The shop description"
    )


def clean_reason(raw: str | None) -> str:
    """A decision's reason: required, because the seller is told it."""
    reason = (raw or "").strip()
    if not reason:
        raise ReasonRequired()
    if len(reason) > REASON_MAX:
        raise ReasonRequired(f"Keep the reason under {REASON_MAX} characters.")
    return reason


def clean_application(
    *,
    business_name: str | None,
    display_name: str | None,
    country: str | None,
    contact_email: str | None,
    contact_phone: str | None,
    description: str | None,
    accepted_terms: bool,
) -> Application:
    """Check every field of an application; the first problem found is raised."""
    application = Application(
        business_name=_check_length(
            _single_line(business_name),
            BUSINESS_NAME_MIN,
            BUSINESS_NAME_MAX,
            "business_name",
            "The business name",
        ),
        display_name=clean_display_name(display_name),
        country=clean_country(country),
        contact_email=clean_contact_email(contact_email),
        contact_phone=clean_phone(contact_phone),
        description=clean_description(description),
    )
    if accepted_terms is not True:
        raise InvalidApplication(
            "You need to agree to the seller terms to sell on the marketplace.",
            field="accepted_terms",
        )
    return application


def slugify(name: str) -> str:
    """Lower-case ASCII words joined by hyphens ("Kiln & Co." → "kiln-and-co"); never empty."""
    ascii_text = (
        unicodedata.normalize("NFKD", name.lower().translate(TRANSLITERATIONS))
        .encode("ascii", "ignore")
        .decode("ascii")
        .lower()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    slug = slug[:SLUG_BASE_MAX].rstrip("-")
    return slug or "shop"


def unique_slug(name: str, *, exclude_vendor_id: int | None = None) -> str:
    """The slug for `name`, numbered (-2, -3, ...) when another vendor already has it."""
    base = slugify(name)
    stmt = select(Vendor.slug).where(
        or_(Vendor.slug == base, Vendor.slug.startswith(f"{base}-", autoescape=True))
    )
    if exclude_vendor_id is not None:
        stmt = stmt.where(Vendor.id != exclude_vendor_id)
    taken = set(db.session.scalars(stmt))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def display_name_taken(name: str, *, exclude_vendor_id: int | None = None) -> bool:
    """True when another vendor has this display name, ignoring case."""
    stmt = select(Vendor.id).where(func.lower(Vendor.display_name) == name.lower())
    if exclude_vendor_id is not None:
        stmt = stmt.where(Vendor.id != exclude_vendor_id)
    return db.session.scalars(stmt.limit(1)).first() is not None
