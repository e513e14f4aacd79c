"""Fulfilment refusals, each with a message for the shop, buyer or admin who asked."""

from __future__ import annotations

from marketplace.errors import DomainError


class FulfilmentError(DomainError):
    """A fulfilment action that could not be done; `field` names the form field, if any."""

    message = "That could not be done to the order."


class VendorOrderNotFound(FulfilmentError):
    """No such vendor order, or not the acting shop's (the two are never told apart)."""

    message = "There is no such order in your shop."


class InvalidTransition(FulfilmentError):
    """The vendor order's state does not allow the action."""

    message = "The order is not in a state that allows this."


class InvalidQuantities(FulfilmentError):
    message = "Choose at least one unit."


class InvalidTracking(FulfilmentError):
    message = "Check the carrier and the tracking number."
    field = "tracking_number"


class ReasonRequired(FulfilmentError):
    message = "Give a reason: the buyer reads it."
    field = "reason"


class UnknownShipment(FulfilmentError):
    """A tracking event for a parcel the marketplace does not know."""

    message = "No shipment has that tracking number."


class ReturnNotAllowed(FulfilmentError):
    message = "That return cannot be made."


class ReturnNotFound(FulfilmentError):
    message = "There is no such return request."
