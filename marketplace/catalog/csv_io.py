"""Bulk listings as CSV: export one row per variant, import with a per-row error report.

An import checks every row before writing anything. By default one bad row means nothing is
applied; with `apply_valid` the good products are applied and the bad rows are reported. Rows are
matched to the vendor's own products by `product_ref` (the listing's slug) or by SKU; anything
else becomes a new draft. Another vendor's products can never be reached from a file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.catalog import services
from marketplace.catalog.models import Category, Product, Variant
from marketplace.catalog.services import ListingInvalid, ProductInput, VariantInput
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.vendors.models import Vendor

COLUMNS = (
    "product_ref",
    "title",
    "description",
    "category_path",
    "attributes",
    "sku",
    "option_name",
    "price",
    "currency",
    "stock",
    "reorder_point",
    "status",
)
OPTIONAL_COLUMNS = frozenset({"status", "description", "attributes", "reorder_point"})
PRODUCT_COLUMNS = ("title", "description", "category_path", "attributes")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
IMPORT_REASON = "CSV import"
# Service error keys → the CSV column they concern.
FIELD_COLUMNS = {
    "title": "title",
    "description": "description",
    "category": "category_path",
    "attributes": "attributes",
    "sku": "sku",
    "name": "option_name",
    "price": "price",
    "currency": "currency",
    "stock_on_hand": "stock",
    "reorder_point": "reorder_point",
}


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row (the header is row 1), the column and what to fix."""

    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import found and did."""

    rows: int = 0
    applied: bool = False
    created: int = 0
    updated: int = 0
    applied_rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


class CsvRejected(DomainError):
    """The file as a whole can't be read (size, encoding, headers, row count)."""


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    product: ProductInput | None = None
    variant: VariantInput | None = None
    target: Product | None = None
    group: str = ""


def max_bytes() -> int:
    return int(current_app.config.get("LISTINGS_CSV_MAX_BYTES", 2 * 1024 * 1024))


def max_rows() -> int:
    return int(current_app.config.get("LISTINGS_CSV_MAX_ROWS", 5000))


# --- export ------------------------------------------------------------------------------------


def _safe_cell(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula; the import takes the quote off."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _unsafe_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def format_attributes(attributes: dict[str, str]) -> str:
    """key=value;key=value when that is unambiguous, else a JSON object."""
    items = [(str(k), str(v)) for k, v in (attributes or {}).items()]
    plain = all(
        not any(mark in text for mark in ";=") and text == text.strip()
        for pair in items
        for text in pair
    )
    if plain:
        return ";".join(f"{key}={value}" for key, value in items)
    return json.dumps(dict(items), ensure_ascii=False)


def export_csv(vendor: Vendor) -> str:
    """Every product of the vendor, one row per variant (a product without variants: one row)."""
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets then read the file as UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    products = db.session.scalars(
        select(Product)
        .where(Product.vendor_id == vendor.id)
        .options(selectinload(Product.variants), selectinload(Product.category))
        .order_by(Product.id)
    )
    for product in products:
        head = [
            product.slug,
            product.title,
            product.description,
            product.category.path,
            format_attributes(product.attributes),
        ]
        variants: list[Variant | None] = list(product.variants) or [None]
        for variant in variants:
            row = [*head, *_variant_cells(variant), product.status]
            writer.writerow([_safe_cell(cell) for cell in row])
    return out.getvalue()


def _variant_cells(variant: Variant | None) -> list[str]:
    if variant is None:
        return ["", "", "", "", "", ""]
    return [
        variant.sku,
        variant.name,
        services.format_price_input(variant.price_minor, variant.currency),
        variant.currency,
        str(variant.stock_on_hand),
        str(variant.reorder_point),
    ]


# --- import ------------------------------------------------------------------------------------


def parse_attributes(text: str) -> dict[str, str]:
    """Read `{"k": "v"}` or `k=v;k=v`; ValueError with a readable message when neither fits."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("Not valid JSON; use key=value;key=value or a JSON object.") from None
        if not isinstance(value, dict) or not all(
            isinstance(v, str | int | float) for v in value.values()
        ):
            raise ValueError("Use a JSON object of names to text values.")
        return {str(k): str(v) for k, v in value.items()}
    attributes: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"“{part.strip()[:40]}” is not name=value.")
        attributes[name.strip()] = value.strip()
    return attributes


def _decode(data: bytes) -> str:
    if len(data) > max_bytes():
        limit = max_bytes() / (1024 * 1024)
        raise CsvRejected(f"The file is larger than {limit:g} MB; split it into smaller files.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRejected(
            "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”."
        ) from None
    if not text.strip():
        raise CsvRejected("The file is empty.")
    return text


def _delimiter(text: str) -> str:
    """Commas, unless the header line clearly uses semicolons or tabs (some spreadsheets do)."""
    header = text.splitlines()[0]
    if "," in header:
        return ","
    return max(";\t", key=header.count) if any(mark in header for mark in ";\t") else ","


def _check_header(header: list[str]) -> list[str]:
    names = [name.strip().lower() for name in header]
    missing = [c for c in COLUMNS if c not in names and c not in OPTIONAL_COLUMNS]
    unknown = [name for name in names if name and name not in COLUMNS]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown {', '.join(unknown)}")
    if repeated:
        problems.append(f"repeated {', '.join(repeated)}")
    if problems:
        raise CsvRejected(
            f"The header row is not right ({'; '.join(problems)}). The first row must name the "
            f"columns: {', '.join(COLUMNS)}. Export your listings for a file to start from."
        )
    return names


def read_rows(data: bytes) -> tuple[list[_Row], list[RowError]]:
    """The non-blank data rows with their spreadsheet row numbers; CsvRejected for a bad file."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[_Row] = []
    errors: list[RowError] = []
    try:
        names = _check_header(next(reader))
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows():
                raise CsvRejected(
                    f"The file has more than {max_rows():,} rows; split it into smaller files."
                )
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                errors.append(RowError(number, "", "This row has more cells than the header."))
            values = {name: "" for name in COLUMNS}
            for name, cell in zip(names, cells, strict=False):
                if name:
                    values[name] = _unsafe_cell(cell.strip())
            rows.append(_Row(number, values))
    except csv.Error as exc:
        raise CsvRejected(f"Row {reader.line_num} can't be read as CSV: {exc}.") from None
    if not rows:
        raise CsvRejected("The file has a header row but no listings.")
    return rows, errors


class _Catalog:
    """What the rows may refer to: categories, and this vendor's own products and SKUs."""

    def __init__(self, vendor: Vendor, rows: list[_Row]) -> None:
        categories = list(db.session.scalars(select(Category)))
        parents = {c.parent_id for c in categories if c.parent_id}
        self.categories = {c.path: (c, c.id not in parents) for c in categories}
        refs = sorted({row.values["product_ref"] for row in rows} - {""})
        skus = sorted({row.values["sku"] for row in rows} - {""})
        self.products: dict[str, Product] = {}
        self.variants: dict[str, Variant] = {}
        for chunk in _chunks(refs):
            found = select(Product).where(Product.vendor_id == vendor.id, Product.slug.in_(chunk))
            self.products.update((p.slug, p) for p in db.session.scalars(found))
        for chunk in _chunks(skus):
            found = (
                select(Variant)
                .join(Product, Product.id == Variant.product_id)
                .where(Product.vendor_id == vendor.id, Variant.sku.in_(chunk))
            )
            self.variants.update((v.sku, v) for v in db.session.scalars(found))


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _int_cell(text: str, default: int | None) -> int | None:
    if not text:
        return default
    if not text.lstrip("-").isdigit():
        raise ValueError("Enter a whole number, like 12.")
    return int(text)


class _RowChecker:
    """Turns one CSV row into service inputs, reporting each problem with its column."""

    def __init__(self, vendor: Vendor, catalog: _Catalog, report: ImportReport) -> None:
        self.vendor, self.catalog, self.report = vendor, catalog, report
        self.sku_rows: dict[str, int] = {}

    def error(self, row: _Row, column: str, message: str) -> None:
        self.report.errors.append(RowError(row.number, column, message))

    def check(self, row: _Row) -> None:
        values = row.values
        self._resolve_target(row)
        row.product = self._product(row)
        if values["sku"] or any(values[c] for c in ("option_name", "price", "stock")):
            row.variant = self._variant(row)
        key = f"id:{row.target.id}" if row.target else f"ref:{values['product_ref']}"
        row.group = key if (row.target or values["product_ref"]) else f"row:{row.number}"

    def _resolve_target(self, row: _Row) -> None:
        ref, sku = row.values["product_ref"], row.values["sku"]
        by_ref = self.catalog.products.get(ref) if ref else None
        by_sku = self.catalog.variants.get(sku) if sku else None
        if by_ref and by_sku and by_sku.product_id != by_ref.id:
            self.error(
                row,
                "sku",
                f"SKU {sku} belongs to another of your listings ({by_sku.product.slug}); "
                "a SKU can't move between listings.",
            )
        row.target = by_ref or (by_sku.product if by_sku else None)

    def _product(self, row: _Row) -> ProductInput | None:
        values = row.values
        category_id = None
        path = values["category_path"].strip("/ ")
        found = self.catalog.categories.get(path)
        if found is None:
            self.error(row, "category_path", f"No category has the path “{path[:80]}”.")
        elif not found[1]:
            self.error(row, "category_path", f"“{path}” has subcategories; choose one of them.")
        else:
            category_id = found[0].id
        try:
            attributes = parse_attributes(values["attributes"])
        except ValueError as exc:
            self.error(row, "attributes", str(exc))
            attributes = {}
        data = ProductInput(values["title"], category_id, values["description"], attributes)
        errors = services.Errors()
        services.validate_product(data, errors)
        errors.pop("category", None)  # reported above with the path
        self._report(row, errors)
        return data

    def _variant(self, row: _Row) -> VariantInput | None:
        values = row.values
        sku = values["sku"]
        if sku in self.sku_rows:
            self.error(row, "sku", f"SKU {sku} is also on row {self.sku_rows[sku]}.")
        self.sku_rows.setdefault(sku, row.number)
        existing = self.catalog.variants.get(sku)
        if existing is not None and (row.target is None or existing.product_id != row.target.id):
            existing = None
        currency = values["currency"].upper() or services.listing_currencies()[0]
        variant = VariantInput(sku=sku, price_minor=0, name=values["option_name"])
        variant.currency = currency
        variant.id = existing.id if existing else None
        variant.allow_backorder = existing.allow_backorder if existing else False
        try:
            variant.price_minor = services.parse_price(values["price"], currency)
        except DomainError as error:
            self.error(row, "price", error.message)
        for column, attr in (("stock", "stock_on_hand"), ("reorder_point", "reorder_point")):
            keep = getattr(existing, attr) if existing else 0
            try:
                setattr(variant, attr, _int_cell(values[column], keep))
            except ValueError as exc:
                self.error(row, column, str(exc))
        if existing and variant.stock_on_hand < existing.stock_reserved:
            self.error(
                row,
                "stock",
                f"{existing.stock_reserved} units are reserved by unpaid orders; "
                "stock can't go below that.",
            )
        errors = services.Errors()
        services.validate_variants(self.vendor, [variant], errors, prefix="v")
        self._report(row, errors)
        return variant

    def _report(self, row: _Row, errors: dict[str, list[str]]) -> None:
        """Add the services' findings, one problem per cell (the first one found is enough)."""
        taken = {(e.row, e.column) for e in self.report.errors}
        for key, messages in errors.items():
            column = FIELD_COLUMNS.get(key.rsplit("-", 1)[-1], "")
            if (row.number, column) not in taken:
                self.error(row, column, messages[0])


def _check_groups(rows: list[_Row], report: ImportReport) -> None:
    """Every row of one product must carry the same product columns as its first row."""
    first: dict[str, _Row] = {}
    for row in rows:
        lead = first.setdefault(row.group, row)
        if lead is row:
            continue
        for column in PRODUCT_COLUMNS:
            if row.values[column] != lead.values[column]:
                report.errors.append(
                    RowError(
                        row.number,
                        column,
                        f"Differs from row {lead.number}; every row of one product needs the "
                        f"same {column}.",
                    )
                )


def import_csv(
    vendor: Vendor, data: bytes, *, apply_valid: bool = False, actor_id: int | None = None
) -> ImportReport:
    """Check the whole file, then apply everything, only the valid products, or nothing."""
    services.require_open_shop(vendor)
    rows, early_errors = read_rows(data)
    report = ImportReport(rows=len(rows), errors=list(early_errors))
    checker = _RowChecker(vendor, _Catalog(vendor, rows), report)
    for row in rows:
        checker.check(row)
    _check_groups(rows, report)
    if report.errors and not apply_valid:
        return _sorted(report)
    bad = {error.row for error in report.errors}
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        if row.number not in bad:
            groups.setdefault(row.group, []).append(row)
    if apply_valid:
        for group in groups.values():
            _apply_in_savepoint(vendor, group, actor_id, report)
    else:
        try:
            with db.session.begin_nested():
                for group in groups.values():
                    _apply_group(vendor, group, actor_id, report)
        except DomainError as error:
            report.created = report.updated = report.applied_rows = 0
            _record_apply_error(error, group, report)
    report.applied = report.applied_rows > 0
    return _sorted(report)


def _apply_in_savepoint(
    vendor: Vendor, group: list[_Row], actor_id: int | None, report: ImportReport
) -> None:
    counts = (report.created, report.updated, report.applied_rows)
    try:
        with db.session.begin_nested():
            _apply_group(vendor, group, actor_id, report)
    except DomainError as error:
        report.created, report.updated, report.applied_rows = counts
        _record_apply_error(error, group, report)


def _apply_group(
    vendor: Vendor, group: list[_Row], actor_id: int | None, report: ImportReport
) -> None:
    lead = group[0]
    assert lead.product is not None
    variants = [row.variant for row in group if row.variant is not None]
    if lead.target is None:
        product = services.create_product(vendor, lead.product)
        report.created += 1
        changed = False
    else:
        product = lead.target
        changed = services.update_product(vendor, product.id, lead.product)
        report.updated += 1
    changed |= services.upsert_variants(
        vendor, product.id, variants, actor_id=actor_id, reason=IMPORT_REASON
    )
    if changed and lead.target is not None:
        services.resubmit_after_change(vendor, product, actor_id=actor_id)
    report.applied_rows += len(group)


def _record_apply_error(error: DomainError, group: list[_Row], report: ImportReport) -> None:
    """A refusal found only while writing: pin it to the rows it concerns."""
    if isinstance(error, ListingInvalid):
        with_variants = [row for row in group if row.variant is not None]
        for key, messages in error.errors.items():
            parts = key.split("-")
            row = group[0]
            if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(with_variants):
                row = with_variants[int(parts[1])]
            column = FIELD_COLUMNS.get(parts[-1], "")
            report.errors.extend(RowError(row.number, column, m) for m in messages)
    else:
        report.errors.append(RowError(group[0].number, "", error.message))


def _sorted(report: ImportReport) -> ImportReport:
    report.errors.sort(
        key=lambda error: (
            error.row,
            COLUMNS.index(error.column) if error.column in COLUMNS else -1,
        )
    )
    return report
