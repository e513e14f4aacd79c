"""The web shell shared by every page: error pages, security headers and template helpers."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from marketplace.extensions import db, limiter
from marketplace.models_base import utcnow

log = logging.getLogger(__name__)

JSON_PATH_PREFIXES = ("/api/", "/webhooks/")
CSRF_MESSAGE = "This form has expired or was forged; reload the page and try again."

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    )
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), usb=(), payment=(self)"
HSTS_VALUE = "max-age=31536000; includeSubDomains"

# ISO 4217 currencies whose minor unit is not the cent.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV"}
    | {"XAF", "XOF", "XPF"}
)
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
CURRENCY_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "INR": "₹",
    "KRW": "₩",
}


# ---------------------------------------------------------------------------------------------
# Error pages


def wants_json() -> bool:
    """API and webhook callers, and clients that prefer JSON, get JSON errors instead of pages."""
    if request.path.startswith(JSON_PATH_PREFIXES):
        return True
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", "application/json"])
    return best == "application/json" and accept[best] > accept["text/html"]


def _error_slug(error: HTTPException) -> str:
    return (error.name or "error").lower().replace(" ", "_").replace("'", "")


def _custom_description(error: HTTPException) -> str | None:
    """The reason a view passed to `abort()`, or None when werkzeug's stock text would show."""
    default = type(error).description
    return error.description if error.description and error.description != default else None


def _error_response(
    error: HTTPException, reason: str | None = None, heading: str | None = None
) -> tuple[Any, int]:
    code = error.code or 500
    if wants_json():
        payload = {"error": _error_slug(error), "reason": reason or error.description or ""}
        response = jsonify(payload)
    else:
        body = render_template(
            [f"errors/{code}.html", "errors/generic.html"],
            error=error,
            heading=heading,
            reason=reason or _custom_description(error),
        )
        response = Response(body, mimetype="text/html")
    if code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response, code


def handle_http_error(error: HTTPException) -> Any:
    """Friendly page (or JSON) for every 4xx the app raises."""
    if error.code is None or error.code < 400:
        return error
    return _error_response(error)


def handle_csrf_error(error: CSRFError) -> Any:
    """A stale or forged form: say what happened and what to do, change nothing."""
    log.info("CSRF check failed on %s %s: %s", request.method, request.path, error.description)
    return _error_response(error, reason=CSRF_MESSAGE, heading="This form has expired")


def handle_server_error(error: InternalServerError) -> Any:
    """Roll back whatever half-done work the request left and show a calm apology."""
    db.session.rollback()
    try:
        return _error_response(error)
    except Exception:  # the page itself failed (database down…): fall back to plain text
        log.exception("error page failed to render")
        return Response("Internal Server Error", status=500, mimetype="text/plain")


def register_error_handlers(app: Flask) -> None:
    """Map HTTP errors to HTML pages under templates/errors/ or JSON for API callers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(500, handle_server_error)
    app.register_error_handler(HTTPException, handle_http_error)


# ---------------------------------------------------------------------------------------------
# Security headers


def register_security_headers(app: Flask) -> None:
    """Send the security headers on every response (a view may set a stricter one itself)."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", HSTS_VALUE)
        return response


# ---------------------------------------------------------------------------------------------
# Query strings and downloads


MAX_PAGE_NUMBER = 10_000


def page_number(text: str | None) -> int:
    """A 1-based page number from a query string: junk means the first page, and the number
    is capped (a crawler asking for page 10^9 gets an empty page, not an overflow)."""
    try:
        return max(1, min(int(text or 1), MAX_PAGE_NUMBER))
    except ValueError:
        return 1


def iso_date(text: str | None) -> date | None:
    """A date typed as YYYY-MM-DD in a query string, or None when it is missing or unreadable."""
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def csv_download(body: str, filename: str) -> Response:
    """A CSV file the browser saves as `filename`; never cached, since every export here is
    someone's private figures."""
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


# ---------------------------------------------------------------------------------------------
# Template helpers


def minor_unit_exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has (2 for USD, 0 for JPY)."""
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def format_money(minor: int | None, currency: str = "USD") -> str:
    """Integer minor units as a price a person reads: 1250 USD → "$12.50", -500 JPY → "-¥500"."""
    if minor is None:
        return ""
    code = (currency or "USD").upper()
    exponent = minor_unit_exponent(code)
    amount = Decimal(abs(int(minor))).scaleb(-exponent)
    number = f"{amount:,.{exponent}f}"
    sign = "-" if minor < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(code)
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{code} {number}"


def major_units(minor: int | None, currency: str) -> str:
    """Minor units as an exact plain number in major units, for inputs and spreadsheets:
    1250 USD → "12.50", -500 JPY → "-500" (no symbol, no grouping; "" for no amount)."""
    if minor is None:
        return ""
    exponent = minor_unit_exponent(currency)
    return f"{Decimal(minor).scaleb(-exponent):.{exponent}f}"


def image_url(storage_key: str | None) -> str | None:
    """The public URL of a stored file, or None when there is no file."""
    if not storage_key:
        return None
    return url_for("media", key=storage_key)


def departments() -> list[Any]:
    """Top-level categories for the navigation, loaded once per request."""
    if "departments" not in g:
        from marketplace.catalog.models import Category

        try:
            g.departments = list(
                db.session.scalars(
                    select(Category)
                    .where(Category.parent_id.is_(None))
                    .order_by(Category.position, Category.name)
                )
            )
        except SQLAlchemyError:  # the navigation must never take an error page down with it
            log.exception("could not load departments")
            db.session.rollback()
            g.departments = []
    return g.departments


def health() -> tuple[Response, int]:
    """Liveness and readiness for load balancers: 200 when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("health check: database unavailable: %s", exc)
        payload = {
            "status": "error",
            "database": "unavailable",
            "reason": f"database unavailable ({type(exc).__name__})",
        }
        return jsonify(payload), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


def register_template_helpers(app: Flask) -> None:
    """Jinja filters and globals every template may use, and the `/healthz` probe."""
    app.add_template_filter(format_money, "money")
    app.add_template_global(image_url, "image_url")
    app.add_template_global(utcnow, "now")

    @app.before_request
    def forget_departments() -> None:
        # `g` outlives a request when an app context is reused (tests, CLI): start fresh.
        g.pop("departments", None)

    @app.context_processor
    def shell_context() -> dict[str, Any]:
        return {"departments": departments, "current_year": utcnow().year}

    app.add_url_rule("/healthz", endpoint="health", view_func=limiter.exempt(health))
