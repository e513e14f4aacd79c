"""The e-mails fulfilment sends: the buyer at each step of its order, the shop when it must act.

Each is recorded with `send_email` in the caller's transaction and delivered by a mail-queue
job after commit, so a rolled-back action sends nothing.
"""

from __future__ import annotations

from flask import has_request_context, url_for

from marketplace.fulfilment.carriers import carrier_name, tracking_link
from marketplace.fulfilment.models import ReturnRequest, Shipment
from marketplace.notifications.services import send_email
from marketplace.orders.models import OrderLine, VendorOrder
from marketplace.payments.models import Refund
from marketplace.web import format_money


def _link(endpoint: str, path: str, **values: object) -> str:
    """An absolute link during a request; the site path otherwise (a cron job has no host)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    return path


def _order_link(vendor_order: VendorOrder) -> str:
    number = vendor_order.order.number
    return _link("buyers.order", f"/orders/{number}", number=number)


def _vendor_order_link(vendor_order: VendorOrder) -> str:
    return _link(
        "fulfilment.vendor_order",
        f"/sell/orders/{vendor_order.id}",
        vendor_order_id=vendor_order.id,
    )


def _to_buyer(vendor_order: VendorOrder, kind: str, subject: str, body: str) -> None:
    order = vendor_order.order
    shop = vendor_order.vendor.display_name
    text = f"{body}\n\nYour order: {_order_link(vendor_order)}\n"
    send_email(
        order.email,
        f"{subject} · order {order.number} from {shop}",
        text,
        kind=f"fulfilment_{kind}",
        user_id=order.buyer_id,
    )


def _to_shop(vendor_order: VendorOrder, kind: str, subject: str, body: str) -> None:
    vendor = vendor_order.vendor
    text = f"{body}\n\nThe order: {_vendor_order_link(vendor_order)}\n"
    send_email(
        vendor.contact_email,
        f"{subject} · order {vendor_order.order.number}",
        text,
        kind=f"fulfilment_{kind}",
        user_id=vendor.owner_id,
    )


def _units(lines: list[tuple[OrderLine, int]]) -> str:
    return "\n".join(f"- {quantity} x {line.title}" for line, quantity in lines)


def accepted(vendor_order: VendorOrder) -> None:
    ship_by = vendor_order.ship_by.strftime("%d %b %Y") if vendor_order.ship_by else "soon"
    _to_buyer(
        vendor_order,
        "accepted",
        "Your order is being prepared",
        f"{vendor_order.vendor.display_name} accepted your order and will ship it by {ship_by}.",
    )


def shipped(shipment: Shipment, lines: list[tuple[OrderLine, int]]) -> None:
    vendor_order = shipment.vendor_order
    link = tracking_link(shipment.carrier, shipment.tracking_number)
    tracking = f"{carrier_name(shipment.carrier)} tracking number {shipment.tracking_number}"
    _to_buyer(
        vendor_order,
        "shipped",
        "Your parcel is on its way",
        f"{vendor_order.vendor.display_name} sent a parcel with:\n{_units(lines)}\n\n"
        f"{tracking}" + (f"\nTrack it: {link}" if link else ""),
    )


def out_for_delivery(shipment: Shipment) -> None:
    _to_buyer(
        shipment.vendor_order,
        "out_for_delivery",
        "Your parcel is out for delivery",
        f"The parcel {shipment.tracking_number} is out for delivery today.",
    )


def delivered(shipment: Shipment) -> None:
    _to_buyer(
        shipment.vendor_order,
        "delivered",
        "Your parcel was delivered",
        f"The parcel {shipment.tracking_number} was delivered. If something is wrong with it, "
        "you can ask to return it from your order page.",
    )


def lines_cancelled(
    vendor_order: VendorOrder,
    lines: list[tuple[OrderLine, int]],
    reason: str,
    refund: Refund | None,
) -> None:
    money = (
        f"We refunded {format_money(refund.amount_minor, refund.currency)} to your original "
        "payment method."
        if refund
        else "These items had already been refunded."
    )
    _to_buyer(
        vendor_order,
        "cancelled",
        "Part of your order was cancelled"
        if vendor_order.status != "cancelled"
        else "Your order was cancelled",
        f"{vendor_order.vendor.display_name} cannot send:\n{_units(lines)}\n\n"
        f"Reason: {reason}\n\n{money}",
    )


def ship_reminder(vendor_order: VendorOrder, cancel_on: str) -> None:
    ship_by = vendor_order.ship_by.strftime("%d %b %Y, %H:%M UTC") if vendor_order.ship_by else ""
    _to_shop(
        vendor_order,
        "ship_reminder",
        "Ship this order soon",
        f"Order {vendor_order.order.number} should ship by {ship_by}. Orders not shipped by "
        f"{cancel_on} are cancelled and refunded automatically, and add a strike to your shop.",
    )


def return_requested(request: ReturnRequest) -> None:
    vendor_order = request.vendor_order
    answer_by = request.respond_by.strftime("%d %b %Y") if request.respond_by else ""
    units = _units([(line.order_line, line.quantity) for line in request.lines])
    _to_shop(
        vendor_order,
        "return_requested",
        "A buyer asks to return items",
        f"The buyer asks to return:\n{units}\n\nReason: {request.reason}\n\n"
        f"Approve or refuse it by {answer_by}; without an answer the marketplace team decides.",
    )


def return_approved(request: ReturnRequest) -> None:
    how = (
        f"Print your return label: {request.return_label_url}"
        if request.return_label_url
        else f"Send the items to:\n{request.return_address}"
    )
    note = f"\n\nThe shop adds: {request.vendor_response}" if request.vendor_response else ""
    _to_buyer(
        request.vendor_order,
        "return_approved",
        "Your return is approved",
        f"{request.vendor_order.vendor.display_name} approved your return.\n\n{how}{note}\n\n"
        "You are refunded as soon as the shop receives the items.",
    )


def return_escalated(request: ReturnRequest) -> None:
    _to_buyer(
        request.vendor_order,
        "return_escalated",
        "Your return is with our team",
        f"{request.escalation_reason}\n\nThe marketplace team will look at your request and "
        "tell you what it decides.",
    )


def return_refunded(request: ReturnRequest, refund: Refund) -> None:
    amount = format_money(refund.amount_minor, refund.currency)
    _to_buyer(
        request.vendor_order,
        "return_refunded",
        "Your return is refunded",
        f"We refunded {amount} for your return to your original payment method.",
    )


def dispute_refused(request: ReturnRequest) -> None:
    _to_buyer(
        request.vendor_order,
        "return_refused",
        "Your return was not accepted",
        f"The marketplace team looked at your return request and did not accept it.\n\n"
        f"Reason: {request.dispute_reason}",
    )


def dispute_decided_to_shop(request: ReturnRequest) -> None:
    outcome = "refunded the buyer" if request.dispute_decision == "refund" else "refused it"
    _to_shop(
        request.vendor_order,
        "dispute_decided",
        "The return dispute is decided",
        f"The marketplace team {outcome}.\n\nReason: {request.dispute_reason}",
    )
