"""Cart pages: /cart and its add / change / remove actions, the header's cart count, and the
merge of a visitor's cart into the account's on sign-in.

A visitor's cart is found by a random token kept in a signed, HttpOnly, SameSite=Lax cookie
(Secure wherever the session cookie is).
"""

from __future__ import annotations

import logging

from flask import (
    Response,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, user_logged_in
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from marketplace.buyers import bp
from marketplace.catalog.models import Product
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import services as order_services
from marketplace.orders.models import Cart

log = logging.getLogger(__name__)


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _cookie_token() -> str | None:
    return carts.read_token(request.cookies.get(carts.CART_COOKIE))


def current_cart(*, create: bool = False) -> Cart | None:
    """This browser's cart: the account's when signed in, else the visitor's by cookie."""
    token = _cookie_token()
    if not create:
        return carts.find_cart(_user_id(), token)
    cart = carts.get_or_create_cart(_user_id(), token)
    if cart.user_id is None and cart.token != token:
        g.cart_cookie_token = cart.token  # set on the response (see _set_cart_cookie)
    return cart


@bp.after_request
def _set_cart_cookie(response: Response) -> Response:
    token = g.pop("cart_cookie_token", None)
    if token:
        response.set_cookie(
            carts.CART_COOKIE,
            carts.sign_token(token),
            max_age=carts.CART_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


@bp.app_context_processor
def _cart_helpers() -> dict[str, object]:
    return {"cart_count": cart_count}


def cart_count() -> int:
    """Units in this browser's cart, for the header (once per request; never breaks a page)."""
    if "cart_count" not in g:
        try:
            g.cart_count = carts.item_count(_user_id(), _cookie_token())
        except SQLAlchemyError:
            log.exception("could not count the cart")
            g.cart_count = 0
    return g.cart_count


@user_logged_in.connect
def _merge_cart_on_sign_in(sender: object, user: object, **_extra: object) -> None:
    """Signing in keeps what the visitor put in the cart (the sign-in view commits)."""
    token = _cookie_token() if has_request_context() else None
    if not token:
        return
    for notice in carts.merge_guest_cart(token, user.id):  # type: ignore[attr-defined]
        flash(notice.message, "info")


@bp.before_request
def _expire_stock_of_product_page() -> None:
    """Reservations that ran out go back on sale before a product page shows its stock."""
    if request.endpoint != "buyers.product" or not request.view_args:
        return
    slug = str(request.view_args.get("slug", ""))
    product_id = db.session.scalar(select(Product.id).where(Product.slug == slug))
    if product_id is not None and order_services.expire_reservations(product_ids=[product_id]):
        db.session.commit()


# ---------------------------------------------------------------------------------------------
# Pages


@bp.get("/cart")
def cart() -> str:
    """The cart, grouped by vendor, after re-checking stock and prices (changes explained)."""
    review = carts.review(current_cart())
    page = render_template("buyers/cart.html", review=review)
    db.session.commit()  # the fixes the re-check made are kept (and told once)
    return page


def _back_to(fallback: str) -> str:
    """Where to go after a cart action: the cart, or a product page the form came from."""
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def _refuse(error: DomainError) -> ResponseReturnValue:
    db.session.rollback()
    flash(error.message, "error")
    return redirect(_back_to(url_for("buyers.cart")))


@bp.post("/cart/add")
def cart_add() -> ResponseReturnValue:
    """Add a variant from a product page (only purchasable variants of findable products)."""
    try:
        variant_id = int(request.form.get("variant_id", ""))
    except ValueError:
        flash("Choose an option to add to your cart.", "error")
        return redirect(_back_to(url_for("buyers.cart")))
    try:
        notice = carts.add_item(
            current_cart(create=True), variant_id, request.form.get("quantity", "1")
        )
    except DomainError as error:
        return _refuse(error)
    db.session.commit()
    flash(notice.message, "warning" if notice.kind == "capped" else "success")
    return redirect(url_for("buyers.cart"))


@bp.post("/cart/items/<int:item_id>")
def cart_update(item_id: int) -> ResponseReturnValue:
    """Change a line's quantity (0 removes it), or remove it."""
    cart = current_cart()
    if cart is None:
        flash("Your cart is empty.", "info")
        return redirect(url_for("buyers.cart"))
    try:
        if request.form.get("action") == "remove":
            notice = carts.remove_item(cart, item_id)
        else:
            notice = carts.set_quantity(cart, item_id, request.form.get("quantity", ""))
    except DomainError as error:
        return _refuse(error)
    db.session.commit()
    flash(notice.message, "warning" if notice.kind == "capped" else "success")
    return redirect(url_for("buyers.cart"))
