"""Storefront views: parse the request, ask buyers.services, render."""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from marketplace.buyers import bp, services


def _clean(value: str | None, max_length: int = 200) -> str:
    return (value or "").strip()[:max_length]


@bp.get("/")
def home() -> str:
    """The front door: search, departments, new and popular products, featured vendors."""
    return render_template(
        "buyers/home.html",
        new_arrivals=services.new_arrivals(),
        best_sellers=services.best_sellers(),
        vendors=services.featured_vendors(),
    )


@bp.get("/products/<slug>")
def product(slug: str) -> str:
    """A product page; only sellable products exist as far as buyers can tell."""
    item = services.get_sellable_product(slug)
    if item is None:
        abort(404, description="That product isn't available. It may have been removed.")
    selected = services.select_variant(item, request.args.get("variant"))
    return render_template(
        "buyers/product.html",
        product=item,
        selected=selected,
        shown_variant=selected or services.cheapest_variant(item),
        trail=services.category_trail(item.category),
        stock_label=services.stock_label,
    )


@bp.get("/vendors/<slug>")
def vendor_storefront(slug: str) -> str:
    """A vendor's storefront with their live products, paginated."""
    vendor = services.get_storefront_vendor(slug)
    if vendor is None:
        abort(404, description="We couldn't find that shop.")
    page = services.vendor_products(vendor, services.parse_page(request.args.get("page")))
    return render_template("buyers/vendor.html", vendor=vendor, page=page)


@bp.get("/search")
def search() -> str:
    """Search and category browsing: text, category subtree, vendor, sort and page."""
    criteria = services.SearchCriteria(
        q=_clean(request.args.get("q")),
        category_path=_clean(request.args.get("category"), 400) or None,
        vendor_slug=_clean(request.args.get("vendor"), 80) or None,
        sort=services.parse_sort(request.args.get("sort")),
        page=services.parse_page(request.args.get("page")),
        per_page=current_app.config.get("SEARCH_PAGE_SIZE", services.SEARCH_PAGE_SIZE),
    )
    return render_template(
        "buyers/search.html",
        results=services.search_products(criteria),
        sort_labels=services.SORT_LABELS,
    )
