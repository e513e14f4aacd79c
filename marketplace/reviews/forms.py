"""Review forms: writing a review, rating a shop, reporting, replying and moderating."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length

from marketplace.catalog.images import ACCEPT_ATTRIBUTE
from marketplace.forms import required_text, strip_whitespace
from marketplace.reviews.feedback import REPLY_MAX, REPORT_REASON_MAX
from marketplace.reviews.moderation import REASON_MAX
from marketplace.reviews.services import BODY_MAX, TITLE_MAX

STAR_CHOICES = [
    SelectChoice(5, "5 stars — excellent"),
    SelectChoice(4, "4 stars — good"),
    SelectChoice(3, "3 stars — average"),
    SelectChoice(2, "2 stars — poor"),
    SelectChoice(1, "1 star — very poor"),
]
SCORE_CHOICES = [SelectChoice(value, str(value)) for value in (5, 4, 3, 2, 1)]


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ReviewForm(FlaskForm):
    rating = RadioField(
        "Your rating",
        choices=STAR_CHOICES,
        coerce=int,
        validators=[InputRequired("Choose from 1 to 5 stars.")],
    )
    title = StringField(
        "Title",
        filters=[strip_whitespace],
        validators=[DataRequired("Give your review a title."), Length(max=TITLE_MAX)],
        render_kw={
            "maxlength": TITLE_MAX,
            "placeholder": "The most important thing in a few words",
        },
    )
    body = required_text(
        "Your review",
        required="Write what you thought of the item.",
        max_length=BODY_MAX,
        rows=6,
        description="What did you like or dislike? How did you use it? Links and contact details "
        "aren't allowed.",
    )
    photos = MultipleFileField(
        "Photos",
        render_kw={"accept": ACCEPT_ATTRIBUTE},
        description="JPEG, PNG or WebP; at least 200 pixels on each side.",
    )
    remove_photos = CheckboxListField("Remove photos", coerce=int, choices=[])
    submit = SubmitField("Publish review")


def _score_field(label: str) -> RadioField:
    return RadioField(
        label, choices=SCORE_CHOICES, coerce=int, validators=[InputRequired("Choose from 1 to 5.")]
    )


class ShopRatingForm(FlaskForm):
    item_as_described = _score_field("Item as described")
    shipping_speed = _score_field("Shipping speed")
    communication = _score_field("Communication")
    submit = SubmitField("Save rating")


class ReportForm(FlaskForm):
    reason = required_text(
        "What is wrong with this review?",
        required="Say what is wrong with the review.",
        max_length=REPORT_REASON_MAX,
    )
    submit = SubmitField("Report review")


class ReplyForm(FlaskForm):
    body = required_text("Public reply", required="Write your reply.", max_length=REPLY_MAX)
    submit = SubmitField("Publish reply")


class ModerationForm(FlaskForm):
    reason = required_text(
        "Reason",
        required="Give a reason; it is kept in the audit log.",
        max_length=REASON_MAX,
        description="Kept in the audit log; for a rejection or removal the author sees it too.",
    )


class ConfirmForm(FlaskForm):
    """An action that needs no input: the CSRF token and a button."""

    submit = SubmitField("Confirm")
