"""Admin forms: decisions with reasons, product standards with per-kind parameters, re-checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from marketplace.catalog.standards import Param
from marketplace.forms import required_text, strip_whitespace

REASON_MAX_LENGTH = 2000
STANDARD_NAME_MAX_LENGTH = 120
CATEGORY_PATH = r"[a-z0-9-]+(/[a-z0-9-]+)*"


def _upper(value: str | None) -> str | None:
    return value.upper() if isinstance(value, str) else value


class ConfirmForm(FlaskForm):
    """A decision that needs no explanation (approving): the CSRF token and a button."""

    submit = SubmitField("Confirm")


class ReasonForm(FlaskForm):
    """A decision the other side must understand: the reason is sent to them and audited."""

    reason = required_text(
        "Reason", required="Give a reason; the seller sees it.", max_length=REASON_MAX_LENGTH
    )
    submit = SubmitField("Confirm")


class StandardForm(FlaskForm):
    """The parts every standard shares; the kind's own parameters are added per kind."""

    name = StringField(
        "Name",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Name the standard; sellers see it next to a failed check."),
            Length(
                max=STANDARD_NAME_MAX_LENGTH,
                message=f"Use at most {STANDARD_NAME_MAX_LENGTH} characters.",
            ),
        ],
        render_kw={"maxlength": STANDARD_NAME_MAX_LENGTH},
    )
    severity = SelectField(
        "Severity",
        choices=[
            SelectChoice("block", "Block — the listing goes back to the seller"),
            SelectChoice("review", "Needs review — a moderator decides"),
            SelectChoice("warn", "Warn — the seller is told, the listing goes live"),
        ],
        validators=[DataRequired("Choose a severity.")],
    )
    category_id = SelectField(
        "Applies to",
        coerce=str,
        validators=[Optional()],
        description="A category applies the standard to it and everything below it.",
    )
    is_active = BooleanField(
        "Active",
        default=True,
        description="Listings are checked against the standard only while it is active.",
    )
    submit = SubmitField("Save standard")


class RecheckForm(FlaskForm):
    """Re-check live listings: a dry run first, then the real run from the report page."""

    dry_run = HiddenField(default="1")


# ---------------------------------------------------------------------------------------------
# The parameters of a standard, described per kind and turned into form fields


def _split_list(text: str | None) -> list[str]:
    """Items typed one per line or separated by commas, trimmed, blanks and repeats dropped."""
    items: list[str] = []
    for part in re.split(r"[\n,]", text or ""):
        item = part.strip()
        if item and item not in items:
            items.append(item)
    return items


class ListField(TextAreaField):
    """A list of short strings, one per line (commas also separate)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = _split_list(valuelist[0])

    def _value(self) -> str:
        if isinstance(self.data, list | tuple):
            return "\n".join(str(item) for item in self.data)
        return self.data or ""


class MoneyField(DecimalField):
    """An amount typed in major units (12.50), kept in minor units (1250)."""

    def process_data(self, value: Any) -> None:
        self.data = Decimal(value) / 100 if isinstance(value, int) else value

    @property
    def minor(self) -> int | None:
        return None if self.data is None else int(self.data * 100)


class ListItems:
    """Checks every item of a list: a length limit and, optionally, a pattern it must match."""

    def __init__(self, max_items: int = 500, max_length: int = 80, pattern: str | None = None):
        self.max_items, self.max_length = max_items, max_length
        self.pattern = re.compile(pattern) if pattern else None

    def __call__(self, form: FlaskForm, field: Any) -> None:
        items = field.data or []
        if len(items) > self.max_items:
            raise ValidationError(f"Give at most {self.max_items} entries.")
        for item in items:
            if len(item) > self.max_length:
                raise ValidationError(
                    f"“{item[:40]}…” is longer than {self.max_length} characters."
                )
            if self.pattern and not self.pattern.fullmatch(item):
                raise ValidationError(f"“{item}” is not a valid entry here.")


class KnownCategoryPaths:
    """Every item must be the path of an existing category (like home-kitchen/cookware)."""

    def __init__(self, known: Callable[[], set[str]]):
        self.known = known

    def __call__(self, form: FlaskForm, field: Any) -> None:
        known = self.known()
        unknown = [path for path in field.data or [] if path not in known]
        if unknown:
            raise ValidationError("No such category: " + ", ".join(unknown[:5]) + ".")


def _required(spec: Param) -> list[Any]:
    if spec.required:
        return [InputRequired(f"Enter {spec.label.lower()}.")]
    return [Optional()]


def _number_range(spec: Param) -> list[Any]:
    if spec.minimum is None and spec.maximum is None:
        return []
    return [NumberRange(min=spec.minimum, max=spec.maximum)]


def param_field(spec: Param, category_paths: Callable[[], set[str]]) -> Any:
    """An unbound form field asking for one parameter, with its checks."""
    common = {"label": spec.label, "description": spec.help, "default": spec.default}
    if spec.type == "int":
        return IntegerField(
            **common,
            validators=_required(spec) + _number_range(spec),
            render_kw={"inputmode": "numeric"},
        )
    if spec.type == "number":
        return DecimalField(**common, validators=_required(spec) + _number_range(spec))
    if spec.type == "money":
        common["description"] = spec.help or "An amount in the currency's main unit, like 12.50."
        return MoneyField(
            **common,
            places=2,
            validators=_required(spec) + _number_range(spec),
            render_kw={"inputmode": "decimal"},
        )
    if spec.type == "bool":
        return BooleanField(spec.label, description=spec.help, default=bool(spec.default))
    if spec.type in ("words", "paths"):
        checks: list[Any] = [ListItems()]
        if spec.type == "paths":
            checks = [ListItems(pattern=CATEGORY_PATH), KnownCategoryPaths(category_paths)]
        required = [DataRequired(f"Enter at least one entry for {spec.label.lower()}.")]
        return ListField(
            **common,
            validators=(required if spec.required else [Optional()]) + checks,
            render_kw={"rows": 4},
        )
    if spec.name == "currency":
        return StringField(
            **common,
            filters=[strip_whitespace, _upper],
            validators=[*_required(spec), Regexp(r"^[A-Z]{3}$", message="Use a code like USD.")],
            render_kw={"maxlength": 3, "autocapitalize": "characters"},
        )
    return StringField(**common, filters=[strip_whitespace], validators=_required(spec))


def standard_form_class(
    specs: Sequence[Param], category_paths: Callable[[], set[str]]
) -> type[StandardForm]:
    """A StandardForm with one `param_<name>` field per parameter of the kind."""
    fields = {f"param_{spec.name}": param_field(spec, category_paths) for spec in specs}
    return type("KindStandardForm", (StandardForm,), fields)


def param_fields(form: StandardForm, specs: Sequence[Param]) -> list[Any]:
    """The bound parameter fields of `form`, in the kind's order."""
    return [form[f"param_{spec.name}"] for spec in specs]


def _param_value(field: Any, spec: Param) -> Any:
    if isinstance(field, MoneyField):
        return field.minor
    if spec.type == "number" and field.data is not None:
        return float(field.data)
    if spec.type in ("words", "paths"):
        return list(field.data or [])
    if spec.type == "bool":
        return bool(field.data)
    return field.data if field.data not in ("", None) else None


def check_ranges(form: StandardForm, specs: Sequence[Param]) -> bool:
    """A lower bound may not exceed its upper bound (min/max, min_minor/max_minor…)."""
    names = {spec.name for spec in specs}
    valid = True
    for spec in specs:
        upper = "max" + spec.name[3:] if spec.name.startswith("min") else None
        if upper not in names:
            continue
        low = _param_value(form[f"param_{spec.name}"], spec)
        high_field = form[f"param_{upper}"]
        high = _param_value(high_field, spec)
        if low is not None and high is not None and low > high:
            high_field.errors = [*high_field.errors, "Must not be below the minimum."]
            valid = False
    return valid


def params_from_form(form: StandardForm, specs: Sequence[Param]) -> dict[str, Any]:
    """The parameters as the standard stores them (money in minor units, lists as lists)."""
    return {spec.name: _param_value(form[f"param_{spec.name}"], spec) for spec in specs}


def form_data_from_params(params: dict[str, Any], specs: Sequence[Param]) -> dict[str, Any]:
    """Keyword data to fill a form from a stored standard's parameters."""
    return {f"param_{spec.name}": params.get(spec.name, spec.default) for spec in specs}
