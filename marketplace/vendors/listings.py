"""Seller listing pages under /sell/listings: list, edit, images, stock, CSV import and export.

Every product, variant and image is looked up through the signed-in vendor, so an id from
another shop in the URL or the form is a 404 and changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from marketplace.accounts.decorators import vendor_required
from marketplace.catalog import compliance, csv_io, images, services
from marketplace.catalog.models import Category, Product, ProductStatus
from marketplace.catalog.services import ListingInvalid, ListingNotFound, ProductInput
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.storage import get_storage
from marketplace.vendors import bp
from marketplace.vendors.listing_forms import (
    ListingForm,
    ListingsImportForm,
    StockAdjustmentForm,
    VariantRowForm,
    optional_int,
)
from marketplace.vendors.models import Vendor

STATUS_LABELS = {
    ProductStatus.DRAFT: "Draft",
    ProductStatus.PENDING_REVIEW: "Waiting for review",
    ProductStatus.LIVE: "Live",
    ProductStatus.REJECTED: "Needs changes",
    ProductStatus.DELISTED: "Delisted",
}
VARIANT_FIELDS = ("sku", "name", "price", "currency", "stock_on_hand", "reorder_point")
ATTRIBUTE_PREFIX = "attr:"


def _vendor() -> Vendor:
    return current_user.vendor


def _own_product(product_id: int) -> Product:
    try:
        return services.get_product(_vendor(), product_id)
    except ListingNotFound:
        abort(404)


def _actor_id() -> int:
    return int(current_user.id)


@bp.app_template_filter("listing_status")
def listing_status_label(status: str) -> str:
    """A product status in words a seller understands."""
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


# --- list and export ---------------------------------------------------------------------------


@bp.get("/listings")
@vendor_required
def listings() -> ResponseReturnValue:
    """The vendor's products, filtered by status and by title or SKU."""
    vendor = _vendor()
    status = request.args.get("status", "")
    status = status if status in set(ProductStatus) else ""
    query = request.args.get("q", "").strip()[:100]
    page = request.args.get("page", 1, type=int) or 1
    results = services.list_products(vendor, status=status or None, query=query, page=page)
    return render_template(
        "vendors/listings/index.html",
        vendor=vendor,
        results=results,
        counts=services.status_counts(vendor),
        status=status,
        query=query,
        statuses=list(ProductStatus),
    )


@bp.get("/listings/export.csv")
@vendor_required
def listings_export() -> ResponseReturnValue:
    """Download every listing as CSV, one row per variant."""
    vendor = _vendor()
    filename = f"listings-{vendor.slug}-{utcnow():%Y-%m-%d}.csv"
    return Response(
        csv_io.export_csv(vendor),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/listings/import", methods=["GET", "POST"])
@vendor_required
def listings_import() -> ResponseReturnValue:
    """Upload a CSV, see a per-row report; nothing is half-applied unless the vendor asked."""
    vendor = _vendor()
    form = ListingsImportForm()
    report = None
    if form.validate_on_submit():
        data = form.file.data.stream.read(csv_io.max_bytes() + 1)
        try:
            report = csv_io.import_csv(
                vendor, data, apply_valid=bool(form.apply_valid.data), actor_id=_actor_id()
            )
        except DomainError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, error.message]
        else:
            if report.applied:
                db.session.commit()
                flash(f"Imported {report.applied_rows} row(s).", "success")
            else:
                db.session.rollback()
    return render_template(
        "vendors/listings/import.html",
        vendor=vendor,
        form=form,
        report=report,
        columns=csv_io.COLUMNS,
        max_rows=csv_io.max_rows(),
        max_mb=csv_io.max_bytes() / (1024 * 1024),
    )


# --- the editor --------------------------------------------------------------------------------


@bp.route("/listings/new", methods=["GET", "POST"])
@vendor_required
def listing_new() -> ResponseReturnValue:
    """Start a listing; it stays a draft until submitted."""
    return _editor(None)


@bp.route("/listings/<int:product_id>/edit", methods=["GET", "POST"])
@vendor_required
def listing_edit(product_id: int) -> ResponseReturnValue:
    """Edit a listing, its variants and its images, and submit it for review."""
    return _editor(_own_product(product_id))


def _editor(product: Product | None) -> ResponseReturnValue:
    vendor = _vendor()
    form = ListingForm()
    leaves = services.leaf_categories()
    form.category.choices = [("", "Choose a category…")] + [(c.id, name) for c, name in leaves]
    currencies = services.listing_currencies()
    if request.method == "GET":
        _fill_form(form, product)
    attribute_values = _attribute_values(form, product)
    if form.add_variant.data and len(form.variants) < form.variants.max_entries:
        form.variants.append_entry()
    _set_currency_choices(form, currencies)
    attribute_errors: list[str] = []
    variant_errors: list[str] = []
    saving = request.method == "POST" and (form.save.data or form.submit_review.data)
    sources: list[VariantRowForm] = []
    if saving:
        form_ok = form.validate()  # types and CSRF; the services judge the content
        try:
            saved = _save(vendor, product, form, attribute_values, sources, form_ok)
        except ListingNotFound:
            db.session.rollback()
            abort(404)
        except ListingInvalid as error:
            db.session.rollback()
            _show_errors(form, error.errors, sources, attribute_errors, variant_errors)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            return redirect(url_for("vendors.listing_edit", product_id=saved))
    category = services.find_leaf_category(form.category.data)
    return render_template(
        "vendors/listings/edit.html",
        vendor=vendor,
        product=product,
        form=form,
        category=category,
        required_attributes=_required_attributes(category),
        attribute_values=attribute_values,
        attribute_errors=attribute_errors,
        variant_errors=variant_errors,
        violations=_violations(product),
        check=compliance.latest_check(product.id) if product else None,
        max_images=services.max_images(),
        accept=images.ACCEPT_ATTRIBUTE,
    )


def _fill_form(form: ListingForm, product: Product | None) -> None:
    """Put the saved listing (or a blank one) into the form for a first view."""
    requested = optional_int(request.args.get("category"))
    if product is None:
        form.category.data = requested
        return
    form.title.data, form.description.data = product.title, product.description
    form.category.data = requested or product.category_id
    required = set(_required_attributes(product.category))
    extras = {k: v for k, v in (product.attributes or {}).items() if k not in required}
    form.extra_attributes.data = "\n".join(f"{key} = {value}" for key, value in extras.items())
    while len(form.variants):
        form.variants.pop_entry()
    for variant in product.variants:
        form.variants.append_entry(
            {
                "id": str(variant.id),
                "sku": variant.sku,
                "name": variant.name,
                "price": services.format_price_input(variant.price_minor, variant.currency),
                "currency": variant.currency,
                "stock_on_hand": variant.stock_on_hand,
                "reorder_point": variant.reorder_point,
                "allow_backorder": variant.allow_backorder,
            }
        )
    if not product.variants:
        form.variants.append_entry()


def _set_currency_choices(form: ListingForm, currencies: tuple[str, ...]) -> None:
    for entry in form.variants:
        row: VariantRowForm = entry.form
        row.currency.choices = [(code, code) for code in currencies]
        if row.currency.data not in currencies:
            row.currency.data = currencies[0]


def _required_attributes(category: Category | None) -> list[str]:
    return [str(name) for name in (category.required_attributes or [])] if category else []


def _attribute_values(form: ListingForm, product: Product | None) -> dict[str, str]:
    """Category attribute inputs: from the form when posted, else from the saved listing."""
    if request.method == "POST":
        return {
            key[len(ATTRIBUTE_PREFIX) :]: value.strip()
            for key, value in request.form.items()
            if key.startswith(ATTRIBUTE_PREFIX)
        }
    return {str(k): str(v) for k, v in ((product.attributes or {}) if product else {}).items()}


def _parse_extra(text: str | None) -> tuple[dict[str, str], list[str]]:
    attributes: dict[str, str] = {}
    problems = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip() or not value.strip():
            problems.append(f"“{line.strip()[:40]}”: write each detail as Name = value.")
            continue
        attributes[name.strip()] = value.strip()
    return attributes, problems


def _product_input(
    form: ListingForm, attribute_values: dict[str, str], errors: services.Errors
) -> ProductInput:
    category = services.find_leaf_category(form.category.data)
    attributes, problems = _parse_extra(form.extra_attributes.data)
    for problem in problems:
        errors.add("attributes", problem)
    for name in _required_attributes(category):
        value = attribute_values.get(name, "").strip()
        if value:
            attributes[name] = value
    return ProductInput(
        title=form.title.data or "",
        category_id=form.category.data,
        description=form.description.data or "",
        attributes=attributes,
    )


def _variant_inputs(
    form: ListingForm, sources: list[VariantRowForm], errors: services.Errors
) -> tuple[list[services.VariantInput], list[int]]:
    """Rows to save and ids to remove; `sources` gets the form row behind each saved row."""
    rows: list[services.VariantInput] = []
    removed: list[int] = []
    for entry in form.variants:
        row: VariantRowForm = entry.form
        row_id = optional_int(row.id.data)
        if row.remove.data or row.is_blank():
            if row_id is not None and row.remove.data:
                removed.append(row_id)
            continue
        currency = row.currency.data or ""
        try:
            price = services.parse_price(row.price.data or "", currency)
        except DomainError as error:
            errors.add(f"variants-{len(rows)}-price", error.message)
            price = 0
        rows.append(
            services.VariantInput(
                id=row_id,
                sku=row.sku.data or "",
                name=row.name.data or "",
                price_minor=price,
                currency=currency,
                stock_on_hand=row.stock_on_hand.data or 0,
                reorder_point=row.reorder_point.data or 0,
                allow_backorder=bool(row.allow_backorder.data),
            )
        )
        sources.append(row)
    return rows, removed


def _save(
    vendor: Vendor,
    product: Product | None,
    form: ListingForm,
    attribute_values: dict[str, str],
    sources: list[VariantRowForm],
    form_ok: bool,
) -> int:
    """Save (and maybe submit); commit; tell the vendor where the listing now stands."""
    errors = services.Errors()
    data = _product_input(form, attribute_values, errors)
    rows, removed = _variant_inputs(form, sources, errors)
    if errors or not form_ok:  # report the form's problems with all the service would say
        services.validate_product(data, errors)
        services.validate_variants(vendor, rows, errors, remove_ids=removed)
        raise ListingInvalid(dict(errors))
    saved = services.save_listing(
        vendor,
        product.id if product else None,
        data,
        rows,
        remove_ids=removed,
        actor_id=_actor_id(),
    )
    submitting = bool(form.submit_review.data)
    if submitting and saved.status != ProductStatus.PENDING_REVIEW:
        services.submit_for_review(vendor, saved.id)
    product_id = saved.id
    resubmitted = not submitting and saved.status == ProductStatus.PENDING_REVIEW
    db.session.commit()  # an inline standards check runs right after this
    db.session.expire_all()
    _flash_outcome(vendor, services.get_product(vendor, product_id), submitting or resubmitted)
    return product_id


def _flash_outcome(vendor: Vendor, product: Product, submitted: bool) -> None:
    if not submitted:
        flash("Saved. Your draft is kept here until you submit it for review.", "success")
    elif product.status == ProductStatus.LIVE:
        flash("Your listing passed the product standards and is live.", "success")
    elif product.status == ProductStatus.REJECTED:
        flash(
            "Your listing doesn't meet the product standards yet; each problem is shown next "
            "to the field it concerns.",
            "error",
        )
    elif not vendor.can_sell:
        flash(
            "Submitted. It goes live once your shop is approved and can receive payouts.",
            "info",
        )
    else:
        flash("Submitted. Your listing goes live once it has been checked or reviewed.", "info")


def _show_errors(
    form: ListingForm,
    errors: dict[str, list[str]],
    sources: list[VariantRowForm],
    attribute_errors: list[str],
    variant_errors: list[str],
) -> None:
    """Put each service message next to its field: title, category, a variant cell…"""
    for key, messages in errors.items():
        if key in ("title", "description", "category"):
            _add_errors(getattr(form, key), messages)
        elif key == "attributes":
            attribute_errors.extend(messages)
        elif key.startswith("variants-"):
            _, index, name = key.split("-", 2)
            if name in VARIANT_FIELDS and int(index) < len(sources):
                _add_errors(getattr(sources[int(index)], name), messages)
            else:
                variant_errors.extend(messages)
        else:
            variant_errors.extend(messages)
    form.form_errors.append("Nothing was changed. Fix the fields below and save again.")


def _add_errors(target: Any, messages: list[str]) -> None:
    target.errors = [*target.errors, *(m for m in messages if m not in target.errors)]


def _violations(product: Product | None) -> dict[str, list[dict[str, Any]]]:
    """Failed standards of the last check, grouped by the form field they concern."""
    if product is None:
        return {}
    check = compliance.latest_check(product.id)
    return compliance.violations_by_field(check) if check is not None else {}


# --- images ------------------------------------------------------------------------------------


@bp.post("/listings/<int:product_id>/images")
@vendor_required
def listing_images_upload(product_id: int) -> ResponseReturnValue:
    """Add one or more photos; each is checked before any is stored."""
    vendor = _vendor()
    product = _own_product(product_id)
    uploads = [f for f in request.files.getlist("images") if f and f.filename]
    try:
        added = services.add_images(vendor, product.id, uploads, actor_id=_actor_id())
    except ListingNotFound:
        db.session.rollback()
        abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"Added {len(added)} image{'s' if len(added) != 1 else ''}.", "success")
    return redirect(url_for("vendors.listing_edit", product_id=product.id, _anchor="images"))


@bp.post("/listings/<int:product_id>/images/manage")
@vendor_required
def listing_images(product_id: int) -> ResponseReturnValue:
    """Reorder, describe or remove photos (one form, several buttons)."""
    vendor = _vendor()
    product = _own_product(product_id)
    deleted_key = None
    try:
        if request.form.get("delete"):
            image_id = optional_int(request.form["delete"])
            deleted_key = services.remove_image(
                vendor, product.id, image_id or 0, actor_id=_actor_id()
            )
            message = "Image removed."
        elif request.form.get("move"):
            image_id_text, _, direction = request.form["move"].partition(":")
            step = -1 if direction == "up" else 1
            services.move_image(vendor, product.id, optional_int(image_id_text) or 0, step)
            message = "Image order saved. The first image is the cover."
        else:
            texts = {
                int(key[4:]): value
                for key, value in request.form.items()
                if key.startswith("alt-") and key[4:].isdigit()
            }
            services.set_alt_texts(vendor, product.id, texts)
            message = "Image descriptions saved."
    except ListingNotFound:
        db.session.rollback()
        abort(404)
    except ListingInvalid as error:
        db.session.rollback()
        flash(" ".join(m for messages in error.errors.values() for m in messages), "error")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        if deleted_key:
            get_storage().delete(deleted_key)
        flash(message, "success")
    return redirect(url_for("vendors.listing_edit", product_id=product.id, _anchor="images"))


# --- status ------------------------------------------------------------------------------------


@bp.post("/listings/<int:product_id>/delist")
@vendor_required
def listing_delist(product_id: int) -> ResponseReturnValue:
    """Take a live listing off the storefront (submit it again to bring it back)."""
    vendor = _vendor()
    product = _own_product(product_id)
    try:
        services.delist_product(vendor, product.id, actor_id=_actor_id())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Delisted. Buyers no longer see it; submit it again to bring it back.", "success")
    return redirect(url_for("vendors.listing_edit", product_id=product.id))


# --- stock -------------------------------------------------------------------------------------


@bp.route("/listings/<int:product_id>/stock", methods=["GET", "POST"])
@vendor_required
def listing_stock(product_id: int) -> ResponseReturnValue:
    """Stock per variant, an adjustment form (with a reason) and the adjustment history."""
    vendor = _vendor()
    product = _own_product(product_id)
    form = StockAdjustmentForm()
    form.variant.choices = [(v.id, f"{v.sku} · {v.name}") for v in product.variants]
    if form.validate_on_submit():
        try:
            services.adjust_stock(
                vendor, form.variant.data or 0, form.delta.data, form.reason.data, _actor_id()
            )
        except ListingNotFound:
            db.session.rollback()
            abort(404)
        except DomainError as error:
            db.session.rollback()
            form.delta.errors = [*form.delta.errors, error.message]
        else:
            db.session.commit()
            flash("Stock adjustment recorded.", "success")
            return redirect(url_for("vendors.listing_stock", product_id=product.id))
    return render_template(
        "vendors/listings/stock.html",
        vendor=vendor,
        product=product,
        form=form,
        history=services.stock_history(vendor, product.id),
    )
