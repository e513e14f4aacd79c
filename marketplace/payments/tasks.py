"""Background jobs of the payments package (queue `payments`); each is safe to run twice."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.payments import services


def release_vendor_order_funds(vendor_order_id: int) -> None:
    """Transfer a paid vendor order's share to the vendor, in a transaction of its own.

    A gateway error or a vendor without a payout account raises, so the outbox retries it
    later with backoff; the transfer's idempotency key makes every retry the same transfer.
    """
    services.release_vendor_order_funds(vendor_order_id)
    db.session.commit()
