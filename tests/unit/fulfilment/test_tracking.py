"""Tracking events: the signed aggregator webhook, manual events and the simulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.fulfilment import tracking
from marketplace.fulfilment.exceptions import VendorOrderNotFound
from marketplace.fulfilment.models import Shipment, ShipmentStatus, TrackingEvent
from marketplace.models_base import utcnow
from marketplace.orders.models import VendorOrder, VendorOrderStatus
from tests.unit.fulfilment import support

SECRET = "whsec_tracking_test"
NUMBER = "1Z999AA10000000001"


@pytest.fixture
def app(app_factory):
    app = app_factory(TRACKING_WEBHOOK_SECRETS={"aggregator": SECRET})
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def parcel(order) -> Shipment:
    """The first shop's whole part, shipped in one UPS parcel."""
    vendor_order = support.part_of(order)
    support.accept(vendor_order)
    return support.ship(support.part_of(order), number=NUMBER)


def _event(event_id: str, status: str, at: datetime, number: str = NUMBER) -> dict:
    return {
        "id": event_id,
        "tracking_number": number,
        "carrier": "ups",
        "status": status,
        "occurred_at": at.isoformat(),
        "location": "Portland, OR",
        "description": status.replace("_", " ").capitalize(),
    }


def _post(client, payload, *, secret=SECRET, timestamp=None, signature=None):
    body = json.dumps(payload).encode()
    stamp = int(timestamp if timestamp is not None else utcnow().timestamp())
    header = signature if signature is not None else tracking.sign(secret, body, stamp)
    return client.post(
        "/webhooks/tracking/aggregator",
        data=body,
        headers={"Tracking-Signature": header, "Content-Type": "application/json"},
    )


def _state(shipment_id: int) -> tuple:
    db.session.expire_all()
    shipment = db.session.get(Shipment, shipment_id)
    vendor_order = db.session.get(VendorOrder, shipment.vendor_order_id)
    return (
        shipment.status,
        shipment.delivered_at,
        vendor_order.status,
        vendor_order.delivered_at,
        support.count(TrackingEvent),
    )


NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_a_signed_delivered_event_delivers_the_parcel_and_the_vendor_order(client, parcel):
    response = _post(client, {"events": [_event("evt_1", "delivered", NOW)]})

    assert response.status_code == 200
    assert response.json["applied"] == 1
    status, delivered_at, order_status, order_delivered_at, events = _state(parcel.id)
    assert (status, order_status, events) == ("delivered", VendorOrderStatus.DELIVERED, 1)
    assert delivered_at == order_delivered_at == NOW
    assert len(support.emails("fulfilment_delivered")) == 1


@pytest.mark.parametrize(
    "tamper",
    [
        {"secret": "not-the-secret"},
        {"signature": "t=1,v1=deadbeef"},
        {"signature": ""},
        {"timestamp": (utcnow() - timedelta(hours=1)).timestamp()},
    ],
    ids=["wrong secret", "forged header", "no header", "stale timestamp"],
)
def test_a_bad_signature_is_400_and_changes_nothing(client, parcel, tamper):
    before = _state(parcel.id)

    response = _post(client, _event("evt_1", "delivered", NOW), **tamper)

    assert response.status_code == 400
    assert response.json["error"] == "invalid_signature"
    assert _state(parcel.id) == before


def test_a_tampered_body_fails_the_signature(client, parcel):
    body = json.dumps(_event("evt_1", "in_transit", NOW)).encode()
    stamp = int(utcnow().timestamp())
    header = tracking.sign(SECRET, body, stamp)
    before = _state(parcel.id)

    response = client.post(
        "/webhooks/tracking/aggregator",
        data=body.replace(b"in_transit", b"delivered"),
        headers={"Tracking-Signature": header},
    )

    assert response.status_code == 400
    assert _state(parcel.id) == before


def test_a_duplicate_event_is_stored_once(client, parcel):
    event = _event("evt_1", "in_transit", NOW)

    first = _post(client, event)
    again = _post(client, event)

    assert first.json["applied"] == 1
    assert again.status_code == 200
    assert again.json["duplicate"] is True
    assert support.count(TrackingEvent) == 1


def test_out_of_order_events_never_move_a_parcel_backwards(client, parcel):
    _post(client, _event("evt_3", "delivered", NOW))
    late = _post(
        client,
        {
            "events": [
                _event("evt_1", "in_transit", NOW - timedelta(hours=5)),
                _event("evt_2", "out_for_delivery", NOW - timedelta(hours=1)),
            ]
        },
    )

    assert late.status_code == 200
    assert late.json["recorded"] == 2
    status, delivered_at, order_status, _at, events = _state(parcel.id)
    assert (status, order_status, events) == ("delivered", "delivered", 3)
    assert delivered_at == NOW
    assert support.emails("fulfilment_out_for_delivery") == []  # too late to matter


def test_an_older_exception_does_not_override_a_newer_step(client, parcel):
    _post(client, _event("evt_2", "out_for_delivery", NOW))
    _post(client, _event("evt_1", "exception", NOW - timedelta(hours=2)))

    assert _state(parcel.id)[0] == ShipmentStatus.OUT_FOR_DELIVERY
    _post(client, _event("evt_3", "exception", NOW + timedelta(hours=1)))
    assert _state(parcel.id)[0] == ShipmentStatus.EXCEPTION
    _post(client, _event("evt_4", "delivered", NOW + timedelta(hours=3)))
    assert _state(parcel.id)[0] == ShipmentStatus.DELIVERED


def test_an_unknown_tracking_number_is_404_and_stores_nothing(client, parcel):
    before = _state(parcel.id)

    response = _post(
        client,
        {
            "events": [
                _event("evt_1", "in_transit", NOW),  # known: still not stored
                _event("evt_2", "delivered", NOW, number="1Z999AA19999999999"),
            ]
        },
    )

    assert response.status_code == 404
    assert response.json["error"] == "unknown_shipment"
    assert "1Z999AA19999999999" in response.json["reason"]
    assert _state(parcel.id) == before


@pytest.mark.parametrize(
    "payload",
    [
        {"events": []},
        _event("evt_1", "teleported", NOW),
        {**_event("evt_1", "delivered", NOW), "occurred_at": "yesterday"},
        {**_event("evt_1", "delivered", NOW), "occurred_at": "2026-11-26T09:00:00"},
    ],
    ids=["no events", "unknown status", "not a time", "no offset"],
)
def test_a_malformed_event_is_400(client, parcel, payload):
    response = _post(client, payload)

    assert response.status_code == 400
    assert response.json["error"] == "invalid_payload"
    assert support.count(TrackingEvent) == 0


def test_providers_without_webhooks_or_unknown_ones_are_404(client, parcel):
    assert client.post("/webhooks/tracking/manual", data=b"{}").status_code == 404
    assert client.post("/webhooks/tracking/nobody", data=b"{}").status_code == 404


def test_without_a_secret_the_webhook_is_not_open(app_factory):
    unconfigured = app_factory()
    response = unconfigured.test_client().post("/webhooks/tracking/aggregator", data=b"{}")

    assert response.status_code == 404
    assert response.json["error"] == "not_configured"


def test_a_shop_enters_a_manual_event_for_its_own_parcel_only(order, parcel, market):
    outcome = tracking.manual_event(
        parcel.vendor_order.vendor_id,
        parcel.id,
        "out_for_delivery",
        occurred_at=utcnow() - timedelta(minutes=5),
        location="Depot",
    )
    db.session.commit()

    assert outcome == tracking.Outcome.APPLIED
    assert _state(parcel.id)[0] == ShipmentStatus.OUT_FOR_DELIVERY
    other_shop = market.vendors[1]
    with pytest.raises(VendorOrderNotFound):
        tracking.manual_event(
            other_shop.id, parcel.id, "delivered", occurred_at=utcnow() - timedelta(minutes=1)
        )


def test_simulate_walks_each_parcel_to_delivered_once(app, order, parcel):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["fulfilment", "simulate", order.number])
    again = runner.invoke(args=["fulfilment", "simulate", order.number])

    assert result.exit_code == 0, result.output
    assert "events=3 applied=3" in result.output
    assert again.exit_code == 1  # nothing left on its way
    events = db.session.scalars(select(TrackingEvent.status).order_by(TrackingEvent.id)).all()
    assert events == ["in_transit", "out_for_delivery", "delivered"]
    assert _state(parcel.id)[2] == VendorOrderStatus.DELIVERED
