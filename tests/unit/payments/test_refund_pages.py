"""Refunds by the shop (its own orders only) and by admins, with the offline gateway.

Each refund returns money on the payment, takes the shop's share back from its transfer
(or books it as owed when the shop's balance cannot cover it) and keeps the ledger sound.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Variant
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus, VendorOrder
from marketplace.payments import connect, services
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import (
    OfflineGatewayObject,
    Payment,
    Refund,
    RefundStatus,
    ReversalStatus,
)
from marketplace.payments.offline_payments import CARDS_BY_NUMBER
from marketplace.payouts import ledger
from marketplace.payouts.models import Transfer
from tests import factories
from tests.helpers import sign_in
from tests.unit.payments import payments_support as support

VISA = CARDS_BY_NUMBER["4242424242424242"]


def _paid_order(market, quantities=(2, 1)) -> Order:
    order = support.place_order(market, quantities)
    services.start_payment(order.id)
    payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    connect.handle_gateway_event(get_gateway().pay_with_card(payment.gateway_reference, VISA))
    db.session.commit()  # the vendors' shares are transferred here
    return order


@pytest.fixture
def paid(market) -> Order:
    return _paid_order(market)


def _fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _gateway_objects(kind: str) -> list[OfflineGatewayObject]:
    return list(
        db.session.scalars(select(OfflineGatewayObject).where(OfflineGatewayObject.kind == kind))
    )


def _as_shop(client, vendor) -> None:
    sign_in(client, vendor.owner)


def _as_admin(client) -> None:
    admin = factories.UserFactory(is_admin=True)
    db.session.commit()
    sign_in(client, admin)


def _first_part(order: Order) -> VendorOrder:
    return _fresh(Order, order.id).vendor_orders[0]


def _snapshot() -> tuple:
    """Everything a refund would change."""
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(Refund.id))),
        len(_gateway_objects("refund")),
        support.ledger_entries(),
        tuple(db.session.scalars(select(OrderLine.quantity_refunded).order_by(OrderLine.id))),
        tuple(db.session.scalars(select(Variant.stock_on_hand).order_by(Variant.id))),
    )


def test_a_shop_refunds_all_of_its_part_of_an_order(client, market, paid):
    part = _first_part(paid)
    shop = market.vendors[0]
    _as_shop(client, shop)

    response = client.post(
        f"/sell/orders/{part.id}/refund", data={"what": "all", "reason": "Arrived broken"}
    )

    assert response.status_code == 303
    refund = db.session.scalars(select(Refund)).one()
    assert refund.amount_minor == part.subtotal_minor + part.shipping_minor + part.tax_minor
    assert refund.commission_returned_minor == part.commission_minor  # policy "return"
    assert refund.reversal_status == ReversalStatus.SUCCEEDED
    assert refund.reversal_minor == part.vendor_net_minor
    assert refund.idempotency_key == f"refund:{refund.id}"
    assert [r.idempotency_key for r in _gateway_objects("refund")] == [f"refund:{refund.id}"]
    assert [r.idempotency_key for r in _gateway_objects("transfer_reversal")] == [
        f"refund:{refund.id}:reversal"
    ]
    assert ledger.vendor_balance(shop.id, "USD") == 0
    assert _fresh(Order, paid.id).status == OrderStatus.PARTIALLY_REFUNDED
    page = client.get(f"/sell/orders/{part.id}/refund").get_data(as_text=True)
    assert "Refunded $" in page
    assert "Everything in this order has been refunded." in page
    support.ledger_is_sound()


def test_a_shop_refunds_one_unit_and_puts_it_back_in_stock(client, market, paid):
    part = _first_part(paid)
    line = part.lines[0]
    stock_before = _fresh(Variant, line.variant_id).stock_on_hand
    _as_shop(client, market.vendors[0])

    client.post(
        f"/sell/orders/{part.id}/refund",
        data={"what": "lines", f"qty-{line.id}": "1", "restock": "y", "reason": "Changed mind"},
    )

    refund = db.session.scalars(select(Refund)).one()
    assert refund.amount_minor == line.unit_price_minor + refund.tax_minor
    assert refund.shipping_minor == 0
    assert refund.lines[0] == {
        "line_id": line.id,
        "quantity": 1,
        "amount_minor": line.unit_price_minor,
        "tax_minor": refund.tax_minor,
    }
    assert _fresh(OrderLine, line.id).quantity_refunded == 1
    assert _fresh(Variant, line.variant_id).stock_on_hand == stock_before + 1
    support.ledger_is_sound()


def test_refunding_more_than_is_left_is_refused_and_changes_nothing(client, market, paid):
    part = _first_part(paid)
    line = part.lines[0]
    _as_shop(client, market.vendors[0])
    before = _snapshot()

    response = client.post(
        f"/sell/orders/{part.id}/refund",
        data={"what": "lines", f"qty-{line.id}": str(line.quantity + 1), "reason": "Too many"},
    )

    assert response.status_code == 422
    assert f"Only {line.quantity} of" in response.get_data(as_text=True)
    assert _snapshot() == before


def test_choosing_nothing_is_refused(client, market, paid):
    part = _first_part(paid)
    _as_shop(client, market.vendors[0])

    response = client.post(
        f"/sell/orders/{part.id}/refund", data={"what": "lines", "reason": "Nothing"}
    )

    assert response.status_code == 422
    assert "Choose at least one unit" in response.get_data(as_text=True)


def test_a_refund_after_the_whole_part_was_refunded_is_refused(client, market, paid):
    part = _first_part(paid)
    _as_shop(client, market.vendors[0])
    client.post(f"/sell/orders/{part.id}/refund", data={"what": "all", "reason": "Broken"})
    before = _snapshot()

    again = client.post(f"/sell/orders/{part.id}/refund", data={"what": "all", "reason": "Again"})

    assert again.status_code == 422
    assert _snapshot() == before


def test_a_shop_cannot_refund_another_shops_part(client, market, paid):
    others = _fresh(Order, paid.id).vendor_orders[1]
    _as_shop(client, market.vendors[0])
    before = _snapshot()

    assert client.get(f"/sell/orders/{others.id}/refund").status_code == 404
    forged = client.post(
        f"/sell/orders/{others.id}/refund", data={"what": "all", "reason": "Not mine"}
    )

    assert forged.status_code == 404
    assert _snapshot() == before


def test_the_shop_lists_only_its_own_paid_orders(client, market, paid):
    _as_shop(client, market.vendors[0])

    page = client.get("/sell/refunds").get_data(as_text=True)

    mine, theirs = _fresh(Order, paid.id).vendor_orders
    assert f"/sell/orders/{mine.id}/refund" in page
    assert f"/sell/orders/{theirs.id}/refund" not in page


def test_an_admin_refunds_the_whole_order(client, market, paid):
    _as_admin(client)

    response = client.post(
        f"/admin/orders/{paid.number}/refund-all", data={"reason": "Fraud suspected"}
    )

    assert response.status_code == 303
    refunds = db.session.scalars(select(Refund).order_by(Refund.id)).all()
    order = _fresh(Order, paid.id)
    assert [r.vendor_order_id for r in refunds] == [vo.id for vo in order.vendor_orders]
    assert sum(r.amount_minor for r in refunds) == order.grand_total_minor
    assert order.status == OrderStatus.REFUNDED
    for vendor in market.vendors:
        assert ledger.vendor_balance(vendor.id, "USD") == 0
    assert ledger.account_balance(ledger.clearing_code(order.id), "USD") == 0
    support.ledger_is_sound()


def test_an_admin_refunds_some_lines_of_one_shop(client, market, paid):
    part = _fresh(Order, paid.id).vendor_orders[1]
    line = part.lines[0]
    _as_admin(client)

    response = client.post(
        f"/admin/orders/{paid.number}/refund",
        data={
            "vendor_order_id": str(part.id),
            "what": "lines",
            f"qty-{line.id}": "1",
            "reason": "Late delivery",
        },
    )

    assert response.status_code == 303
    refund = db.session.scalars(select(Refund)).one()
    assert refund.vendor_order_id == part.id
    assert refund.created_by_id is not None
    support.ledger_is_sound()


def test_a_buyer_is_not_let_into_the_refund_pages(client, market, paid):
    sign_in(client, market.buyer)

    assert client.get(f"/admin/orders/{paid.number}/refund").status_code == 403
    assert client.get("/sell/refunds").status_code == 403


def test_when_the_shop_balance_is_too_low_the_share_becomes_a_receivable(client, market, paid):
    part = _first_part(paid)
    shop = market.vendors[0]
    paid_out = ledger.vendor_balance(shop.id, "USD")
    # The shop was paid out everything in its account (issue 7's payout, booked by hand here).
    ledger.post(
        "test:payout:1",
        "payout",
        "Payout of the shop's balance to its bank",
        [
            ledger.Posting(ledger.vendor_code(shop.id, "balance"), paid_out, "USD"),
            ledger.Posting(ledger.CASH, -paid_out, "USD"),
        ],
    )
    db.session.commit()
    _as_shop(client, shop)

    response = client.post(
        f"/sell/orders/{part.id}/refund",
        data={"what": "all", "reason": "Never arrived"},
        follow_redirects=True,
    )

    assert "recorded as owed to the marketplace" in response.get_data(as_text=True)
    refund = db.session.scalars(select(Refund)).one()
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.reversal_status == ReversalStatus.FAILED
    assert _gateway_objects("transfer_reversal") == []
    position = ledger.vendor_position(shop.id, "USD")
    assert position.receivable == part.vendor_net_minor
    support.ledger_is_sound()


def test_a_refund_before_the_transfer_takes_the_share_from_what_is_payable(client, market):
    shop = market.vendors[0]
    shop.payout_account_id = None  # its share cannot be transferred yet
    shop.payout_gateway = None
    order = _paid_order(market, (2, 1))
    part = _first_part(order)
    line = part.lines[0]
    _as_shop(client, shop)

    client.post(
        f"/sell/orders/{part.id}/refund",
        data={"what": "lines", f"qty-{line.id}": "1", "reason": "One was missing"},
    )

    refund = db.session.scalars(select(Refund)).one()
    assert refund.reversal_status == ReversalStatus.NOT_NEEDED
    payable = ledger.order_vendor_position(order.id, shop.id, "USD").payable
    assert payable == part.vendor_net_minor - (
        line.unit_price_minor - refund.commission_returned_minor
    )
    support.onboard_offline(shop)
    transfer = services.release_vendor_order_funds(part.id)
    db.session.commit()
    assert transfer.amount_minor == payable
    assert db.session.scalar(select(func.count(Transfer.id))) == 2
    support.ledger_is_sound()


def test_the_keep_policy_keeps_the_commission(app, client, market, paid):
    app.config["REFUND_COMMISSION_POLICY"] = "keep"
    part = _first_part(paid)
    _as_shop(client, market.vendors[0])

    client.post(f"/sell/orders/{part.id}/refund", data={"what": "all", "reason": "Broken"})

    refund = db.session.scalars(select(Refund)).one()
    assert refund.commission_returned_minor == 0
    position = ledger.vendor_position(market.vendors[0].id, "USD")
    assert position.receivable == part.commission_minor
    support.ledger_is_sound()


def test_an_unpaid_order_cannot_be_refunded(client, market):
    order = support.place_order(market)
    db.session.commit()
    _as_admin(client)

    response = client.post(
        f"/admin/orders/{order.number}/refund-all", data={"reason": "Test"}, follow_redirects=True
    )

    assert "has not been paid" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Refund.id))) == 0
