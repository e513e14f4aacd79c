"""The offline gateway's payment page with its documented test cards, end to end.

The page issues signed gateway events; the order is paid only by the success event, and then
the ledger holds the payment, its fee and one transfer per vendor order.
"""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments.models import OfflineGatewayObject, Payment, PaymentStatus, WebhookEvent
from marketplace.payments.offline_payments import card_fee
from marketplace.payouts import ledger
from marketplace.payouts.models import Transfer, TransferStatus
from tests import factories
from tests.helpers import sign_in
from tests.unit.payments import payments_support as support


def _card(number: str) -> dict[str, str]:
    return {"card_number": number, "expiry": "12 / 34", "cvc": "123"}


def _reload(order: Order) -> tuple[Order, Payment]:
    db.session.expire_all()
    fresh = db.session.get(Order, order.id)
    payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    return fresh, payment


def _events(event_type: str | None = None) -> list[WebhookEvent]:
    stmt = select(WebhookEvent).where(WebhookEvent.provider == "offline")
    if event_type:
        stmt = stmt.where(WebhookEvent.type == event_type)
    return list(db.session.scalars(stmt.order_by(WebhookEvent.id)))


def test_the_page_lists_the_test_cards_and_the_amount(client, paying):
    order, started = paying()

    page = client.get(started.redirect_url).get_data(as_text=True)

    for number in ("4242 4242 4242 4242", "4000 0000 0000 0002", "4000 0000 0000 9995"):
        assert number in page
    assert "4000 0027 6000 3184" in page
    assert f"${order.grand_total_minor / 100:,.2f}" in page


def test_a_successful_card_pays_the_order_books_it_and_pays_every_vendor(client, paying, market):
    order, started = paying()

    response = client.post(started.redirect_url, data=_card(support.VISA))

    assert response.status_code == 303
    assert response.headers["Location"] == f"/checkout/payments/{started.payment_id}/return"
    order, payment = _reload(order)
    assert order.status == OrderStatus.PAID
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.fee_minor == card_fee(order.grand_total_minor)
    assert [e.type for e in _events()][-1] == "payment_intent.succeeded"
    transfers = list(db.session.scalars(select(Transfer).order_by(Transfer.id)))
    assert [(t.vendor_order_id, t.amount_minor, t.status) for t in transfers] == [
        (vo.id, vo.vendor_net_minor, TransferStatus.SUCCEEDED) for vo in order.vendor_orders
    ]
    for transfer in transfers:
        stored = db.session.scalars(
            select(OfflineGatewayObject).where(
                OfflineGatewayObject.object_id == transfer.gateway_reference
            )
        ).one()
        assert stored.data["source_transaction"] == payment.charge_reference
        assert stored.data["transfer_group"] == f"order_{order.id}"
    fees = ledger.account_balance(ledger.GATEWAY_FEES, "USD")
    assert fees == payment.fee_minor
    for vendor, vendor_order in zip(market.vendors, order.vendor_orders, strict=True):
        assert ledger.vendor_balance(vendor.id, "USD") == vendor_order.vendor_net_minor
    support.ledger_is_sound()


def test_coming_back_says_thank_you_once_paid(client, paying):
    _order, started = paying()
    client.post(started.redirect_url, data=_card(support.VISA))

    page = client.get(f"/checkout/payments/{started.payment_id}/return", follow_redirects=True)

    assert "Payment received" in page.get_data(as_text=True)


def test_coming_back_without_paying_does_not_pay_the_order(client, paying):
    order, started = paying()

    page = client.get(f"/checkout/payments/{started.payment_id}/return", follow_redirects=True)

    assert "waiting for the payment provider" in page.get_data(as_text=True)
    order, payment = _reload(order)
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT


def test_a_declined_card_leaves_the_order_unpaid_with_the_reason(client, paying):
    order, started = paying()

    response = client.post(started.redirect_url, data=_card(support.DECLINED))

    assert response.status_code == 303
    assert response.headers["Location"] == started.redirect_url
    page = client.get(started.redirect_url).get_data(as_text=True)
    assert "Your card was declined." in page
    order, payment = _reload(order)
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert payment.status == PaymentStatus.FAILED
    assert payment.failure_message == "Your card was declined."
    assert support.ledger_entries() == 0
    assert db.session.scalar(select(func.count(Transfer.id))) == 0


def test_insufficient_funds_is_said_as_such_and_the_buyer_can_pay_again(client, paying):
    order, started = paying()

    client.post(started.redirect_url, data=_card(support.INSUFFICIENT_FUNDS))
    _order, payment = _reload(order)
    assert payment.failure_message == "Your card has insufficient funds."

    client.post(started.redirect_url, data=_card(support.VISA))
    order, payment = _reload(order)
    assert order.status == OrderStatus.PAID
    assert payment.failure_message is None


def test_the_authentication_card_asks_to_authorise_first(client, paying):
    order, started = paying()

    response = client.post(started.redirect_url, data=_card(support.AUTHENTICATE))

    authorise_url = f"{started.redirect_url}/authorise"
    assert response.headers["Location"] == authorise_url
    assert "Authorise this payment" in client.get(authorise_url).get_data(as_text=True)
    order, payment = _reload(order)
    assert payment.status == PaymentStatus.REQUIRES_ACTION
    assert order.status == OrderStatus.PENDING_PAYMENT

    client.post(authorise_url, data={"decision": "authorise"})
    order, payment = _reload(order)
    assert order.status == OrderStatus.PAID
    assert [e.type for e in _events()][-2:] == [
        "payment_intent.requires_action",
        "payment_intent.succeeded",
    ]


def test_failing_the_authentication_fails_the_payment(client, paying):
    order, started = paying()
    client.post(started.redirect_url, data=_card(support.AUTHENTICATE))

    client.post(f"{started.redirect_url}/authorise", data={"decision": "refuse"})

    order, payment = _reload(order)
    assert payment.status == PaymentStatus.FAILED
    assert "unable to authenticate" in payment.failure_message
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_a_card_that_is_not_a_test_card_is_refused_on_the_form(client, paying):
    order, started = paying()
    before = len(_events())

    typo = client.post(started.redirect_url, data=_card("4242 4242 4242 4241"))
    real = client.post(started.redirect_url, data=_card("5555 5555 5555 4444"))

    assert "Your card number is incorrect." in typo.get_data(as_text=True)
    assert "only the test cards" in real.get_data(as_text=True)
    assert len(_events()) == before
    _order, payment = _reload(order)
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT


def test_another_buyer_cannot_see_or_use_the_payment_page(client, paying):
    order, started = paying()
    stranger = factories.UserFactory()
    db.session.commit()
    sign_in(client, stranger)

    assert client.get(started.redirect_url).status_code == 404
    assert client.post(started.redirect_url, data=_card(support.VISA)).status_code == 404
    order, _payment = _reload(order)
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_a_paid_order_page_sends_the_buyer_back_to_the_order(client, paying):
    order, started = paying()
    client.post(started.redirect_url, data=_card(support.VISA))

    again = client.post(started.redirect_url, data=_card(support.VISA))

    assert again.status_code == 303
    assert again.headers["Location"] == f"/orders/{order.number}"
    assert len(_events("payment_intent.succeeded")) == 1
