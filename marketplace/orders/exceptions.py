"""Refusals of the cart, checkout and order services, each with a message for the buyer."""

from __future__ import annotations

from marketplace.errors import DomainError


class OrderError(DomainError):
    """A cart, checkout or order action that could not be done."""

    message = "That could not be done to your order."


class ItemUnavailable(OrderError):
    """The variant can't be bought (not live, shop not selling, or out of stock)."""

    message = "That item isn't available to buy right now."


class InvalidQuantity(OrderError):
    message = "Choose a quantity of at least 1."


class CartItemNotFound(OrderError):
    message = "That item is no longer in your cart."


class CartEmpty(OrderError):
    message = "Your cart is empty."


class MixedCurrencies(OrderError):
    """One order is paid in one currency; a cart priced in several can't be checked out."""

    message = (
        "Your cart has items priced in different currencies. Check out one currency at a time."
    )


class InvalidAddress(OrderError):
    """A shipping address field that is missing or malformed; `field` names it."""


class ShippingUnavailable(OrderError):
    """A vendor in the cart does not ship to the destination."""


class InvalidShippingChoice(OrderError):
    message = "That shipping option isn't offered for this order. Choose one of the options shown."


class LineNotPlaceable(OrderError):
    """One cart line stopped the order; `line` names it so the buyer knows which."""

    def __init__(self, message: str, *, line: str, variant_id: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.variant_id = variant_id


class OutOfStock(LineNotPlaceable):
    """Another buyer took the last units while this order was being placed."""


class PriceChanged(LineNotPlaceable):
    """The price moved since the buyer last saw it: the buyer must see the new price first."""


class OrderNotFound(OrderError):
    message = "We couldn't find that order."


class ReservationLost(OrderError):
    """Payment arrived after the order's reservation expired and the stock is gone."""

    message = (
        "The payment arrived after the reservation expired and some items have sold out since."
    )


class ShippingRateInvalid(OrderError):
    """A shipping rate a vendor entered that can't be saved; `field` names the culprit."""


class ShippingRateNotFound(OrderError):
    message = "That shipping rate doesn't exist (or isn't yours)."


class TaxRateInvalid(OrderError):
    """A tax rate an admin entered that can't be saved; `field` names the culprit."""


class TaxRateNotFound(OrderError):
    message = "That tax rate doesn't exist."
