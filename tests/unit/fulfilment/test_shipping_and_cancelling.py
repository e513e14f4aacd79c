"""Accepting, shipping (several parcels, checked tracking numbers) and cancelling units."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Variant
from marketplace.extensions import db
from marketplace.fulfilment import carriers, services
from marketplace.fulfilment.exceptions import InvalidQuantities, InvalidTracking, ReasonRequired
from marketplace.fulfilment.models import Shipment
from marketplace.orders.models import OrderLine, VendorOrderStatus
from marketplace.payments.models import Refund
from marketplace.payouts.refunds import plan_refund
from tests.unit.fulfilment import support
from tests.unit.payments import payments_support

S = VendorOrderStatus


@pytest.mark.parametrize(
    ("carrier", "number", "normalised"),
    [
        ("ups", "1z 999 aa1 0123 4567 84", "1Z999AA10123456784"),
        ("usps", "9400 1118 9922 3197 4284 90", "9400111899223197428490"),
        ("usps", "ea123456789us", "EA123456789US"),
        ("fedex", "1234-5678-9012", "123456789012"),
        ("dhl", "1234567890", "1234567890"),
        ("royal_mail", "AB 123 456 789 GB", "AB123456789GB"),
        ("other", "PARCEL-42x", "PARCEL42X"),
    ],
)
def test_tracking_numbers_in_each_carriers_format_are_accepted(carrier, number, normalised):
    chosen, clean = carriers.checked_tracking(carrier, number)

    assert clean == normalised
    assert chosen.code == carrier


@pytest.mark.parametrize(
    ("carrier", "number"),
    [
        ("ups", "123456789012"),
        ("usps", "1Z999AA10123456784"),
        ("fedex", "12345"),
        ("dhl", "AB123456789GB"),
        ("royal_mail", "AB123456789US"),
        ("other", "x"),
        ("pigeon", "1234567890"),
        ("ups", ""),
    ],
)
def test_tracking_numbers_that_do_not_fit_the_carrier_are_refused(carrier, number):
    with pytest.raises(InvalidTracking):
        carriers.checked_tracking(carrier, number)


def test_tracking_links_are_built_from_the_carrier():
    assert carriers.tracking_link("ups", "1Z999AA10123456784") == (
        "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    )
    assert carriers.tracking_link("royal_mail", "AB123456789GB").endswith("AB123456789GB")
    assert carriers.tracking_link("other", "PARCEL42") is None


def test_accepting_tells_the_buyer(order):
    vendor_order = support.part_of(order)

    support.accept(vendor_order)

    accepted = support.part_of(order)
    assert accepted.status == S.ACCEPTED
    assert accepted.accepted_at is not None
    (mail,) = support.emails("fulfilment_accepted")
    assert mail.to_address == order.email
    assert order.number in mail.subject


def test_shipping_half_then_the_rest_makes_two_parcels_and_mails_tracking_links(order):
    vendor_order = support.part_of(order)
    line = vendor_order.lines[0]
    support.accept(vendor_order)

    first = support.ship(support.part_of(order), {line.id: 2}, "1Z999AA10000000001")
    partly = support.part_of(order)
    assert partly.status == S.PARTIALLY_SHIPPED
    assert partly.lines[0].quantity_shipped == 2
    assert partly.shipped_at is not None
    support.ship(support.part_of(order), {line.id: 1}, "1Z999AA10000000002")

    done = support.part_of(order)
    assert done.status == S.SHIPPED
    assert done.shipped_at == partly.shipped_at  # the first parcel's time
    assert [s.tracking_number for s in db.session.scalars(select(Shipment))] == [
        "1Z999AA10000000001",
        "1Z999AA10000000002",
    ]
    assert [(sl.order_line_id, sl.quantity) for sl in first.lines] == [(line.id, 2)]
    mails = support.emails("fulfilment_shipped")
    assert len(mails) == 2
    assert "https://www.ups.com/track?tracknum=1Z999AA10000000001" in mails[0].body_text


def test_shipping_more_than_is_left_or_nothing_or_a_used_number_is_refused(order):
    vendor_order = support.part_of(order)
    line = vendor_order.lines[0]
    support.accept(vendor_order)
    support.ship(support.part_of(order), {line.id: 1}, "1Z999AA10000000001")

    with pytest.raises(InvalidQuantities, match="Only 2 of"):
        support.ship(support.part_of(order), {line.id: 3})
    db.session.rollback()
    with pytest.raises(InvalidQuantities, match="at least one unit"):
        support.ship(support.part_of(order), {line.id: 0})
    db.session.rollback()
    with pytest.raises(InvalidTracking, match="already has this tracking number"):
        support.ship(support.part_of(order), {line.id: 1}, "1Z999AA10000000001")
    db.session.rollback()

    assert support.count(Shipment) == 1
    assert support.part_of(order).lines[0].quantity_shipped == 1


def test_cancelling_units_refunds_exactly_those_units_and_restocks_nothing(order, market):
    vendor_order = support.part_of(order)
    line = vendor_order.lines[0]  # 3 x $25.00, 8% tax
    stock_before = support.fresh(Variant, line.variant_id).stock_on_hand
    expected = plan_refund(vendor_order, {line.id: 2}, shipping=False).amount_minor

    result = services.cancel_units(
        vendor_order, {line.id: 2}, "  Two were damaged  in storage ", actor_id=None
    )
    db.session.commit()

    assert expected == 2 * 2500 + 400  # two units and their 8% tax
    refund = db.session.scalars(select(Refund)).one()
    assert refund.amount_minor == expected
    assert refund.shipping_minor == 0
    assert refund.restock is False
    assert refund.lines == [
        {"line_id": line.id, "quantity": 2, "amount_minor": 5000, "tax_minor": 400}
    ]
    cancelled_line = support.fresh(OrderLine, line.id)
    assert (cancelled_line.quantity_cancelled, cancelled_line.quantity_refunded) == (2, 2)
    assert cancelled_line.quantity_to_ship == 1
    assert support.fresh(Variant, line.variant_id).stock_on_hand == stock_before
    assert result.vendor_order.status == S.PAID  # one unit is still to ship
    (mail,) = support.emails("fulfilment_cancelled")
    assert "Two were damaged in storage" in mail.body_text
    assert "$54.00" in mail.body_text
    payments_support.ledger_is_sound()


def test_cancelling_everything_before_shipping_refunds_shipping_too_and_closes_it(order):
    vendor_order = support.part_of(order)
    total = vendor_order.subtotal_minor + vendor_order.shipping_minor + vendor_order.tax_minor

    services.cancel_units(vendor_order, None, "Shop closed for holidays", actor_id=None)
    db.session.commit()

    cancelled = support.part_of(order)
    assert cancelled.status == S.CANCELLED
    assert cancelled.cancelled_at is not None
    assert cancelled.cancel_reason == "Shop closed for holidays"
    assert db.session.scalars(select(Refund)).one().amount_minor == total
    payments_support.ledger_is_sound()


def test_cancelling_the_rest_of_a_partly_shipped_order_leaves_it_shipped(order):
    vendor_order = support.part_of(order)
    line = vendor_order.lines[0]
    support.accept(vendor_order)
    support.ship(support.part_of(order), {line.id: 1})

    services.cancel_units(support.part_of(order), None, "Sold out", actor_id=None)
    db.session.commit()

    shipped = support.part_of(order)
    assert shipped.status == S.SHIPPED
    assert shipped.lines[0].quantity_cancelled == 2
    refund = db.session.scalars(select(Refund)).one()
    assert refund.shipping_minor == 0  # the parcel that left was shipped at the buyer's cost


def test_a_cancellation_needs_a_reason(order):
    vendor_order = support.part_of(order)

    with pytest.raises(ReasonRequired):
        services.cancel_units(vendor_order, None, "   ", actor_id=None)
    db.session.rollback()

    assert support.count(Refund) == 0
    assert support.part_of(order).status == S.PAID
