"""The seller dashboard: only for vendor owners, and only ever about their own shop."""

from __future__ import annotations

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.models import Notification
from marketplace.vendors import onboarding
from tests.helpers import sign_in


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/sell/")
    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_buyer_gets_403_on_the_seller_dashboard(client, make_user):
    buyer = make_user()
    db.session.commit()
    sign_in(client, buyer)
    assert client.get("/sell/").status_code == 403


def test_vendor_sees_its_own_listings_and_low_stock_only(client, make_vendor, make_product):
    vendor = make_vendor(display_name="Kiln & Co")
    make_product(vendor=vendor, title="Speckled Stoneware Mug", stock=1)
    make_product(vendor=vendor, title="Draft Teapot", status=ProductStatus.DRAFT)
    other = make_vendor(display_name="Other Shop")
    make_product(vendor=other, title="Someone Else's Low Stock Lamp", stock=0)
    db.session.commit()
    sign_in(client, vendor.owner)

    page = client.get("/sell/").get_data(as_text=True)

    assert "Kiln &amp; Co" in page
    assert "Speckled Stoneware Mug" in page  # stock 1 is at its reorder point of 2
    assert "Someone Else" not in page


def test_vendor_sees_why_it_cannot_sell_yet(client, make_vendor):
    vendor = make_vendor(status="applied", payable=False)
    db.session.commit()
    sign_in(client, vendor.owner)
    page = client.get("/sell/").get_data(as_text=True)
    assert "Applied" in page
    assert "must be approved and payable" in page


# --- status, reasons, history and notices ----------------------------------------------------


def test_rejected_vendor_sees_the_reason_and_can_reapply(client, make_vendor):
    vendor = make_vendor(status="rejected", status_reason="Your photos show another brand.")
    db.session.commit()
    sign_in(client, vendor.owner)

    page = client.get("/sell/").get_data(as_text=True)

    assert "Your application was not approved" in page
    assert "Your photos show another brand." in page
    assert 'href="/sell/reapply"' in page


def test_suspended_vendor_sees_why_and_that_listings_are_hidden(client, make_vendor):
    vendor = make_vendor(status="suspended", status_reason="Counterfeit goods reported.")
    db.session.commit()
    sign_in(client, vendor.owner)

    page = client.get("/sell/").get_data(as_text=True)

    assert "Your shop is suspended" in page
    assert "Counterfeit goods reported." in page
    assert "Buyers cannot see or buy your listings" in page


def test_history_is_newest_first_and_says_who_acted(client, make_user, make_vendor):
    admin = make_user(is_admin=True, display_name="Admin Ada")
    vendor = make_vendor(status="approved")
    onboarding.add_strike(vendor.id, actor_id=admin.id, reason="Stock photo on a listing.")
    onboarding.record_payout_status(
        vendor.id, charges_enabled=False, payouts_enabled=False, source="offline"
    )
    db.session.commit()
    sign_in(client, vendor.owner)

    page = client.get("/sell/").get_data(as_text=True)
    history = page[page.index('id="history-heading"') :]

    assert history.index("Payout status") < history.index("Strike")
    assert "Stock photo on a listing." in history
    assert "Marketplace team" in history  # admins are not named to sellers
    assert "Admin Ada" not in history
    assert "Automatic" in history
    assert "<strong>1</strong> of 3" in page


def test_vendor_sees_its_unread_notices_only(client, make_user, make_vendor):
    vendor = make_vendor()
    other = make_user()
    db.session.add_all(
        [
            Notification(user_id=vendor.owner_id, kind="low_stock", message="Mug is low on stock"),
            Notification(user_id=other.id, kind="low_stock", message="Someone else's notice"),
            Notification(
                user_id=vendor.owner_id, kind="x", message="Old read notice", read_at=utcnow()
            ),
        ]
    )
    db.session.commit()
    sign_in(client, vendor.owner)

    page = client.get("/sell/").get_data(as_text=True)

    assert "Mug is low on stock" in page
    assert "1 unread" in page
    assert "Someone else" not in page
    assert "Old read notice" not in page


def test_mark_all_read_touches_only_the_signed_in_users_notices(client, make_user, make_vendor):
    vendor = make_vendor()
    other = make_user()
    mine = Notification(user_id=vendor.owner_id, kind="low_stock", message="Mine")
    theirs = Notification(user_id=other.id, kind="low_stock", message="Theirs")
    db.session.add_all([mine, theirs])
    db.session.commit()
    sign_in(client, vendor.owner)

    response = client.post("/sell/notifications/read")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sell/")
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is not None
    assert db.session.get(Notification, theirs.id).read_at is None
    assert "No unread notices." in client.get("/sell/").get_data(as_text=True)


def test_mark_all_read_needs_a_signed_in_user(client):
    response = client.post("/sell/notifications/read")
    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_payout_button_posts_to_the_payout_page(app, client, make_vendor):
    vendor = make_vendor(payable=False)
    db.session.commit()
    sign_in(client, vendor.owner)

    page = client.get("/sell/").get_data(as_text=True)

    assert 'action="/sell/payouts/start"' in page
    assert "Set up payouts" in page


def test_no_payout_button_once_payable_or_rejected(app, client, make_vendor):
    payable = make_vendor(payable=True)
    rejected = make_vendor(status="rejected", payable=False)
    db.session.commit()

    for vendor in (payable, rejected):
        sign_in(client, vendor.owner)
        assert "Set up payouts" not in client.get("/sell/").get_data(as_text=True)
