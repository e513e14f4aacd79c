"""Listing compliance: submit a listing, check it against the standards, re-check live listings.

The rules themselves live in `standards` and never touch the database; this package loads what
they look at (with few queries, in batches for a re-check), records a `ListingCheck` and moves
the listing along the state machine in `lifecycle`.
"""

from marketplace.catalog.compliance.checks import (
    CHECK_JOB,
    check_listing,
    install_default_standards,
    is_new_vendor,
    latest_check,
    latest_checks,
    release_held_listings,
    submit_listing,
    violations_by_field,
)
from marketplace.catalog.compliance.loading import ListingNotFound, load_standards, snapshot_of
from marketplace.catalog.compliance.notices import listing_link, notify_vendor
from marketplace.catalog.compliance.recheck import RecheckItem, RecheckReport, recheck_live_listings

__all__ = [
    "CHECK_JOB",
    "ListingNotFound",
    "RecheckItem",
    "RecheckReport",
    "check_listing",
    "install_default_standards",
    "is_new_vendor",
    "latest_check",
    "latest_checks",
    "listing_link",
    "load_standards",
    "notify_vendor",
    "recheck_live_listings",
    "release_held_listings",
    "snapshot_of",
    "submit_listing",
    "violations_by_field",
]
