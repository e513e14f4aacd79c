"""Seller forms: what the browser may send, with limits matching the onboarding rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from marketplace.vendors import applications as rules
from marketplace.vendors.countries import country_choices
from marketplace.vendors.exceptions import DisplayNameTaken


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _length(low: int, high: int) -> Length:
    return Length(min=low, max=high, message=f"Use {low} to {high} characters.")


class VendorApplicationForm(FlaskForm):
    """Apply to sell (or correct a rejected application). Field names match `apply_to_sell`."""

    business_name = StringField(
        "Legal business name",
        filters=[_strip],
        validators=[
            DataRequired("Enter the name your business is registered under."),
            _length(rules.BUSINESS_NAME_MIN, rules.BUSINESS_NAME_MAX),
        ],
        description="As registered; buyers do not see it. Sole traders use their own name.",
        render_kw={"autocomplete": "organization", "maxlength": rules.BUSINESS_NAME_MAX},
    )
    display_name = StringField(
        "Shop name",
        filters=[_strip],
        validators=[
            DataRequired("Choose the name buyers will see."),
            _length(rules.DISPLAY_NAME_MIN, rules.DISPLAY_NAME_MAX),
        ],
        description="Shown on your storefront and listings; your shop's web address is made "
        "from it. It must differ from every other shop's name.",
        render_kw={"maxlength": rules.DISPLAY_NAME_MAX},
    )
    country = SelectField(
        "Country",
        choices=[
            SelectChoice("", "Choose a country"),
            *(SelectChoice(code, name) for code, name in country_choices()),
        ],
        validators=[DataRequired("Choose the country your business is based in.")],
        description="Where your business is based. Payouts are made in this country.",
        render_kw={"autocomplete": "country"},
    )
    contact_email = EmailField(
        "Contact e-mail",
        filters=[_strip],
        validators=[
            DataRequired("Enter an e-mail address we can reach the shop at."),
            Length(max=rules.CONTACT_EMAIL_MAX, message="That address is too long."),
            Email("Enter a valid e-mail address, like orders@example.com."),
        ],
        description="Where we send decisions about your shop and its listings.",
        render_kw={"autocomplete": "email", "maxlength": rules.CONTACT_EMAIL_MAX},
    )
    contact_phone = StringField(
        "Phone",
        filters=[_strip],
        validators=[Optional(), Length(max=rules.PHONE_MAX, message="That is too long.")],
        description="With the country code, like +1 555 010 0199.",
        render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": rules.PHONE_MAX},
    )
    description = TextAreaField(
        "About your shop",
        validators=[
            DataRequired("Tell buyers and our team what you sell."),
            _length(rules.DESCRIPTION_MIN, rules.DESCRIPTION_MAX),
        ],
        description="What you make or sell, and how. Shown on your storefront.",
        render_kw={"rows": 6, "maxlength": rules.DESCRIPTION_MAX},
    )
    accepted_terms = BooleanField(
        "I have read and agree to the seller terms",
        validators=[DataRequired("You need to agree to the seller terms to sell here.")],
    )
    submit = SubmitField("Submit application")

    def __init__(self, *args: Any, vendor_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vendor_id = vendor_id  # the applicant's own (rejected) shop, whose name it may keep

    def validate_display_name(self, field: StringField) -> None:
        """Say a name is taken together with the other errors (the service checks again)."""
        if field.data and rules.display_name_taken(
            " ".join(field.data.split()), exclude_vendor_id=self.vendor_id
        ):
            raise ValidationError(DisplayNameTaken.message)
