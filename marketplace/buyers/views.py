"""Storefront views: parse the request, ask buyers.services (or buyers.search_page), render."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from marketplace.buyers import bp, search_page, services
from marketplace.extensions import limiter
from marketplace.reviews.product_page import product_reviews_view
from marketplace.reviews.storefront import shop_reputation
from marketplace.search import params
from marketplace.search.types import DEFAULT_PER_PAGE, SORT_LABELS

# Autocomplete fires as people type (debounced): generous, but not a free scraping API.
SUGGEST_RATE_LIMIT = "30 per 10 seconds"
SUGGEST_CACHE_SECONDS = 60
MAX_SUGGEST_PREFIX_LENGTH = 100


@bp.get("/")
def home() -> str:
    """The front door: search, departments, new and popular products, featured vendors."""
    return render_template(
        "buyers/home.html",
        new_arrivals=services.new_arrivals(),
        best_sellers=services.best_sellers(),
        vendors=services.featured_vendors(),
    )


def _viewer_id() -> int | None:
    return int(current_user.id) if current_user.is_authenticated else None


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
        reviews=product_reviews_view(item.id, request.args, _viewer_id()),
    )


@bp.get("/vendors/<slug>")
def vendor_storefront(slug: str) -> str:
    """A vendor's storefront with their live products, paginated."""
    vendor = services.get_storefront_vendor(slug)
    if vendor is None:
        abort(404, description="We couldn't find that shop.")
    page = services.vendor_products(vendor, services.parse_page(request.args.get("page")))
    return render_template(
        "buyers/vendor.html", vendor=vendor, page=page, reputation=shop_reputation(vendor.id)
    )


@bp.get("/search")
def search() -> str:
    """Search and category pages: every choice comes from the URL, so any page can be shared."""
    config = current_app.config
    currency = config.get("CURRENCY", "USD")
    per_page = config.get("SEARCH_PAGE_SIZE", DEFAULT_PER_PAGE)
    query = params.parse_search_args(request.args, currency=currency, per_page=per_page)
    view = search_page.search_page(query)
    urls = params.SearchUrls(
        view.query, url_for("buyers.search"), currency=currency, per_page=per_page
    )
    return render_template("buyers/search.html", view=view, urls=urls, sort_labels=SORT_LABELS)


@bp.get("/search/click/<int:search_id>/<int:product_id>")
def search_click(search_id: int, product_id: int) -> Response:
    """A search result's link: count the click for search analytics, then open the product."""
    slug = search_page.follow_result(search_id, product_id, request.args.get("pos", type=int))
    if slug is None:
        abort(404)
    response = redirect(url_for("buyers.product", slug=slug))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _suggest_rate_limit() -> str:
    return current_app.config.get("SEARCH_SUGGEST_RATE_LIMIT", SUGGEST_RATE_LIMIT)


@bp.get("/search/suggest")
@limiter.limit(_suggest_rate_limit)
def search_suggest() -> Response:
    """Autocomplete as JSON: {"suggestions": [...]}, cacheable for a short while."""
    prefix = params.clean_text(request.args.get("q"), MAX_SUGGEST_PREFIX_LENGTH)
    response = jsonify({"suggestions": search_page.search_suggestions(prefix)})
    response.headers["Cache-Control"] = f"public, max-age={SUGGEST_CACHE_SECONDS}"
    return response
