"""Fulfilment forms (CSRF-protected). Per-line quantities are read from `qty-<line id>` inputs
by the views, since the lines vary per order."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from marketplace.forms import required_text
from marketplace.fulfilment.carriers import CARRIER_CHOICES
from marketplace.fulfilment.services import REASON_MAX
from marketplace.fulfilment.tracking import DESCRIPTION_MAX, LOCATION_MAX

EVENT_CHOICES = [
    SelectChoice("in_transit", "In transit"),
    SelectChoice("out_for_delivery", "Out for delivery"),
    SelectChoice("delivered", "Delivered"),
    SelectChoice("exception", "Delivery problem"),
]
CARRIERS = [SelectChoice(code, name) for code, name in CARRIER_CHOICES]


class ActionForm(FlaskForm):
    """A button that changes something (its CSRF token is all it carries)."""


class ShipForm(FlaskForm):
    carrier = SelectField(
        "Carrier", choices=CARRIERS, validators=[DataRequired("Choose the carrier.")]
    )
    tracking_number = StringField(
        "Tracking number",
        validators=[DataRequired("Enter the tracking number."), Length(max=64)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class CancelForm(FlaskForm):
    reason = required_text(
        "Why you cannot send them (the buyer reads it)",
        required="Say why you cannot send them.",
        max_length=REASON_MAX,
    )


class TrackingEventForm(FlaskForm):
    status = SelectField("What happened", choices=EVENT_CHOICES)
    occurred_at = DateTimeLocalField(
        "When (UTC)",
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired("Give the date and time (UTC).")],
    )
    location = StringField("Where", validators=[Optional(), Length(max=LOCATION_MAX)])
    description = StringField("Note", validators=[Optional(), Length(max=DESCRIPTION_MAX)])


class ReturnRequestForm(FlaskForm):
    reason = required_text(
        "Why you are returning it (the shop reads it)",
        required="Say why you are returning it.",
        max_length=REASON_MAX,
    )


class ApproveReturnForm(FlaskForm):
    label_url = StringField(
        "Return label link",
        validators=[Optional(), Length(max=500)],
        description="A prepaid label the buyer can print, or leave empty and give an address.",
    )
    address = TextAreaField("Return address", validators=[Optional(), Length(max=1000)])
    note = StringField("Note to the buyer", validators=[Optional(), Length(max=500)])


class RefuseReturnForm(FlaskForm):
    reason = required_text(
        "Why you refuse (the buyer and the marketplace team read it)",
        required="Say why you refuse the return.",
        max_length=REASON_MAX,
    )


class ReceivedForm(FlaskForm):
    resellable = BooleanField("The items can be sold again: put them back in stock")


class DisputeDecisionForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[
            SelectChoice("refund", "Refund the buyer for the items"),
            SelectChoice("refuse", "Refuse the return"),
        ],
        validators=[DataRequired("Choose a decision.")],
    )
    reason = required_text(
        "Reason (the buyer and the shop read it)",
        required="Give the reason for the decision.",
        max_length=REASON_MAX,
    )
