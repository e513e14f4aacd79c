"""The application pages under /sell: apply, re-apply after a rejection, and the seller terms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.notifications.models import Notification, OutboundEmail
from marketplace.vendors import onboarding
from marketplace.vendors.models import Vendor, VendorEvent, VendorStatus
from tests.helpers import sign_in

REASON = "Add a description of what you make and where."


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "business_name": "Loom House Weaving LLC",
        "display_name": "Loom House",
        "country": "US",
        "contact_email": "hello@loomhouse.example",
        "contact_phone": "",
        "description": "Hand-woven wool throws and cushions from our mill in Vermont.",
        "accepted_terms": "y",
        "submit": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def counts() -> tuple[int, int, int, int]:
    """Rows an application writes: vendors, events, notices and e-mails."""
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Vendor, VendorEvent, Notification, OutboundEmail)
    )


@pytest.fixture
def buyer(make_user):
    user = make_user(email="maker@example.com")
    db.session.commit()
    return user


def test_visitors_see_how_selling_works_and_are_asked_to_sign_in(client):
    page = client.get("/sell/apply").get_data(as_text=True)

    assert "Sell on Marketplace" in page
    assert "/account/sign-in?next=/sell/apply" in page
    assert 'href="/sell/terms"' in page
    assert 'name="display_name"' not in page


def test_a_visitor_posting_an_application_is_sent_to_sign_in(client):
    response = client.post("/sell/apply", data=form_data())

    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]
    assert counts() == (0, 0, 0, 0)


def test_signed_in_buyer_sees_the_form_with_countries_and_terms(client, buyer):
    sign_in(client, buyer)

    page = client.get("/sell/apply").get_data(as_text=True)

    for name in ("business_name", "display_name", "country", "contact_email", "contact_phone"):
        assert f'name="{name}"' in page
    assert '<option value="GB">United Kingdom</option>' in page
    assert 'name="accepted_terms"' in page
    assert 'href="/sell/terms"' in page


def test_applying_opens_a_shop_and_shows_it_on_the_dashboard(client, buyer):
    sign_in(client, buyer)

    response = client.post("/sell/apply", data=form_data())

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sell/")
    db.session.expire_all()
    vendor = db.session.scalars(select(Vendor)).one()
    assert (vendor.owner_id, vendor.status, vendor.slug) == (buyer.id, "applied", "loom-house")
    dashboard = client.get("/sell/").get_data(as_text=True)
    assert "application has been received" in dashboard
    assert "waiting for review" in dashboard


def test_missing_terms_and_bad_email_rerender_with_field_errors_and_write_nothing(client, buyer):
    sign_in(client, buyer)

    response = client.post(
        "/sell/apply", data=form_data(accepted_terms=None, contact_email="not an address")
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "You need to agree to the seller terms" in page
    assert "Enter a valid e-mail address" in page
    assert 'value="Loom House"' in page  # what was typed is kept
    assert counts() == (0, 0, 0, 0)


def test_service_rules_show_next_to_the_field(client, buyer):
    sign_in(client, buyer)

    response = client.post("/sell/apply", data=form_data(contact_phone="call me maybe"))

    assert response.status_code == 400
    assert "Enter a phone number with country code" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0, 0)


def test_a_taken_display_name_is_refused_whatever_its_case(client, buyer, make_vendor):
    make_vendor(display_name="Loom House")
    db.session.commit()
    before = counts()
    sign_in(client, buyer)

    response = client.post("/sell/apply", data=form_data(display_name="LOOM HOUSE"))

    assert response.status_code == 400
    assert "Another shop already uses this name" in response.get_data(as_text=True)
    db.session.expire_all()
    assert counts() == before


def test_a_taken_name_is_reported_with_the_other_errors(client, buyer, make_vendor):
    make_vendor(display_name="Loom House")
    db.session.commit()
    sign_in(client, buyer)

    page = client.post(
        "/sell/apply", data=form_data(display_name="loom house", accepted_terms=None)
    ).get_data(as_text=True)

    assert "Another shop already uses this name" in page
    assert "You need to agree to the seller terms" in page


def test_a_vendor_cannot_apply_twice(client, make_vendor):
    vendor = make_vendor(status="applied")
    db.session.commit()
    sign_in(client, vendor.owner)

    assert client.get("/sell/apply").headers["Location"].endswith("/sell/")
    response = client.post("/sell/apply", data=form_data(display_name="Second Shop"))

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Vendor)) == 1


def test_the_form_needs_a_csrf_token(app_factory, make_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user()
        db.session.commit()
        client = app.test_client()
        sign_in(client, user)

        response = client.post("/sell/apply", data=form_data())

        assert response.status_code == 400
        assert db.session.scalar(select(func.count()).select_from(Vendor)) == 0


# --- re-applying -----------------------------------------------------------------------------


@pytest.fixture
def rejected(buyer, make_user):
    """The buyer's application, rejected with a reason."""
    vendor = onboarding.apply_to_sell(
        buyer.id,
        business_name="Loom House Weaving LLC",
        display_name="Loom House",
        country="US",
        contact_email="hello@loomhouse.example",
        contact_phone=None,
        description="Wool things of many kinds and colours, all of them lovely.",
        accepted_terms=True,
    )
    onboarding.reject_vendor(vendor.id, make_user(is_admin=True).id, REASON)
    db.session.commit()
    return vendor


def test_a_rejected_applicant_is_sent_to_the_prefilled_reapply_form(client, buyer, rejected):
    sign_in(client, buyer)

    assert client.get("/sell/apply").headers["Location"].endswith("/sell/reapply")
    page = client.get("/sell/reapply").get_data(as_text=True)

    assert "Why your application was not approved" in page
    assert REASON in page
    assert 'value="Loom House Weaving LLC"' in page
    assert "Wool things of many kinds" in page
    assert '<option selected value="US">' in page
    terms_box = re.search(r'<input[^>]*name="accepted_terms"[^>]*>', page).group(0)
    assert "checked" not in terms_box  # agreed to again on every submission


def test_reapplying_sends_the_corrected_application_back_to_review(client, buyer, rejected):
    sign_in(client, buyer)

    response = client.post(
        "/sell/reapply",
        data=form_data(description="Hand-woven wool throws from our own Vermont mill, since 2009."),
    )

    assert response.status_code == 302
    db.session.expire_all()
    vendor = db.session.get(Vendor, rejected.id)
    assert vendor.status == VendorStatus.APPLIED
    assert vendor.description.startswith("Hand-woven wool throws from our own")
    kinds = db.session.scalars(
        select(VendorEvent.kind).where(VendorEvent.vendor_id == vendor.id).order_by(VendorEvent.id)
    ).all()
    assert kinds == ["applied", "rejected", "reapplied"]


def test_an_invalid_reapplication_changes_nothing(client, buyer, rejected):
    sign_in(client, buyer)

    response = client.post("/sell/reapply", data=form_data(description="Short."))

    assert response.status_code == 400
    assert REASON in response.get_data(as_text=True)
    db.session.expire_all()
    vendor = db.session.get(Vendor, rejected.id)
    assert (vendor.status, vendor.status_reason) == ("rejected", REASON)


def test_only_rejected_shops_can_reapply(client, make_vendor):
    vendor = make_vendor(status="approved")
    db.session.commit()
    sign_in(client, vendor.owner)

    response = client.post("/sell/reapply", data=form_data())

    assert response.headers["Location"].endswith("/sell/")
    db.session.expire_all()
    assert db.session.get(Vendor, vendor.id).status == "approved"


def test_reapply_without_a_shop_goes_to_the_application(client, buyer):
    sign_in(client, buyer)
    assert client.get("/sell/reapply").headers["Location"].endswith("/sell/apply")


# --- terms -----------------------------------------------------------------------------------


def test_seller_terms_are_public_and_state_the_strike_limit(client):
    page = client.get("/sell/terms").get_data(as_text=True)

    assert "<h1>Seller terms</h1>" in page
    assert "At 3 strikes the shop is suspended" in page
    assert 'id="standards"' in page
