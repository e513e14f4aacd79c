"""Forms of the vendor listing pages: the listing editor, stock adjustments and CSV import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from marketplace.catalog.services import (
    DESCRIPTION_MAX,
    MAX_VARIANTS,
    REASON_MAX,
    STOCK_MAX,
    TITLE_MAX,
    VARIANT_NAME_MAX,
)


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def optional_int(value: object) -> int | None:
    """Select values arrive as text; an empty or non-numeric choice is "nothing chosen"."""
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


class MarkedRequired:
    """No check of its own (the catalog services judge the value); labels the field required."""

    field_flags = {"required": True}

    def __call__(self, form: object, field: object) -> None:
        return None


def _count_field(label: str, description: str | None = None) -> IntegerField:
    return IntegerField(
        label,
        default=0,
        validators=[Optional()],
        description=description,
        render_kw={"min": 0, "max": STOCK_MAX, "inputmode": "numeric"},
    )


class VariantRowForm(Form):
    """One row of the variants editor (no CSRF of its own: it lives inside the listing form)."""

    id = HiddenField(filters=[_strip])
    sku = StringField("SKU", filters=[_strip], render_kw={"maxlength": 64, "spellcheck": "false"})
    name = StringField(
        "Option",
        filters=[_strip],
        render_kw={"maxlength": VARIANT_NAME_MAX, "placeholder": "Default"},
    )
    price = StringField(
        "Price", filters=[_strip], render_kw={"inputmode": "decimal", "placeholder": "0.00"}
    )
    currency = SelectField("Currency", choices=[])
    stock_on_hand = _count_field("Stock on hand")
    reorder_point = _count_field("Reorder point")
    allow_backorder = BooleanField("Allow backorder")
    remove = BooleanField("Remove")

    def is_blank(self) -> bool:
        """A new row left empty is ignored rather than refused."""
        return not (self.id.data or self.sku.data or self.price.data or self.name.data)


class ListingForm(FlaskForm):
    """The listing editor. Category attributes are extra inputs named `attr:<name>`."""

    # Content rules live in the catalog services; the form only checks types.
    title = StringField(
        "Title",
        filters=[_strip],
        validators=[InputRequired("Enter a title.")],
        description="What the item is, plainly: brand, product type, key detail.",
        render_kw={"maxlength": TITLE_MAX},
    )
    description = TextAreaField(
        "Description",
        filters=[_strip],
        description="Materials, size, care, what's in the box.",
        render_kw={"rows": 8, "maxlength": DESCRIPTION_MAX},
    )
    category = SelectField(
        "Category",
        coerce=optional_int,
        choices=[],
        validate_choice=False,
        validators=[MarkedRequired()],
    )
    extra_attributes = TextAreaField(
        "Other details",
        filters=[_strip],
        description="One per line, like: Material = Stoneware",
        render_kw={"rows": 3},
    )
    variants = FieldList(FormField(VariantRowForm), min_entries=1, max_entries=MAX_VARIANTS)
    save = SubmitField("Save draft")
    submit_review = SubmitField("Submit for review")
    add_variant = SubmitField("Add another variant")
    refresh = SubmitField("Show details for this category")


class StockAdjustmentForm(FlaskForm):
    """A counted change of stock on hand with its reason."""

    variant = SelectField(
        "Variant",
        coerce=optional_int,
        choices=[],
        validate_choice=False,
        validators=[MarkedRequired()],
    )
    delta = IntegerField(
        "Change",
        validators=[InputRequired("Enter how many units to add (5) or remove (-2).")],
        description="Positive adds units, negative removes them.",
        render_kw={"inputmode": "numeric", "placeholder": "e.g. 12 or -3"},
    )
    reason = StringField(
        "Reason",
        filters=[_strip],
        validators=[
            DataRequired("Say why the stock changes."),
            Length(max=REASON_MAX, message=f"Use at most {REASON_MAX} characters."),
        ],
        render_kw={"maxlength": REASON_MAX, "placeholder": "Delivery from supplier"},
    )
    submit = SubmitField("Record adjustment")


class ListingsImportForm(FlaskForm):
    """A CSV file of listings and how to treat bad rows."""

    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file to import.")],
        render_kw={"accept": ".csv,text/csv"},
    )
    apply_valid = BooleanField(
        "Import the valid rows even if some rows have errors",
        description="Without this, a file with any error changes nothing.",
    )
    submit = SubmitField("Check and import")
