"""Demo vendors (independent shops) and buyers, deterministic and free of real people's data."""

from __future__ import annotations

import random
from dataclasses import dataclass

from marketplace.demo.departments import LEAVES, Leaf, slugify
from marketplace.demo.departments._base import split

DEMO_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


@dataclass(frozen=True)
class VendorProfile:
    """An independent shop: who they are, where, what they sell and how big they are."""

    display_name: str
    business_name: str
    country: str
    description: str
    specialties: tuple[str, ...]
    code: str
    weight: float
    owner_name: str = ""
    status: str = "approved"
    handling_days: int = 2

    @property
    def slug(self) -> str:
        return slugify(self.display_name)

    def leaves(self) -> tuple[Leaf, ...]:
        """The leaf categories this shop lists products in (its specialties are path prefixes)."""
        return tuple(
            leaf
            for leaf in LEAVES
            if any(leaf.path == s or leaf.path.startswith(s + "/") for s in self.specialties)
        )


VENDORS: tuple[VendorProfile, ...] = (
    VendorProfile(
        "Switchback Outfitters",
        "Switchback Outfitters LLC",
        "US",
        "A two-person gear shop in Bend, Oregon. Everything we stock has done at least one "
        "long weekend in the Cascades with us first.",
        ("outdoors", "sports-and-fitness/running"),
        "SWB",
        1.4,
        owner_name="Dana Whitfield",
        handling_days=1,
    ),
    VendorProfile(
        "Copper & Crumb",
        "Copper & Crumb Kitchenware Ltd",
        "GB",
        "Cookware and kitchen tools for people who cook every day, chosen by a former "
        "restaurant chef in Leeds.",
        ("home-and-kitchen",),
        "CCK",
        1.3,
        owner_name="Imogen Hartley",
    ),
    VendorProfile(
        "Lumen Audio Works",
        "Lumen Audio Works GmbH",
        "DE",
        "Headphones, speakers and desk gear from a small Berlin team of sound engineers. We "
        "listen to everything before it goes in the shop.",
        ("electronics",),
        "LAW",
        1.2,
        owner_name="Jonas Weber",
    ),
    VendorProfile(
        "Fernhill Pet Co.",
        "Fernhill Pet Company Ltd",
        "IE",
        "Beds, bowls and toys for dogs and cats, made to be chewed, washed and loved. Based on "
        "a farm outside Cork with four dogs and two very opinionated cats.",
        ("pet-supplies",),
        "FPC",
        1.0,
        owner_name="Aoife Byrne",
    ),
    VendorProfile(
        "Maple & Thread",
        "Maple and Thread Clothing Inc.",
        "CA",
        "Everyday clothing, bags and jewellery from independent Canadian makers, cut to last "
        "longer than a season.",
        (
            "fashion/womens-clothing",
            "fashion/mens-clothing",
            "fashion/bags-and-wallets",
            "fashion/jewellery",
        ),
        "MNT",
        1.2,
        owner_name="Claire Tremblay",
        handling_days=3,
    ),
    VendorProfile(
        "Paper Lantern Stationers",
        "Paper Lantern Stationery K.K.",
        "JP",
        "Notebooks, pens and art supplies from a tiny shop in Kyoto that has sold paper goods "
        "since 1987.",
        ("books-and-stationery",),
        "PLS",
        0.9,
        owner_name="Haruto Mori",
        handling_days=3,
    ),
    VendorProfile(
        "Wildflower Apothecary",
        "Wildflower Apothecary SARL",
        "FR",
        "Skincare, bath products and candles made in small batches in Provence, from plants we "
        "grow or buy from neighbours.",
        ("beauty", "home-and-kitchen/candles-and-home-fragrance"),
        "WFA",
        1.0,
        owner_name="Camille Laurent",
    ),
    VendorProfile(
        "Tinker & Twig",
        "Tinker & Twig Speelgoed B.V.",
        "NL",
        "Wooden toys, games and puzzles chosen by two primary-school teachers in Utrecht. "
        "No batteries, no screens, plenty of play.",
        ("toys-and-games",),
        "TNT",
        0.9,
        owner_name="Sanne de Vries",
    ),
    VendorProfile(
        "Greenhouse Row",
        "Greenhouse Row Ltd",
        "NZ",
        "Tools, pots and seeds for kitchen gardens and allotments, tested in our own plot in "
        "Christchurch.",
        ("garden",),
        "GHR",
        0.8,
        owner_name="Tama Ngata",
        handling_days=3,
    ),
    VendorProfile(
        "Stride Athletic Supply",
        "Stride Athletic Supply Pty Ltd",
        "AU",
        "Training kit and footwear for runners, lifters and weekend players, from a Melbourne "
        "shop run by a former track coach.",
        ("sports-and-fitness", "fashion/womens-shoes", "fashion/mens-shoes"),
        "SAS",
        1.1,
        owner_name="Mia Costello",
    ),
    VendorProfile(
        "Circuit & Co",
        "Circuit and Company LLC",
        "US",
        "Phone accessories and smart-home gadgets we actually use at home in Austin, Texas.",
        ("electronics/phone-accessories", "electronics/smart-home"),
        "CIR",
        0.7,
        owner_name="Marcus Reyes",
        status="applied",
    ),
    VendorProfile(
        "Harbour Linen Co.",
        "Harbour Linen Lda",
        "PT",
        "Linen bedding and clothing woven and sewn in northern Portugal.",
        ("home-and-kitchen/bedding", "fashion/womens-clothing"),
        "HLC",
        0.7,
        owner_name="Inês Duarte",
        status="suspended",
    ),
)

_FIRST_NAMES = split(
    "Ava|Liam|Maya|Noah|Zoe|Ethan|Priya|Lucas|Chloe|Mateo|Amara|Oliver|Sofia|Kenji|Isla|Omar|"
    "Hannah|Diego|Leila|Samuel|Freya|Arjun|Nora|Felix|Ingrid|Tomasz|Aisha|Jonah|Elena|Rafael"
)
_LAST_NAMES = split(
    "Morgan|Patel|Okafor|Lindqvist|Nakamura|Rossi|Fernandez|Walsh|Kowalski|Haddad|Brennan|"
    "Silva|Andersen|Mensah|Dubois|Schmidt|Chen|Murphy|Novak|Garcia|Kaur|Bianchi|Osei|Larsen"
)
_STREETS = split(
    "Maple Avenue|Harbour Road|Elm Street|Station Road|Orchard Lane|Mill Street|Church Lane|"
    "Park Terrace|Willow Way|Riverside Drive|High Street|Cedar Court"
)
# (city, region, postal code, country) — fictional street numbers on real-shaped addresses.
_PLACES = (
    ("Portland", "OR", "97205", "US"),
    ("Austin", "TX", "78704", "US"),
    ("Madison", "WI", "53703", "US"),
    ("Asheville", "NC", "28801", "US"),
    ("Burlington", "VT", "05401", "US"),
    ("Boulder", "CO", "80302", "US"),
    ("Santa Fe", "NM", "87501", "US"),
    ("Savannah", "GA", "31401", "US"),
)


@dataclass(frozen=True)
class BuyerProfile:
    """A demo shopper with a unique example-domain e-mail and a shipping address."""

    first_name: str
    last_name: str
    email: str
    line1: str
    city: str
    region: str
    postal_code: str
    country: str

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def generate_buyers(count: int, seed: int = 7) -> list[BuyerProfile]:
    """`count` distinct buyers, the same ones for the same seed; the first is Ava Morgan."""
    rng = random.Random(f"buyers-{seed}")
    buyers: list[BuyerProfile] = []
    seen: set[str] = set()
    while len(buyers) < count:
        # The first buyer is always Ava Morgan, so the sign-in documented for the demo holds.
        first, last = (
            ("Ava", "Morgan") if not buyers else (rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES))
        )
        local = f"{first}.{last}".lower()
        domain = DEMO_EMAIL_DOMAINS[len(buyers) % 3] if len(buyers) >= 5 else "example.com"
        email = f"{local}@{domain}"
        n = 2
        while email in seen:
            email, n = f"{local}{n}@{domain}", n + 1
        seen.add(email)
        city, region, postal_code, country = rng.choice(_PLACES)
        line1 = f"{rng.randint(2, 1999)} {rng.choice(_STREETS)}"
        buyers.append(BuyerProfile(first, last, email, line1, city, region, postal_code, country))
    return buyers
