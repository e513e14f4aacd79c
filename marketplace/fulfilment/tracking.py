"""Tracking: where carrier events come from, and how one event moves a parcel and its order.

Every source is a `TrackingProvider` that turns what it receives into `TrackingUpdate`s:

- `aggregator`: a carrier aggregator's signed webhook (`/webhooks/tracking/aggregator`): the
  raw body is signed with HMAC-SHA256 under a shared secret, with a timestamp so an old
  delivery cannot be replayed (header `Tracking-Signature: t=<unix seconds>,v1=<hex>` over
  `"<t>.<body>"`);
- `manual`: the shop types an event on its order page;
- `embedded`: the default without an aggregator; `flask fulfilment simulate ORDER` produces
  in transit → out for delivery → delivered for the order's parcels.

`apply_update` stores each event once (provider + event id are unique), moves the parcel
forward only (an event older than the last one applied, or a step back, is kept in the
history but changes nothing; delivered stays delivered), and a delivered parcel may make its
vendor order delivered. An event for an unknown tracking number raises UnknownShipment and
stores nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.fulfilment import notify, settings
from marketplace.fulfilment.carriers import normalise
from marketplace.fulfilment.exceptions import FulfilmentError, UnknownShipment
from marketplace.fulfilment.models import Shipment, ShipmentStatus, TrackingEvent
from marketplace.fulfilment.services import settle_delivery, vendor_order_of
from marketplace.models_base import utcnow

SIGNATURE_HEADER = "Tracking-Signature"
DESCRIPTION_MAX = 200
LOCATION_MAX = 120
EVENT_STATUSES = (
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.EXCEPTION,
)
# How far along a parcel is; an exception is a hold-up on the way, not a step back or forward.
PROGRESS = {
    ShipmentStatus.LABEL_CREATED: 0,
    ShipmentStatus.IN_TRANSIT: 1,
    ShipmentStatus.EXCEPTION: 1,
    ShipmentStatus.OUT_FOR_DELIVERY: 2,
    ShipmentStatus.DELIVERED: 3,
}
DEFAULT_DESCRIPTIONS = {
    ShipmentStatus.IN_TRANSIT: "In transit",
    ShipmentStatus.OUT_FOR_DELIVERY: "Out for delivery",
    ShipmentStatus.DELIVERED: "Delivered",
    ShipmentStatus.EXCEPTION: "Delivery problem",
}


class InvalidSignature(FulfilmentError):
    message = "The tracking webhook's signature does not match."


class InvalidPayload(FulfilmentError):
    message = "The tracking webhook's body is not a tracking event."


class NoWebhooks(FulfilmentError):
    message = "This tracking provider does not send webhooks here."


@dataclass(frozen=True)
class TrackingUpdate:
    """One carrier event, whoever reported it."""

    provider: str
    event_id: str
    tracking_number: str
    carrier: str | None
    status: ShipmentStatus
    occurred_at: datetime
    location: str | None = None
    description: str = ""


class Outcome(StrEnum):
    APPLIED = "applied"  # stored and moved the parcel on
    RECORDED = "recorded"  # stored in the history, but older or a step back: nothing moved
    DUPLICATE = "duplicate"  # already stored: nothing changed


class TrackingProvider(Protocol):
    """A source of tracking events."""

    name: str

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], *, now: datetime
    ) -> list[TrackingUpdate]:
        """The events of a webhook delivery, after checking it came from the provider;
        InvalidSignature / InvalidPayload otherwise, NoWebhooks when it sends none."""
        ...


# ---------------------------------------------------------------------------------------------
# Reading events


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def parse_moment(value: Any) -> datetime:
    """An ISO 8601 time with its offset, as UTC; a time without an offset is refused."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidPayload(f"occurred_at is not an ISO 8601 time: {value!r}.") from None
    if moment.tzinfo is None:
        raise InvalidPayload("occurred_at must say its offset from UTC.")
    return moment.astimezone(UTC)


def update_from_mapping(provider: str, item: Mapping[str, Any]) -> TrackingUpdate:
    """A TrackingUpdate from an event object in the aggregator's shape."""
    if not isinstance(item, Mapping):
        raise InvalidPayload("Each event must be a JSON object.")
    event_id = _text(item.get("id"), 120)
    number = normalise(item.get("tracking_number"))
    status = str(item.get("status") or "")
    if not event_id or not number:
        raise InvalidPayload("Each event needs an id and a tracking_number.")
    if status not in EVENT_STATUSES:
        raise InvalidPayload(f"Unknown status {status!r}; use one of {', '.join(EVENT_STATUSES)}.")
    carrier = _text(item.get("carrier"), 40).lower() or None
    return TrackingUpdate(
        provider=provider,
        event_id=event_id,
        tracking_number=number,
        carrier=carrier,
        status=ShipmentStatus(status),
        occurred_at=parse_moment(item.get("occurred_at")),
        location=_text(item.get("location"), LOCATION_MAX) or None,
        description=_text(item.get("description"), DESCRIPTION_MAX),
    )


# ---------------------------------------------------------------------------------------------
# Providers


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for a body sent at `timestamp` (what the aggregator sends)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _signature_parts(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    digests: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            digests.append(value)
    if timestamp is None or not digests:
        raise InvalidSignature("The Tracking-Signature header is missing or malformed.")
    return timestamp, digests


class AggregatorProvider:
    """A carrier aggregator posting signed JSON: one event object, or {"events": [...]}."""

    name = "aggregator"

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], *, now: datetime
    ) -> list[TrackingUpdate]:
        secret = settings.webhook_secret(self.name)
        if not secret:
            raise NoWebhooks("Tracking webhooks are not configured (no secret is set).")
        self._verify(secret, body, headers.get(SIGNATURE_HEADER, ""), now)
        try:
            payload = json.loads(body)
        except ValueError:
            raise InvalidPayload("The body is not JSON.") from None
        items = payload.get("events") if isinstance(payload, dict) else None
        if items is None:
            items = [payload]
        if not isinstance(items, list) or not items:
            raise InvalidPayload("There are no events in the body.")
        return [update_from_mapping(self.name, item) for item in items]

    @staticmethod
    def _verify(secret: str, body: bytes, header: str, now: datetime) -> None:
        timestamp, digests = _signature_parts(header)
        expected = sign(secret, body, timestamp).rpartition("v1=")[2]
        if not any(hmac.compare_digest(expected, digest) for digest in digests):
            raise InvalidSignature()
        age = abs(now.timestamp() - timestamp)
        if age > settings.webhook_tolerance().total_seconds():
            raise InvalidSignature("The tracking webhook is too old (or from the future).")


class ManualProvider:
    """Events the shop types in from its order page."""

    name = "manual"

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], *, now: datetime
    ) -> list[TrackingUpdate]:
        raise NoWebhooks()

    def update(
        self,
        shipment: Shipment,
        status: str,
        *,
        occurred_at: datetime,
        location: str | None,
        description: str | None,
    ) -> TrackingUpdate:
        if status not in EVENT_STATUSES:
            raise FulfilmentError("Choose what happened to the parcel.", field="status")
        if occurred_at.tzinfo is None:
            raise FulfilmentError("Give the time with its time zone.", field="occurred_at")
        if occurred_at > utcnow():
            raise FulfilmentError("That time is in the future.", field="occurred_at")
        return TrackingUpdate(
            provider=self.name,
            event_id=f"manual-{uuid.uuid4().hex}",
            tracking_number=shipment.tracking_number,
            carrier=shipment.carrier,
            status=ShipmentStatus(status),
            occurred_at=occurred_at.astimezone(UTC),
            location=_text(location, LOCATION_MAX) or None,
            description=_text(description, DESCRIPTION_MAX),
        )


class EmbeddedProvider:
    """The simulator: a parcel's journey, one event per step, with ids that repeat, so
    simulating twice stores each step once."""

    name = "embedded"
    JOURNEY = (
        (ShipmentStatus.IN_TRANSIT, "Picked up by the carrier", "Sorting centre"),
        (ShipmentStatus.OUT_FOR_DELIVERY, "Out for delivery", "Local depot"),
        (ShipmentStatus.DELIVERED, "Delivered", "Front door"),
    )

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], *, now: datetime
    ) -> list[TrackingUpdate]:
        raise NoWebhooks()

    def journey(self, shipment: Shipment, *, now: datetime) -> list[TrackingUpdate]:
        return [
            TrackingUpdate(
                provider=self.name,
                event_id=f"sim-{shipment.id}-{status.value}",
                tracking_number=shipment.tracking_number,
                carrier=shipment.carrier,
                status=status,
                occurred_at=now,
                location=location,
                description=description,
            )
            for status, description, location in self.JOURNEY
        ]


PROVIDERS: dict[str, TrackingProvider] = {
    provider.name: provider
    for provider in (AggregatorProvider(), ManualProvider(), EmbeddedProvider())
}


def provider(name: str) -> TrackingProvider | None:
    return PROVIDERS.get(name)


# ---------------------------------------------------------------------------------------------
# Applying events


def find_shipment(tracking_number: str, carrier: str | None) -> Shipment:
    """The parcel with that tracking number (and carrier, when the event names a known one)."""
    stmt = select(Shipment).where(Shipment.tracking_number == normalise(tracking_number))
    candidates = list(db.session.scalars(stmt))
    if carrier and len(candidates) > 1:
        candidates = [s for s in candidates if s.carrier == carrier]
    if len(candidates) != 1:
        raise UnknownShipment(f"No shipment has the tracking number {tracking_number}.")
    return candidates[0]


def _moves_forward(shipment: Shipment, update: TrackingUpdate) -> bool:
    """Only a newer event that is not a step back moves a parcel; delivered is final."""
    current = ShipmentStatus(shipment.status)
    if current == ShipmentStatus.DELIVERED or update.status == current:
        return False
    if shipment.last_event_at is not None and update.occurred_at < shipment.last_event_at:
        return False
    if update.status == ShipmentStatus.EXCEPTION:
        return True
    return PROGRESS[update.status] >= PROGRESS[current]


def apply_update(update: TrackingUpdate) -> Outcome:
    """Store the event once and move its parcel (and maybe its vendor order) on."""
    shipment = find_shipment(update.tracking_number, update.carrier)
    known = db.session.scalar(
        select(TrackingEvent.id).where(
            TrackingEvent.provider == update.provider, TrackingEvent.event_id == update.event_id
        )
    )
    if known is not None:
        return Outcome.DUPLICATE
    db.session.add(
        TrackingEvent(
            shipment_id=shipment.id,
            provider=update.provider,
            event_id=update.event_id,
            status=update.status,
            description=update.description or DEFAULT_DESCRIPTIONS[update.status],
            location=update.location,
            occurred_at=update.occurred_at,
            received_at=utcnow(),
        )
    )
    if not _moves_forward(shipment, update):
        db.session.flush()
        return Outcome.RECORDED
    shipment.status = update.status
    shipment.last_event_at = update.occurred_at
    if update.status == ShipmentStatus.DELIVERED:
        shipment.delivered_at = update.occurred_at
    db.session.flush()
    _tell_buyer(shipment)
    return Outcome.APPLIED


def _tell_buyer(shipment: Shipment) -> None:
    if shipment.status == ShipmentStatus.OUT_FOR_DELIVERY:
        notify.out_for_delivery(shipment)
    elif shipment.status == ShipmentStatus.DELIVERED:
        notify.delivered(shipment)
        settle_delivery(shipment.vendor_order)


def apply_updates(updates: list[TrackingUpdate]) -> list[Outcome]:
    """Apply a delivery's events in the order they happened (all or nothing: an unknown
    parcel raises before the caller commits)."""
    return [apply_update(update) for update in sorted(updates, key=lambda u: u.occurred_at)]


def manual_event(
    vendor_id: int,
    shipment_id: int,
    status: str,
    *,
    occurred_at: datetime,
    location: str | None = None,
    description: str | None = None,
    vendor_order_id: int | None = None,
) -> Outcome:
    """An event the shop enters for one of its own parcels (of `vendor_order_id`, if given)."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None or vendor_order_id not in (None, shipment.vendor_order_id):
        raise UnknownShipment("There is no such parcel in this order.")
    vendor_order_of(vendor_id, shipment.vendor_order_id)  # another shop's parcel: not found
    manual = PROVIDERS["manual"]
    assert isinstance(manual, ManualProvider)
    return apply_update(
        manual.update(
            shipment, status, occurred_at=occurred_at, location=location, description=description
        )
    )


def simulate_order(order_number: str, *, now: datetime | None = None) -> list[Outcome]:
    """The embedded provider's journey for every parcel of the order not yet delivered."""
    from marketplace.orders.models import Order, VendorOrder

    moment = now or utcnow()
    shipments = list(
        db.session.scalars(
            select(Shipment)
            .join(VendorOrder, VendorOrder.id == Shipment.vendor_order_id)
            .join(Order, Order.id == VendorOrder.order_id)
            .where(Order.number == order_number.strip())
            .order_by(Shipment.id)
        )
    )
    embedded = PROVIDERS["embedded"]
    assert isinstance(embedded, EmbeddedProvider)
    outcomes: list[Outcome] = []
    for shipment in shipments:
        if shipment.status == ShipmentStatus.DELIVERED:
            continue
        for update in embedded.journey(shipment, now=moment):
            outcomes.append(apply_update(update))
    return outcomes
