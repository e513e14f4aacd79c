"""Admin vendor management: the list, one vendor, and decisions with reasons that stick."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.vendors.models import Vendor, VendorEvent
from tests.helpers import sign_in


@pytest.fixture
def admin(make_user):
    return make_user(is_admin=True, display_name="Ada Admin", email="ada@example.com")


@pytest.fixture
def admin_client(client, admin):
    db.session.commit()
    sign_in(client, admin)
    return client


def events_of(vendor_id: int) -> list[VendorEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(VendorEvent).where(VendorEvent.vendor_id == vendor_id).order_by(VendorEvent.id)
        )
    )


def reload(vendor: Vendor) -> Vendor:
    db.session.expire_all()
    return db.session.get(Vendor, vendor.id)


# --- the list -----------------------------------------------------------------------------------


def test_list_puts_applications_first_with_counts(admin_client, make_vendor):
    make_vendor(display_name="Aardvark Antiques", status="approved")
    make_vendor(display_name="Zephyr Zines", status="applied", payable=False)
    make_vendor(display_name="Moth & Mildew", status="suspended")
    db.session.commit()

    page = admin_client.get("/admin/vendors").get_data(as_text=True)

    assert page.index("Zephyr Zines") < page.index("Aardvark Antiques")
    assert 'Applications <span class="filter-count">1</span>' in page
    assert 'All <span class="filter-count">3</span>' in page
    assert 'Suspended <span class="filter-count">1</span>' in page


def test_list_filters_by_state_and_searches(admin_client, make_vendor):
    make_vendor(display_name="Aardvark Antiques", status="approved")
    make_vendor(display_name="Zephyr Zines", status="applied", payable=False)
    db.session.commit()

    applied = admin_client.get("/admin/vendors?status=applied").get_data(as_text=True)
    assert "Zephyr Zines" in applied
    assert "Aardvark Antiques" not in applied

    found = admin_client.get("/admin/vendors?q=aardvark").get_data(as_text=True)
    assert "Aardvark Antiques" in found
    assert "Zephyr Zines" not in found


def test_unknown_state_filter_lists_everyone(admin_client, make_vendor):
    make_vendor(display_name="Aardvark Antiques")
    db.session.commit()
    page = admin_client.get("/admin/vendors?status=bogus").get_data(as_text=True)
    assert "Aardvark Antiques" in page


# --- one vendor ---------------------------------------------------------------------------------


def test_detail_shows_application_payouts_listings_and_history(
    admin_client, admin, make_vendor, make_product
):
    vendor = make_vendor(
        display_name="Fernhill Botanicals",
        business_name="Fernhill Botanicals Ltd",
        contact_phone="+44 20 7946 0000",
        status="suspended",
        strikes=2,
        payable=False,
    )
    make_product(vendor=vendor, status="live")
    make_product(vendor=vendor, status="rejected")
    db.session.add(
        VendorEvent(
            vendor=vendor,
            actor_id=admin.id,
            kind="suspended",
            from_status="approved",
            to_status="suspended",
            reason="Counterfeit seeds reported by three buyers.",
        )
    )
    db.session.commit()

    response = admin_client.get(f"/admin/vendors/{vendor.id}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    for text in (
        "Fernhill Botanicals Ltd",
        "+44 20 7946 0000",
        "Counterfeit seeds reported by three buyers.",
        "Ada Admin",
        "approved → suspended",
        "Not enabled",
        "<strong>2</strong>",
        "Reinstate vendor",
    ):
        assert text in page, text
    assert "Suspend vendor" not in page


def test_detail_of_missing_vendor_is_404(admin_client):
    assert admin_client.get("/admin/vendors/9999").status_code == 404


# --- decisions ----------------------------------------------------------------------------------


def test_approving_an_application_records_who_did_it(admin_client, admin, make_vendor):
    vendor = make_vendor(status="applied", payable=False)
    db.session.commit()

    response = admin_client.post(f"/admin/vendors/{vendor.id}/approve", follow_redirects=True)

    assert response.status_code == 200
    assert "approved." in response.get_data(as_text=True)
    assert reload(vendor).status == "approved"
    assert events_of(vendor.id)[-1].actor_id == admin.id


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [("applied", "reject", "rejected"), ("approved", "suspend", "suspended")],
)
def test_decisions_with_a_reason_take_effect(admin_client, make_vendor, start, action, end):
    vendor = make_vendor(status=start)
    db.session.commit()

    response = admin_client.post(
        f"/admin/vendors/{vendor.id}/{action}",
        data={f"{action}-reason": "Business documents do not match the shop."},
    )

    assert response.status_code == 302
    vendor = reload(vendor)
    assert vendor.status == end
    assert events_of(vendor.id)[-1].reason == "Business documents do not match the shop."


def test_reinstating_a_suspended_vendor(admin_client, make_vendor):
    vendor = make_vendor(status="suspended")
    db.session.commit()
    admin_client.post(
        f"/admin/vendors/{vendor.id}/reinstate", data={"reinstate-reason": "Appeal upheld."}
    )
    assert reload(vendor).status == "approved"


@pytest.mark.parametrize(
    ("start", "action"),
    [("applied", "reject"), ("approved", "suspend"), ("suspended", "reinstate")],
)
def test_a_reason_is_required(admin_client, make_vendor, start, action):
    vendor = make_vendor(status=start)
    db.session.commit()

    response = admin_client.post(
        f"/admin/vendors/{vendor.id}/{action}", data={f"{action}-reason": "  "}
    )

    assert response.status_code == 400
    assert "Give a reason; the seller sees it." in response.get_data(as_text=True)
    assert reload(vendor).status == start
    assert events_of(vendor.id) == []


@pytest.mark.parametrize(
    ("start", "action"),
    [("suspended", "approve"), ("applied", "suspend"), ("approved", "reinstate")],
)
def test_a_refused_transition_is_explained_and_changes_nothing(
    admin_client, make_vendor, start, action
):
    vendor = make_vendor(status=start)
    db.session.commit()

    response = admin_client.post(
        f"/admin/vendors/{vendor.id}/{action}", data={f"{action}-reason": "Trying anyway."}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/vendors/{vendor.id}")
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash--error"' in page
    assert reload(vendor).status == start
    assert events_of(vendor.id) == []


def test_a_stale_decision_without_a_reason_is_refused_for_its_state(admin_client, make_vendor):
    vendor = make_vendor(status="approved")
    db.session.commit()

    response = admin_client.post(f"/admin/vendors/{vendor.id}/reinstate", data={})

    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot be reinstated" in page
    assert reload(vendor).status == "approved"
