"""Payout onboarding: a vendor's connected account at the gateway, and what the gateway reports.

A vendor becomes payable only from the gateway's own data, an `account.updated` event or a
retrieve of the account, never because the browser came back from onboarding. Services flush
and never commit: the calling view owns the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.payments.gateway import AccountStatus, GatewayEvent, get_gateway
from marketplace.payments.models import WebhookEvent
from marketplace.payments.offline import OfflineGateway, clean_payout_details
from marketplace.vendors import onboarding
from marketplace.vendors.models import Vendor, VendorStatus

log = logging.getLogger(__name__)

# Shops in these states may connect a payout account (an applicant can get ready while waiting).
ONBOARDING_STATES = (VendorStatus.APPLIED, VendorStatus.APPROVED)
REFUSALS = {
    VendorStatus.REJECTED: (
        "Your application to sell was not approved, so payouts cannot be set up. "
        "Update your application and re-apply first."
    ),
    VendorStatus.SUSPENDED: (
        "Your shop is suspended, so payout setup is paused until the marketplace team "
        "reinstates it."
    ),
}


class PayoutOnboardingRefused(DomainError):
    """The shop may not (or cannot yet) do this step of payout onboarding."""

    message = "Payouts cannot be set up for this shop right now."


class PayoutAccountNotFound(DomainError):
    message = "There is no such payout account."


class NoPayoutAccount(PayoutOnboardingRefused):
    message = "Your shop has no payout account yet. Choose “Set up payouts” to start."


def _vendor(vendor_id: int) -> Vendor:
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        raise onboarding.VendorNotFound()
    return vendor


def check_can_onboard(vendor: Vendor) -> None:
    """Raise PayoutOnboardingRefused, saying why, unless the shop may set up payouts."""
    if vendor.status not in ONBOARDING_STATES:
        raise PayoutOnboardingRefused(REFUSALS.get(VendorStatus(vendor.status)))


def start_payout_onboarding(vendor_id: int, refresh_url: str, return_url: str) -> str:
    """Open the vendor's payout account (once) and return a fresh onboarding link to follow.

    The link is a credential for the vendor's payout details: send the browser to it, never
    store or log it.
    """
    vendor = _vendor(vendor_id)
    check_can_onboard(vendor)
    gateway = get_gateway()
    account_id = vendor.payout_account_id
    if account_id is None or vendor.payout_gateway != gateway.name:
        account_id = _open_account(vendor)
    return gateway.create_onboarding_link(account_id, refresh_url, return_url)


def resume_payout_onboarding(vendor_id: int, refresh_url: str, return_url: str) -> str:
    """A fresh onboarding link for the vendor's existing account (an old one expired)."""
    vendor = _vendor(vendor_id)
    check_can_onboard(vendor)
    account_id = _current_account(vendor)
    return get_gateway().create_onboarding_link(account_id, refresh_url, return_url)


def _current_account(vendor: Vendor) -> str:
    """The vendor's account at the configured gateway, or NoPayoutAccount saying what to do."""
    if vendor.payout_account_id is None:
        raise NoPayoutAccount()
    if vendor.payout_gateway != get_gateway().name:
        raise NoPayoutAccount(
            "Your payout account was set up with a payment provider the marketplace no longer "
            "uses. Choose “Set up payouts” to connect a new one."
        )
    return vendor.payout_account_id


def _open_account(vendor: Vendor) -> str:
    """Create the account at the configured gateway and remember it on the vendor."""
    gateway = get_gateway()
    replaced = vendor.payout_gateway
    account_id = gateway.create_connected_account(vendor)
    vendor.payout_account_id = account_id
    vendor.payout_gateway = gateway.name
    db.session.flush()
    log.info("Vendor %s opened payout account %s", vendor.id, account_id)
    if replaced not in (None, gateway.name):
        # An account at another gateway no longer pays this shop: it is not payable until
        # the new gateway says so.
        onboarding.record_payout_status(
            vendor.id,
            charges_enabled=False,
            payouts_enabled=False,
            source=f"{gateway.name} (new payout account replacing the {replaced} one)",
        )
    return account_id


def sync_payout_status(vendor_id: int) -> AccountStatus:
    """Ask the gateway about the vendor's account and record what it says."""
    vendor = _vendor(vendor_id)
    account_id = _current_account(vendor)
    gateway = get_gateway()
    status = gateway.retrieve_account_status(account_id)
    onboarding.record_payout_status(
        vendor.id,
        charges_enabled=status.charges_enabled,
        payouts_enabled=status.payouts_enabled,
        source=gateway.name,
    )
    return status


def offline_gateway_for(vendor_id: int, account_id: str) -> OfflineGateway:
    """The offline gateway, if it is in use and `account_id` is this vendor's account there."""
    vendor = _vendor(vendor_id)
    gateway = get_gateway()
    if (
        not isinstance(gateway, OfflineGateway)
        or vendor.payout_gateway != gateway.name
        or vendor.payout_account_id != account_id
    ):
        raise PayoutAccountNotFound()
    return gateway


def confirm_offline_onboarding(
    vendor_id: int,
    account_id: str,
    *,
    account_holder_name: str | None,
    routing_number: str | None,
    account_number: str | None,
) -> AccountStatus:
    """The vendor confirmed test payout details: the offline gateway reports the account."""
    gateway = offline_gateway_for(vendor_id, account_id)
    check_can_onboard(_vendor(vendor_id))
    details = clean_payout_details(account_holder_name, routing_number, account_number)
    handle_gateway_event(gateway.complete_onboarding(account_id, details))
    return gateway.retrieve_account_status(account_id)


# ---------------------------------------------------------------------------------------------
# Gateway events (Stripe webhooks, offline confirmations)


def handle_gateway_event(event: GatewayEvent) -> bool:
    """Apply a verified event once: False when it was already received (a duplicate).

    The event is stored in the same transaction as its effect, under a unique (provider, id),
    so a redelivery, or two deliveries racing each other, changes nothing the second time.
    """
    if _already_received(event):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                WebhookEvent(
                    provider=event.provider,
                    event_id=event.id,
                    type=event.type,
                    payload=event.payload,
                )
            )
    except IntegrityError:
        log.info("Gateway event %s/%s arrived twice at once", event.provider, event.id)
        return False
    handler = EVENT_HANDLERS.get(event.type)
    if handler is None:
        log.info("Stored gateway event %s of type %s (no handler)", event.id, event.type)
    else:
        handler(event)
    return True


def _already_received(event: GatewayEvent) -> bool:
    stmt = select(WebhookEvent.id).where(
        WebhookEvent.provider == event.provider, WebhookEvent.event_id == event.id
    )
    return db.session.scalars(stmt.limit(1)).first() is not None


def _newer_account_event_stored(event: GatewayEvent, account_id: str) -> bool:
    """True when an `account.updated` stamped later than `event` was already applied."""
    stmt = select(WebhookEvent.id).where(
        WebhookEvent.provider == event.provider,
        WebhookEvent.type == event.type,
        WebhookEvent.event_id != event.id,
        WebhookEvent.payload[("data", "object", "id")].as_string() == account_id,
        WebhookEvent.payload["created"].as_integer() > event.created,
    )
    return db.session.scalars(stmt.limit(1)).first() is not None


def _account_updated(event: GatewayEvent) -> None:
    """Copy the account's flags to the vendor whose payout account it is."""
    account_id = str(event.object.get("id") or "")
    vendor = db.session.scalars(
        select(Vendor).where(
            Vendor.payout_account_id == account_id, Vendor.payout_gateway == event.provider
        )
    ).first()
    if vendor is None:
        log.info("account.updated for %s, which pays no vendor: ignored", account_id)
        return
    if _newer_account_event_stored(event, account_id):
        log.info("account.updated %s is older than one already applied: ignored", event.id)
        return
    onboarding.record_payout_status(
        vendor.id,
        charges_enabled=bool(event.object.get("charges_enabled")),
        payouts_enabled=bool(event.object.get("payouts_enabled")),
        source=f"{event.provider} account.updated event",
    )


def _payment_event(event: GatewayEvent) -> None:
    from marketplace.payments.services import handle_payment_event

    handle_payment_event(event)


def _refund_event(event: GatewayEvent) -> None:
    from marketplace.payments.refunding import handle_refund_event

    handle_refund_event(event)


def _payout_event(event: GatewayEvent) -> None:
    from marketplace.payouts.settlement import handle_payout_event

    handle_payout_event(event)


# Event type → what it changes (imported when called: the payment services use this module).
# Other types are stored and otherwise ignored.
EVENT_HANDLERS: dict[str, Callable[[GatewayEvent], None]] = {
    "account.updated": _account_updated,
    "payment_intent.succeeded": _payment_event,
    "payment_intent.payment_failed": _payment_event,
    "payment_intent.requires_action": _payment_event,
    "payment_intent.processing": _payment_event,
    "payment_intent.canceled": _payment_event,
    "charge.refunded": _refund_event,
    "transfer.reversed": _refund_event,
    "payout.paid": _payout_event,
    "payout.failed": _payout_event,
    "payout.canceled": _payout_event,
}
