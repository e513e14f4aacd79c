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
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length

from marketplace.catalog.images import ACCEPT_ATTRIBUTE
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


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


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
        filters=[_strip],
        validators=[DataRequired("Give your review a title."), Length(max=TITLE_MAX)],
        render_kw={
            "maxlength": TITLE_MAX,
            "placeholder": "The most important thing in a few words",
        },
    )
    body = TextAreaField(
        "Your review",
        filters=[_strip],
        validators=[DataRequired("Write what you thought of the item."), Length(max=BODY_MAX)],
        render_kw={"rows": 6, "maxlength": BODY_MAX},
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


class ShopRatingForm(FlaskForm):
    item_as_described = RadioField(
        "Item as described",
        choices=SCORE_CHOICES,
        coerce=int,
        validators=[InputRequired("Choose from 1 to 5.")],
    )
    shipping_speed = RadioField(
        "Shipping speed",
        choices=SCORE_CHOICES,
        coerce=int,
        validators=[InputRequired("Choose from 1 to 5.")],
    )
    communication = RadioField(
        "Communication",
        choices=SCORE_CHOICES,
        coerce=int,
        validators=[InputRequired("Choose from 1 to 5.")],
    )
    submit = SubmitField("Save rating")


class ReportForm(FlaskForm):
    reason = TextAreaField(
        "What is wrong with this review?",
        filters=[_strip],
        validators=[
            DataRequired("Say what is wrong with the review."),
            Length(max=REPORT_REASON_MAX),
        ],
        render_kw={"rows": 3, "maxlength": REPORT_REASON_MAX},
    )
    submit = SubmitField("Report review")


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Public reply",
        filters=[_strip],
        validators=[DataRequired("Write your reply."), Length(max=REPLY_MAX)],
        render_kw={"rows": 3, "maxlength": REPLY_MAX},
    )
    submit = SubmitField("Publish reply")


class ModerationForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        filters=[_strip],
        validators=[
            DataRequired("Give a reason; it is kept in the audit log."),
            Length(max=REASON_MAX),
        ],
        render_kw={"rows": 3, "maxlength": REASON_MAX},
        description="Kept in the audit log; for a rejection or removal the author sees it too.",
    )


class ConfirmForm(FlaskForm):
    """An action that needs no input: the CSRF token and a button."""

    submit = SubmitField("Confirm")
