"""Payout onboarding with the offline gateway, end to end through the seller pages."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments.models import WebhookEvent
from marketplace.payments.offline import (
    TEST_ACCOUNT_NUMBER,
    TEST_ACCOUNT_NUMBER_PENDING,
    TEST_ROUTING_NUMBER,
)
from marketplace.vendors.models import Vendor, VendorEvent
from tests import factories
from tests.helpers import IsolatedClient, sign_in

DETAILS = {
    "account_holder_name": "Kiln and Co LLC",
    "routing_number": TEST_ROUTING_NUMBER,
    "account_number": TEST_ACCOUNT_NUMBER,
    "confirm": "y",
}


def _unpayable_vendor(make_vendor, client, **fields):
    vendor = make_vendor(payable=False, **fields)
    db.session.commit()
    sign_in(client, vendor.owner)
    return vendor


def _reload(vendor: Vendor) -> Vendor:
    db.session.expire_all()
    return db.session.get(Vendor, vendor.id)


def _webhook_events() -> list[WebhookEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookEvent)))


def test_payouts_page_offers_setup_to_a_vendor_without_an_account(client, make_vendor):
    _unpayable_vendor(make_vendor, client)

    page = client.get("/sell/payouts").get_data(as_text=True)

    assert "Not set up" in page
    assert "Set up payouts" in page
    assert 'action="/sell/payouts/start"' in page


def test_offline_flow_makes_the_vendor_payable_only_after_confirming(client, make_vendor):
    vendor = _unpayable_vendor(make_vendor, client)
    account_id = f"acct_offline_{vendor.id}"

    started = client.post("/sell/payouts/start")

    assert started.status_code == 303
    assert started.headers["Location"] == f"/sell/payouts/offline/{account_id}"
    vendor = _reload(vendor)
    assert (vendor.payout_gateway, vendor.payout_account_id) == ("offline", account_id)
    assert not vendor.is_payable

    # Coming back without confirming asks the gateway, which has nothing to report.
    early = client.get("/sell/payouts/return").get_data(as_text=True)
    assert "Setup is not finished" in early
    assert not _reload(vendor).is_payable

    form = client.get(f"/sell/payouts/offline/{account_id}").get_data(as_text=True)
    assert TEST_ROUTING_NUMBER in form and TEST_ACCOUNT_NUMBER in form

    confirmed = client.post(f"/sell/payouts/offline/{account_id}", data=DETAILS)

    assert confirmed.status_code == 303
    assert confirmed.headers["Location"] == "/sell/payouts/return"
    vendor = _reload(vendor)
    assert vendor.charges_enabled and vendor.payouts_enabled
    [event] = _webhook_events()
    assert (event.provider, event.type) == ("offline", "account.updated")
    assert event.event_id.startswith("evt_offline_")
    assert event.payload["data"]["object"]["external_accounts"]["data"][0]["last4"] == "6789"
    assert TEST_ACCOUNT_NUMBER not in str(event.payload)  # only the last four digits are kept
    audit = db.session.scalars(select(VendorEvent).where(VendorEvent.vendor_id == vendor.id)).all()
    assert [e.kind for e in audit] == ["payout_status"]
    assert "offline account.updated event" in (audit[0].reason or "")

    back = client.get("/sell/payouts/return").get_data(as_text=True)
    assert "Your payout account is ready" in back
    assert "Ready" in client.get("/sell/payouts").get_data(as_text=True)


def test_pending_test_account_submits_details_without_enabling_the_account(client, make_vendor):
    vendor = _unpayable_vendor(make_vendor, client)
    client.post("/sell/payouts/start")

    client.post(
        f"/sell/payouts/offline/acct_offline_{vendor.id}",
        data={**DETAILS, "account_number": TEST_ACCOUNT_NUMBER_PENDING},
    )

    assert not _reload(vendor).is_payable
    page = client.get("/sell/payouts/return").get_data(as_text=True)
    assert "is checking your details" in page
    assert "card payments and payouts" in page


def test_bad_payout_details_are_explained_next_to_the_field_and_change_nothing(client, make_vendor):
    vendor = _unpayable_vendor(make_vendor, client)
    client.post("/sell/payouts/start")

    response = client.post(
        f"/sell/payouts/offline/acct_offline_{vendor.id}",
        data={**DETAILS, "routing_number": "12345"},
    )

    assert response.status_code == 200
    assert "A routing number has 9 digits" in response.get_data(as_text=True)
    assert _webhook_events() == []
    assert not _reload(vendor).is_payable


def test_every_problem_is_shown_at_once(client, make_vendor):
    vendor = _unpayable_vendor(make_vendor, client)
    client.post("/sell/payouts/start")
    unconfirmed = {key: value for key, value in DETAILS.items() if key != "confirm"}

    response = client.post(
        f"/sell/payouts/offline/acct_offline_{vendor.id}",
        data={**unconfirmed, "account_number": "12"},
    )

    page = response.get_data(as_text=True)
    assert "Tick the box to confirm the test details." in page
    assert "An account number has 4 to 17 digits" in page
    assert _webhook_events() == []


def test_another_vendors_confirmation_page_is_404(client, make_vendor):
    victim = make_vendor(payable=False, payout_gateway="offline")
    db.session.flush()
    victim.payout_account_id = f"acct_offline_{victim.id}"
    _unpayable_vendor(make_vendor, client)

    page = client.get(f"/sell/payouts/offline/{victim.payout_account_id}")
    forged = client.post(f"/sell/payouts/offline/{victim.payout_account_id}", data=DETAILS)

    assert page.status_code == 404
    assert forged.status_code == 404
    assert not _reload(victim).is_payable
    assert _webhook_events() == []


def test_confirmation_page_does_not_exist_when_stripe_is_the_gateway(app, client, make_vendor):
    vendor = _unpayable_vendor(
        make_vendor, client, payout_gateway="offline", payout_account_id="acct_offline_77"
    )
    app.config["STRIPE_SECRET_KEY"] = "sk_test_configured"

    response = client.post(f"/sell/payouts/offline/{vendor.payout_account_id}", data=DETAILS)

    assert response.status_code == 404
    assert not _reload(vendor).is_payable


def test_an_applicant_may_set_up_payouts_while_waiting_for_review(client, make_vendor):
    vendor = _unpayable_vendor(make_vendor, client, status="applied")

    response = client.post("/sell/payouts/start")

    assert response.status_code == 303
    assert _reload(vendor).payout_account_id == f"acct_offline_{vendor.id}"


def test_rejected_and_suspended_shops_cannot_set_up_payouts(client, make_vendor):
    for status, reason in (("rejected", "not approved"), ("suspended", "is suspended")):
        vendor = make_vendor(payable=False, status=status)
        db.session.commit()
        sign_in(client, vendor.owner)

        response = client.post("/sell/payouts/start", follow_redirects=True)

        page = response.get_data(as_text=True)
        assert reason in page
        assert "Set up payouts</button>" not in page
        assert _reload(vendor).payout_account_id is None


def test_refresh_without_an_account_goes_back_to_the_payouts_page(client, make_vendor):
    _unpayable_vendor(make_vendor, client)

    response = client.get("/sell/payouts/refresh")

    assert response.status_code == 302
    assert response.headers["Location"] == "/sell/payouts"


def test_refresh_sends_the_vendor_back_to_onboarding(client, make_vendor):
    vendor = _unpayable_vendor(make_vendor, client)
    client.post("/sell/payouts/start")

    response = client.get("/sell/payouts/refresh")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/sell/payouts/offline/acct_offline_{vendor.id}"
    assert response.headers["Cache-Control"] == "no-store"


def test_payout_pages_are_for_vendors_only(client, make_user):
    assert client.get("/sell/payouts").status_code == 302  # to sign-in
    buyer = make_user()
    db.session.commit()
    sign_in(client, buyer)
    for url in ("/sell/payouts", "/sell/payouts/return", "/sell/payouts/refresh"):
        assert client.get(url).status_code == 403
    assert client.post("/sell/payouts/start").status_code == 403


def test_starting_needs_a_post_with_a_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    with app.app_context():
        vendor = factories.VendorFactory(charges_enabled=False, payouts_enabled=False)
        db.session.commit()
        sign_in(client, vendor.owner)

        assert client.get("/sell/payouts/start").status_code == 405
        assert client.post("/sell/payouts/start").status_code == 400
        db.session.expire_all()
        assert db.session.get(Vendor, vendor.id).payout_account_id is None
        db.session.remove()
