"""The fulfilment pages: the shop's queue and order sheet (its own orders only), the buyer's
order page with parcels and returns, and the admin's disputes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.demo.seed import seed_demo
from marketplace.extensions import db
from marketplace.fulfilment import carriers, returns, services
from marketplace.fulfilment.models import ReturnRequest, ReturnStatus, Shipment, ShipmentStatus
from marketplace.models_base import utcnow
from marketplace.orders.models import VendorOrder, VendorOrderStatus
from marketplace.payments.models import Refund
from tests import factories
from tests.helpers import sign_in
from tests.unit.fulfilment import support


def _as_shop(client, market, index=0):
    sign_in(client, market.vendors[index].owner)


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_queue_lists_the_shops_own_orders_by_tab(client, market, order):
    mine, theirs = support.part_of(order, 0), support.part_of(order, 1)
    _as_shop(client, market)

    new = _text(client.get("/sell/orders"))
    assert f"/sell/orders/{mine.id}" in new
    assert f"/sell/orders/{theirs.id}" not in new
    support.accept(mine)
    assert f"/sell/orders/{mine.id}" not in _text(client.get("/sell/orders?tab=new"))
    assert f"/sell/orders/{mine.id}" in _text(client.get("/sell/orders?tab=to_ship"))
    late = support.part_of(order, 0)
    late.ship_by = utcnow() - timedelta(hours=1)
    db.session.commit()
    late_page = _text(client.get("/sell/orders?tab=late"))
    assert f"/sell/orders/{mine.id}" in late_page
    assert "Late" in late_page


def test_a_shop_cannot_see_or_act_on_another_shops_order(client, market, order):
    theirs = support.part_of(order, 1)
    _as_shop(client, market, 0)
    line = theirs.lines[0]

    assert client.get(f"/sell/orders/{theirs.id}").status_code == 404
    assert client.get(f"/sell/orders/{theirs.id}/packing-slip").status_code == 404
    assert client.post(f"/sell/orders/{theirs.id}/accept").status_code == 404
    shipped = client.post(
        f"/sell/orders/{theirs.id}/ship",
        data={"carrier": "ups", "tracking_number": "1Z999AA10000000001", f"qty-{line.id}": "1"},
    )
    cancelled = client.post(
        f"/sell/orders/{theirs.id}/cancel", data={f"cancel-{line.id}": "1", "reason": "Mine"}
    )

    assert (shipped.status_code, cancelled.status_code) == (404, 404)
    untouched = support.part_of(order, 1)
    assert untouched.status == VendorOrderStatus.PAID
    assert support.count(Shipment) == support.count(Refund) == 0


def test_buyers_are_not_shops(client, market, order):
    sign_in(client, market.buyer)

    assert client.get("/sell/orders").status_code == 403


def test_the_shop_accepts_and_ships_half_from_the_order_page(client, market, order):
    mine = support.part_of(order, 0)
    line = mine.lines[0]
    _as_shop(client, market)

    page = _text(client.get(f"/sell/orders/{mine.id}"))
    assert "Accept order" in page
    assert f"/sell/orders/{mine.id}/refund" in page  # the refund page is linked, not copied
    assert client.post(f"/sell/orders/{mine.id}/accept").status_code == 303
    shipped = client.post(
        f"/sell/orders/{mine.id}/ship",
        data={"carrier": "ups", "tracking_number": "1z999aa1 0000 0000 07", f"qty-{line.id}": "2"},
    )

    assert shipped.status_code == 303
    after = _text(client.get(shipped.headers["Location"]))
    assert "1Z999AA10000000007" in after
    assert "https://www.ups.com/track?tracknum=1Z999AA10000000007" in after
    assert support.part_of(order, 0).status == VendorOrderStatus.PARTIALLY_SHIPPED


def test_a_bad_tracking_number_is_shown_on_the_form_and_changes_nothing(client, market, order):
    mine = support.part_of(order, 0)
    support.accept(mine)
    _as_shop(client, market)

    response = client.post(
        f"/sell/orders/{mine.id}/ship",
        data={"carrier": "ups", "tracking_number": "12345", f"qty-{mine.lines[0].id}": "1"},
    )

    assert response.status_code == 422
    assert "That is not a UPS tracking number" in _text(response)
    assert support.count(Shipment) == 0
    assert support.part_of(order, 0).lines[0].quantity_shipped == 0


def test_cancelling_from_the_page_refunds_the_units(client, market, order):
    mine = support.part_of(order, 0)
    line = mine.lines[0]
    _as_shop(client, market)

    response = client.post(
        f"/sell/orders/{mine.id}/cancel",
        data={f"cancel-{line.id}": "1", "reason": "One arrived broken from the kiln"},
    )

    assert response.status_code == 303
    assert db.session.scalars(select(Refund)).one().amount_minor == 2700
    assert "Cancelled 1 unit(s) and refunded $27.00." in _text(
        client.get(f"/sell/orders/{mine.id}")
    )


def test_the_packing_slip_lists_what_to_pack_and_the_address(client, market, order):
    mine = support.part_of(order, 0)
    _as_shop(client, market)

    page = _text(client.get(f"/sell/orders/{mine.id}/packing-slip"))

    assert "Packing slip" in page
    assert mine.lines[0].sku in page
    assert "12 Alder Street" in page


def test_the_buyer_sees_each_shops_parcels_and_asks_for_a_return(client, market, order):
    mine = support.part_of(order, 0)
    support.accept(mine)
    parcel = support.ship(support.part_of(order, 0), number="1Z999AA10000000009")
    shipment = support.fresh(Shipment, parcel.id)
    shipment.status, shipment.delivered_at = ShipmentStatus.DELIVERED, utcnow()
    services.settle_delivery(shipment.vendor_order)
    db.session.commit()
    sign_in(client, market.buyer)

    page = _text(client.get(f"/orders/{order.number}"))
    assert "https://www.ups.com/track?tracknum=1Z999AA10000000009" in page
    assert "Return items from this shop" in page
    line = mine.lines[0]
    response = client.post(
        f"/orders/{order.number}/returns",
        data={"vendor_order_id": mine.id, f"return-{line.id}": "1", "reason": "Chipped rim"},
    )

    assert response.status_code == 303
    request = db.session.scalars(select(ReturnRequest)).one()
    assert (request.status, request.reason) == (ReturnStatus.REQUESTED, "Chipped rim")
    assert "Waiting for the shop" in _text(client.get(f"/orders/{order.number}"))


def test_another_buyer_cannot_ask_to_return_someone_elses_order(client, market, order):
    stranger = factories.UserFactory()
    db.session.commit()
    sign_in(client, stranger)
    mine = support.part_of(order, 0)

    client.post(
        f"/orders/{order.number}/returns",
        data={"vendor_order_id": mine.id, f"return-{mine.lines[0].id}": "1", "reason": "Mine"},
    )

    assert support.count(ReturnRequest) == 0


@pytest.fixture
def dispute(order):
    mine = support.part_of(order, 0)
    support.accept(mine)
    parcel = support.ship(support.part_of(order, 0))
    shipment = support.fresh(Shipment, parcel.id)
    shipment.status, shipment.delivered_at = ShipmentStatus.DELIVERED, utcnow()
    services.settle_delivery(shipment.vendor_order)
    asked = returns.request_return(
        order.buyer_id, order.number, mine.id, {mine.lines[0].id: 1}, "Wrong colour"
    )
    returns.refuse_return(mine.vendor_id, asked.id, "Colour as pictured")
    db.session.commit()
    return asked


def test_admins_decide_disputes_and_others_cannot(client, market, dispute):
    sign_in(client, market.vendors[0].owner)
    assert client.get("/admin/disputes").status_code == 403
    assert (
        client.post(
            f"/admin/disputes/{dispute.id}", data={"decision": "refund", "reason": "x"}
        ).status_code
        == 403
    )
    admin = factories.UserFactory(is_admin=True)
    db.session.commit()
    sign_in(client, admin)

    listing = _text(client.get("/admin/disputes"))
    assert f"/admin/disputes/{dispute.id}" in listing
    refused = client.post(f"/admin/disputes/{dispute.id}", data={"decision": "refund"})
    assert refused.status_code == 422
    decided = client.post(
        f"/admin/disputes/{dispute.id}",
        data={"decision": "refund", "reason": "The listing photo shows another colour"},
    )

    assert decided.status_code == 303
    assert support.fresh(ReturnRequest, dispute.id).status == ReturnStatus.REFUNDED
    assert "Refunded the buyer" in _text(client.get(f"/admin/disputes/{dispute.id}"))


def test_visitors_are_sent_to_sign_in(client, dispute):
    response = client.get(f"/admin/disputes/{dispute.id}")

    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_the_dashboard_shows_the_shops_performance(client, market, order):
    _as_shop(client, market)

    page = _text(client.get("/sell/"))

    assert "Fulfilment performance" in page
    assert "/sell/orders" in page


def test_demo_orders_are_in_varied_fulfilment_states_with_real_tracking(app):
    seed_demo(products=40, seed=7, image_size=96)
    db.session.commit()

    statuses = set(db.session.scalars(select(VendorOrder.status)))
    assert {"paid", "accepted", "shipped", "delivered"} <= statuses
    for shipment in db.session.scalars(select(Shipment)):
        assert carriers.CARRIERS[shipment.carrier].matches(shipment.tracking_number)
    (asked,) = db.session.scalars(select(ReturnRequest)).all()
    assert asked.status == ReturnStatus.REQUESTED
