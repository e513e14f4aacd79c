"""The automatic checks a review passes before it is published.

Each check looks at one risk and returns its outcome with a reason a moderator (and the
author) can read; every outcome is stored with the review. A review that fails any check waits
in the moderation queue instead of going live. The checks never change anything themselves.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import distinct, func, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, VendorOrder
from marketplace.reviews.models import Review, ReviewStatus
from marketplace.vendors.models import Vendor

CHECK_LABELS = {
    "abuse": "Profanity and abuse",
    "links": "Links",
    "contact_details": "E-mail addresses and phone numbers",
    "too_short": "Length",
    "duplicate_text": "Same text from other accounts",
    "new_account_burst": "Burst of reviews from new accounts",
    "tied_to_vendor": "Reviewer tied to the shop",
}

# Reasons the author is shown; the others (fraud signals) would teach a fraudster what to avoid.
AUTHOR_VISIBLE = frozenset({"abuse", "links", "contact_details", "too_short"})

# Abusive words; an entry ending in "*" also matches longer words starting with it.
ABUSIVE_WORDS = (
    "arsehole*",
    "asshole*",
    "bastard*",
    "bitch*",
    "bullshit*",
    "cunt*",
    "dickhead*",
    "dumbass*",
    "fuck*",
    "idiot*",
    "jackass*",
    "moron*",
    "motherfuck*",
    "retard*",
    "scumbag*",
    "shit*",
    "slut*",
    "twat*",
    "wanker*",
    "whore*",
)
ABUSIVE_PHRASES = ("kill yourself", "go die", "piss off")
# Digits and symbols people put in place of letters to slip words past a filter.
LOOKALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s"})

EMAIL = re.compile(
    r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\w-]+)*"
    r"\s*(?:\.|\(dot\)|\[dot\])\s*[a-z]{2,}\b",
    re.IGNORECASE,
)
LINK = re.compile(
    r"\bhttps?://\S+|\bwww\.\S+"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|shop|store|io|co|me|us|uk"
    r"|de|fr|ca|au|ly|gl|link|site|online|xyz)\b(?:/\S*)?",
    re.IGNORECASE,
)
PHONE_CANDIDATE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
PHONE_DIGITS = (7, 15)
DATE_LIKE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")  # "12.03.2024" is a date, not a phone


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    passed: bool
    reason: str

    @property
    def label(self) -> str:
        return CHECK_LABELS.get(self.name, self.name)


@dataclass(frozen=True)
class ReviewDraft:
    """What the checks look at: the text being published and who publishes it where."""

    author_id: int
    vendor_id: int
    order_line_id: int
    title: str
    body: str
    now: datetime
    review_id: int | None = None  # the review being edited, left out of comparisons

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.body}"


def normalise_text(text: str) -> str:
    """Lower case, accents and punctuation removed, single spaces: what "the same text" means."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", plain.lower()).split())


def text_hash(body: str) -> str:
    """Fingerprint of a review's text, equal for texts that differ only in case or punctuation."""
    return hashlib.sha256(normalise_text(body).encode()).hexdigest()


def _quote(fragment: str, limit: int = 60) -> str:
    fragment = " ".join(fragment.split())
    return f"“{fragment[:limit]}{'…' if len(fragment) > limit else ''}”"


# --- text checks -------------------------------------------------------------------------------


def _blocked_words() -> tuple[str, ...]:
    extra = tuple(current_app.config.get("REVIEW_BLOCKED_WORDS") or ())
    return ABUSIVE_WORDS + tuple(word.lower() for word in extra)


def _abusive_matches(text: str) -> list[str]:
    words = normalise_text(text.translate(LOOKALIKES)).split()
    folded = " ".join(words)
    found: list[str] = []
    for entry in _blocked_words():
        stem, prefix = (entry[:-1], True) if entry.endswith("*") else (entry, False)
        if " " in stem:
            if f" {stem} " in f" {folded} ":
                found.append(stem)
            continue
        for word in words:
            if word == stem or (prefix and word.startswith(stem)):
                found.append(word)
                break
    found.extend(phrase for phrase in ABUSIVE_PHRASES if f" {phrase} " in f" {folded} ")
    return found


def check_abuse(draft: ReviewDraft) -> CheckOutcome:
    found = _abusive_matches(draft.text)
    if found:
        listed = ", ".join(_quote(word, 30) for word in dict.fromkeys(found))
        return CheckOutcome("abuse", False, f"Uses words from the abuse list: {listed}.")
    return CheckOutcome("abuse", True, "No words from the abuse list.")


def check_links(draft: ReviewDraft) -> CheckOutcome:
    without_emails = EMAIL.sub(" ", draft.text)
    match = LINK.search(without_emails)
    if match:
        return CheckOutcome(
            "links",
            False,
            f"Contains a link ({_quote(match.group())}); links can lead buyers off the "
            "marketplace.",
        )
    return CheckOutcome("links", True, "No links.")


def find_phone_number(text: str) -> str | None:
    """A run of 7 to 15 digits written like a phone number, if the text has one."""
    for match in PHONE_CANDIDATE.finditer(text):
        candidate = match.group().strip()
        digits = sum(char.isdigit() for char in candidate)
        if DATE_LIKE.fullmatch(candidate):
            continue
        if PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
            return match.group()
    return None


def check_contact_details(draft: ReviewDraft) -> CheckOutcome:
    email = EMAIL.search(draft.text)
    if email:
        return CheckOutcome(
            "contact_details",
            False,
            f"Contains an e-mail address ({_quote(email.group())}); contact details take the "
            "sale off the marketplace.",
        )
    phone = find_phone_number(draft.text)
    if phone:
        return CheckOutcome(
            "contact_details",
            False,
            f"Contains a phone number ({_quote(phone)}); contact details take the sale off the "
            "marketplace.",
        )
    return CheckOutcome("contact_details", True, "No e-mail addresses or phone numbers.")


def check_length(draft: ReviewDraft) -> CheckOutcome:
    minimum = int(current_app.config.get("REVIEW_MIN_LENGTH", 20))
    length = len(" ".join(draft.body.split()))
    if length < minimum:
        return CheckOutcome(
            "too_short",
            False,
            f"The text has {length} characters; at least {minimum} are needed to help other "
            "buyers.",
        )
    return CheckOutcome("too_short", True, f"{length} characters (at least {minimum}).")


# --- checks that look at other reviews and accounts --------------------------------------------


def check_duplicate_text(draft: ReviewDraft) -> CheckOutcome:
    stmt = select(Review.id, Review.author_id).where(
        Review.text_hash == text_hash(draft.body),
        Review.author_id != draft.author_id,
        Review.status != ReviewStatus.REMOVED,
    )
    if draft.review_id is not None:
        stmt = stmt.where(Review.id != draft.review_id)
    rows = db.session.execute(stmt.limit(20)).all()
    if rows:
        accounts = len({row.author_id for row in rows})
        ids = ", ".join(f"#{row.id}" for row in rows[:5])
        return CheckOutcome(
            "duplicate_text",
            False,
            f"The same text was posted from {accounts} other account"
            f"{'s' if accounts != 1 else ''} (review {ids}).",
        )
    return CheckOutcome("duplicate_text", True, "No other account posted the same text.")


def check_new_account_burst(draft: ReviewDraft) -> CheckOutcome:
    config = current_app.config
    new_days = int(config.get("REVIEW_NEW_ACCOUNT_DAYS", 14))
    window_hours = int(config.get("REVIEW_BURST_WINDOW_HOURS", 24))
    threshold = int(config.get("REVIEW_BURST_THRESHOLD", 5))
    author_since = db.session.scalar(select(User.created_at).where(User.id == draft.author_id))
    new_since = draft.now - timedelta(days=new_days)
    if author_since is None or author_since < new_since:
        return CheckOutcome(
            "new_account_burst", True, f"The reviewer's account is older than {new_days} days."
        )
    stmt = (
        select(func.count(distinct(Review.author_id)))
        .join(User, User.id == Review.author_id)
        .where(
            Review.vendor_id == draft.vendor_id,
            Review.created_at >= draft.now - timedelta(hours=window_hours),
            Review.author_id != draft.author_id,
            User.created_at >= new_since,
        )
    )
    if draft.review_id is not None:
        stmt = stmt.where(Review.id != draft.review_id)
    others = int(db.session.scalar(stmt) or 0)
    accounts = others + 1
    if accounts >= threshold:
        return CheckOutcome(
            "new_account_burst",
            False,
            f"{accounts} accounts younger than {new_days} days reviewed this shop within "
            f"{window_hours} hours (the limit is {threshold - 1}).",
        )
    return CheckOutcome(
        "new_account_burst",
        True,
        f"New account; {accounts} new account{'s' if accounts != 1 else ''} reviewed this shop "
        f"within {window_hours} hours (below {threshold}).",
    )


def _address_key(address: dict | None) -> tuple[str, ...] | None:
    """A delivery address reduced to what identifies a place (None when it has no street)."""
    if not address or not address.get("line1"):
        return None
    return tuple(
        normalise_text(str(address.get(part) or ""))
        for part in ("line1", "line2", "postal_code", "country")
    )


def _owner_ships_to_same_address(draft: ReviewDraft, owner_id: int) -> bool:
    reviewed_address = db.session.scalar(
        select(Order.shipping_address)
        .join(VendorOrder, VendorOrder.order_id == Order.id)
        .join(OrderLine, OrderLine.vendor_order_id == VendorOrder.id)
        .where(OrderLine.id == draft.order_line_id)
    )
    key = _address_key(reviewed_address)
    if key is None:
        return False
    owner_addresses = db.session.scalars(
        select(Order.shipping_address)
        .where(Order.buyer_id == owner_id)
        .order_by(Order.id.desc())
        .limit(200)
    )
    return any(_address_key(address) == key for address in owner_addresses)


def check_tied_to_vendor(draft: ReviewDraft) -> CheckOutcome:
    vendor = db.session.get(Vendor, draft.vendor_id)
    author = db.session.get(User, draft.author_id)
    if vendor is None or author is None:
        return CheckOutcome("tied_to_vendor", False, "The shop or the reviewer no longer exists.")
    if vendor.owner_id == author.id:
        return CheckOutcome("tied_to_vendor", False, "The reviewer's account owns the shop.")
    if vendor.contact_email and vendor.contact_email.strip().lower() == author.email.lower():
        return CheckOutcome(
            "tied_to_vendor", False, "The reviewer's e-mail address is the shop's contact address."
        )
    if _owner_ships_to_same_address(draft, vendor.owner_id):
        return CheckOutcome(
            "tied_to_vendor",
            False,
            "The item went to a delivery address the shop's owner also orders to.",
        )
    return CheckOutcome(
        "tied_to_vendor",
        True,
        "Not the shop's account, contact address or owner's delivery address.",
    )


CHECKS: tuple[Callable[[ReviewDraft], CheckOutcome], ...] = (
    check_abuse,
    check_links,
    check_contact_details,
    check_length,
    check_duplicate_text,
    check_new_account_burst,
    check_tied_to_vendor,
)


def run_checks(draft: ReviewDraft) -> list[CheckOutcome]:
    """Every check's outcome, in a stable order."""
    return [check(draft) for check in CHECKS]


def all_passed(outcomes: Iterable[CheckOutcome]) -> bool:
    return all(outcome.passed for outcome in outcomes)
