"""Time a full re-check of live listings against every product standard, on SQLite.

    python bench/compliance.py --listings 10000

Builds a fresh SQLite database in a temporary folder with the migrations, seeds that many live
listings from the demo generator with bulk inserts, installs the default standards with every
rule switched on, then times `recheck_live_listings` (a real run: it records a check for every
listing and delists or sends to review what fails). Prints `listings=N seconds=S per_second=X`
on standard output; the outcome of the re-check goes to standard error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace import create_app
from marketplace.accounts.models import User
from marketplace.catalog import compliance
from marketplace.catalog.models import ProductStandard, ProductStatus
from marketplace.demo.catalog_writer import ImageLibrary, ProductWriter
from marketplace.demo.generator import generate_products
from marketplace.demo.people import VENDORS
from marketplace.demo.seed import seed_categories
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.vendors.models import Vendor, VendorStatus

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
IMAGE_SIZE = 600  # big enough to pass the default image-resolution standard


def settings(folder: Path) -> dict[str, object]:
    """An app of its own: a SQLite file, uploads and instance files in `folder`."""
    return {
        "ENV_NAME": "test",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        "INSTANCE_DIR": folder / "instance",
        "UPLOAD_DIR": folder / "uploads",
    }


def seed_vendors() -> list[Vendor]:
    """One approved, payable shop per demo profile (so every product has a seller)."""
    now = utcnow()
    vendors = []
    for number, profile in enumerate(VENDORS, start=1):
        owner = User(
            email=f"bench-vendor{number}@example.com",
            password_hash="!",  # no password: nobody signs in to a bench database
            display_name=profile.owner_name or profile.display_name,
        )
        vendor = Vendor(
            owner=owner,
            slug=profile.slug,
            display_name=profile.display_name,
            business_name=profile.business_name,
            country=profile.country,
            contact_email=owner.email,
            description=profile.description,
            status=VendorStatus.APPROVED,
            charges_enabled=True,
            payouts_enabled=True,
            approved_at=now,
        )
        db.session.add_all([owner, vendor])
        vendors.append(vendor)
    db.session.flush()
    return vendors


def enable_every_rule(category_ids: dict[str, int]) -> None:
    """Switch every default standard on; prohibit one real category so that rule has work."""
    prohibited = sorted(path for path in category_ids if path.count("/") >= 1)[0]
    for standard in db.session.scalars(db.select(ProductStandard)):
        standard.is_active = True
        if standard.kind == "prohibited_category":
            standard.params = {"paths": [prohibited]}


def seed(listings: int, seed_value: int) -> None:
    vendors = seed_vendors()
    category_ids = seed_categories()
    writer = ProductWriter(vendors, category_ids, utcnow(), ImageLibrary(IMAGE_SIZE), None)
    writer.write(generate_products(listings, seed_value), ProductStatus.LIVE)
    compliance.install_default_standards()
    enable_every_rule(category_ids)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, default=10_000, help="live listings to seed")
    parser.add_argument("--seed", type=int, default=7, help="same seed, same listings")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the app logs every job and e-mail at INFO

    with tempfile.TemporaryDirectory(prefix="compliance-bench-") as tmp:
        app = create_app(settings(Path(tmp)))
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            started = time.perf_counter()
            seed(args.listings, args.seed)
            print(f"seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)

            started = time.perf_counter()
            report = compliance.recheck_live_listings(dry_run=False)
            db.session.commit()
            seconds = time.perf_counter() - started
            print(report.summary, file=sys.stderr)
            db.session.remove()
            db.engine.dispose()
    print(
        f"listings={report.checked} seconds={seconds:.2f} per_second={report.checked / seconds:.0f}"
    )


if __name__ == "__main__":
    main()
