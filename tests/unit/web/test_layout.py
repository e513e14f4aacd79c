"""The page shell: navigation, account menu, flash messages and departments."""

from __future__ import annotations

import re

from flask import flash, render_template

from marketplace.extensions import db
from tests.helpers import sign_in


def test_signed_out_visitor_sees_sign_in_and_create_account(client):
    page = client.get("/").get_data(as_text=True)

    assert 'href="/account/sign-in"' in page
    assert 'href="/account/sign-up"' in page
    assert "Sign out" not in page
    assert 'class="skip-link" href="#main"' in page
    assert 'id="main"' in page


def test_signed_in_buyer_sees_their_menu_without_seller_or_admin_links(client, make_user):
    user = make_user(display_name="Ada Buyer")
    db.session.commit()
    sign_in(client, user)

    page = client.get("/").get_data(as_text=True)

    assert "Ada Buyer" in page
    assert 'href="/account/settings"' in page
    assert "Seller dashboard" not in page
    assert ">Admin<" not in page
    assert 'href="/account/sign-in"' not in page


def test_sign_out_is_a_post_form_with_a_csrf_token(app_factory, make_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        user = make_user()
        db.session.commit()
        sign_in(client, user)

        page = client.get("/").get_data(as_text=True)

    form = re.search(r'<form action="/account/sign-out" method="post">(.*?)</form>', page, re.S)
    assert form is not None
    assert re.search(r'name="csrf_token" value="[^"]+"', form.group(1))


def test_vendor_owner_sees_seller_dashboard_link(client, make_vendor):
    vendor = make_vendor()
    db.session.commit()
    sign_in(client, vendor.owner)

    page = client.get("/").get_data(as_text=True)

    assert 'href="/sell/"' in page
    assert "Seller dashboard" in page


def test_admin_sees_admin_link(client, make_user):
    admin = make_user(is_admin=True)
    db.session.commit()
    sign_in(client, admin)

    page = client.get("/").get_data(as_text=True)

    assert 'href="/admin/"' in page


def test_navigation_lists_top_level_departments_only(client, make_category):
    home = make_category(name="Home & Kitchen", slug="home-kitchen")
    make_category(name="Mugs", slug="mugs", parent=home)
    make_category(name="Outdoors", slug="outdoors")
    db.session.commit()

    page = client.get("/").get_data(as_text=True)
    nav = re.search(r'<nav class="departments".*?</nav>', page, re.S).group(0)

    assert "Home &amp; Kitchen" in nav
    assert 'href="/search?category=home-kitchen"' in nav
    assert "Outdoors" in nav
    assert "Mugs" not in nav


def test_departments_are_loaded_once_per_request(app, client, make_category):
    make_category(name="Garden", slug="garden")
    db.session.commit()
    statements = []

    from sqlalchemy import event

    def record(conn, cursor, statement, *args):
        if "FROM categories" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        client.get("/")  # the home page shows departments twice: nav and tiles
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 1


def test_flash_messages_render_with_their_category_in_a_live_region(app, client):
    def flashing():
        flash("Your listing was saved.", "success")
        flash("Payout delayed.", "warning")
        flash("Card declined.", "error")
        flash("Plain message.")
        return render_template("base.html")

    app.add_url_rule("/flash-demo", "flash_demo", flashing)
    page = client.get("/flash-demo").get_data(as_text=True)

    assert 'aria-live="polite"' in page
    assert re.search(
        r'flash--success"[^>]*>\s*<span[^>]*>Done:</span>\s*Your listing was saved', page
    )
    assert 'class="flash flash--warning"' in page
    assert 'class="flash flash--error" role="alert"' in page
    assert re.search(r'flash--info"[^>]*>\s*<span[^>]*>Note:</span>\s*Plain message', page)


def test_page_title_names_the_page_and_the_site(client, make_product):
    product = make_product(title="Linen Apron")
    db.session.commit()
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "<title>Linen Apron · Marketplace</title>" in page
