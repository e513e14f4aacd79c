"""Onboarding services: applying to sell, the vendor state machine and its audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.notifications.models import Notification, OutboundEmail
from marketplace.vendors import onboarding
from marketplace.vendors.applications import slugify
from marketplace.vendors.models import Vendor, VendorEvent, VendorStatus

REASON = "The business registration number does not match the business name."


def application(**overrides: Any) -> dict[str, Any]:
    """A valid application; override single fields to break them."""
    fields: dict[str, Any] = {
        "business_name": "Kiln and Company Ltd",
        "display_name": "Kiln & Co.",
        "country": "GB",
        "contact_email": "Orders@Kiln.example",
        "contact_phone": "+44 20 7946 0958",
        "description": "Stoneware mugs, bowls and jugs thrown and glazed in our Leeds studio.",
        "accepted_terms": True,
    }
    fields.update(overrides)
    return fields


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def events(vendor: Vendor) -> list[VendorEvent]:
    return list(
        db.session.scalars(
            select(VendorEvent).where(VendorEvent.vendor_id == vendor.id).order_by(VendorEvent.id)
        )
    )


def last_event(vendor: Vendor) -> VendorEvent:
    return events(vendor)[-1]


# --- applying --------------------------------------------------------------------------------


def test_applying_opens_an_application_with_a_slug_and_an_audit_event(make_user):
    user = make_user()

    vendor = onboarding.apply_to_sell(user.id, **application())

    assert vendor.status == VendorStatus.APPLIED
    assert vendor.owner_id == user.id
    assert vendor.slug == "kiln-and-co"
    assert vendor.display_name == "Kiln & Co."
    assert vendor.contact_email == "orders@kiln.example"
    assert vendor.country == "GB"
    assert vendor.terms_accepted_at is not None
    assert vendor.approved_at is None
    [event] = events(vendor)
    assert (event.kind, event.from_status, event.to_status) == ("applied", None, "applied")
    assert event.actor_id == user.id


def test_applying_tells_the_applicant_in_the_app_and_by_email(make_user):
    user = make_user()

    vendor = onboarding.apply_to_sell(user.id, **application())

    notice = db.session.scalars(select(Notification).where(Notification.user_id == user.id)).one()
    assert "received your application" in notice.message
    assert notice.link == "/sell/"
    email = db.session.scalars(select(OutboundEmail)).one()
    assert email.to_address == vendor.contact_email
    assert email.user_id == user.id
    assert "Kiln & Co." in email.subject


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kiln & Co.", "kiln-and-co"),
        ("  Café   Crème  ", "cafe-creme"),
        ("Große Straße Ølstue", "grosse-strasse-olstue"),
        ("The___Loom!!!House", "the-loom-house"),
        ("東京 Ceramics", "ceramics"),
        ("東京", "shop"),
        ("A" * 90, "a" * 70),
    ],
)
def test_slug_is_lowercase_ascii_words_joined_by_hyphens(name, slug):
    assert slugify(name) == slug


def test_slugs_are_numbered_when_the_name_maps_to_a_taken_slug(make_user):
    first = onboarding.apply_to_sell(make_user().id, **application(display_name="Loom House"))
    second = onboarding.apply_to_sell(make_user().id, **application(display_name="Loom-House!"))
    third = onboarding.apply_to_sell(make_user().id, **application(display_name="loom  house?"))

    assert [first.slug, second.slug, third.slug] == ["loom-house", "loom-house-2", "loom-house-3"]


def test_display_name_is_unique_ignoring_case_and_nothing_is_written(make_user):
    onboarding.apply_to_sell(make_user().id, **application(display_name="Loom House"))
    before = (count(Vendor), count(VendorEvent), count(Notification), count(OutboundEmail))

    with pytest.raises(onboarding.DisplayNameTaken) as refused:
        onboarding.apply_to_sell(make_user().id, **application(display_name="LOOM house"))

    assert refused.value.field == "display_name"
    assert (count(Vendor), count(VendorEvent), count(Notification), count(OutboundEmail)) == before


def test_one_shop_per_account(make_user):
    user = make_user()
    onboarding.apply_to_sell(user.id, **application())

    with pytest.raises(onboarding.AlreadyAVendor):
        onboarding.apply_to_sell(user.id, **application(display_name="Second Shop"))
    assert count(Vendor) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("business_name", " "),
        ("business_name", "x" * 161),
        ("display_name", "K"),
        ("display_name", "!!! ???"),
        ("display_name", "x" * 61),
        ("country", "XX"),
        ("country", ""),
        ("contact_email", "not-an-address"),
        ("contact_email", ""),
        ("contact_phone", "call me"),
        ("contact_phone", "12345"),
        ("contact_phone", "+1 " + "5" * 16),
        ("description", "Too short."),
        ("description", "x" * 2001),
        ("accepted_terms", False),
    ],
)
def test_an_invalid_field_is_named_and_nothing_is_written(make_user, field, value):
    user = make_user()

    with pytest.raises(onboarding.InvalidApplication) as refused:
        onboarding.apply_to_sell(user.id, **application(**{field: value}))

    assert refused.value.field == field
    assert refused.value.message
    assert (count(Vendor), count(VendorEvent), count(Notification), count(OutboundEmail)) == (
        0,
        0,
        0,
        0,
    )


def test_optional_phone_and_lowercase_country_are_accepted(make_user):
    vendor = onboarding.apply_to_sell(
        make_user().id, **application(country="us", contact_phone="  ")
    )
    assert vendor.country == "US"
    assert vendor.contact_phone is None


def test_applying_for_an_unknown_account_is_refused(app):
    with pytest.raises(onboarding.AccountNotFound):
        onboarding.apply_to_sell(999_999, **application())


# --- the state machine -----------------------------------------------------------------------


def decide(action: str, vendor: Vendor, actor_id: int | None, reason: str | None = REASON):
    """Call the decision service for `action` the way an admin page does."""
    if action == "approve":
        return onboarding.approve_vendor(vendor.id, actor_id)
    return getattr(onboarding, f"{action}_vendor")(vendor.id, actor_id, reason)


ALLOWED = [
    ("applied", "approve", "approved"),
    ("applied", "reject", "rejected"),
    ("approved", "suspend", "suspended"),
    ("suspended", "reinstate", "approved"),
]
EVENT_KINDS = {
    "approve": "approved",
    "reject": "rejected",
    "suspend": "suspended",
    "reinstate": "reinstated",
}
REFUSED = [
    (status, action)
    for status in ("applied", "approved", "rejected", "suspended")
    for action in EVENT_KINDS
    if (status, action) not in {(start, act) for start, act, _ in ALLOWED}
]


@pytest.mark.parametrize(("start", "action", "end"), ALLOWED)
def test_allowed_decisions_change_status_and_record_who_and_why(
    make_user, make_vendor, start, action, end
):
    admin = make_user(is_admin=True)
    vendor = make_vendor(status=start)

    decide(action, vendor, admin.id)

    assert vendor.status == end
    event = last_event(vendor)
    assert (event.from_status, event.to_status, event.actor_id) == (start, end, admin.id)
    assert event.kind == EVENT_KINDS[action]
    assert event.reason == (None if action == "approve" else REASON)
    assert event.created_at is not None


@pytest.mark.parametrize(("start", "action"), REFUSED)
def test_refused_decisions_explain_and_change_nothing(make_user, make_vendor, start, action):
    admin = make_user(is_admin=True)
    vendor = make_vendor(status=start, display_name="Loom House")

    with pytest.raises(onboarding.InvalidVendorTransition) as refused:
        decide(action, vendor, admin.id)

    assert refused.value.message.startswith(f"Loom House is {start} and cannot be")
    assert "can only be" in refused.value.message
    assert vendor.status == start
    assert events(vendor) == []
    assert count(Notification) == 0


@pytest.mark.parametrize("action", ["reject", "suspend", "reinstate"])
def test_decisions_other_than_approval_need_a_reason(make_user, make_vendor, action):
    start = {"reject": "applied", "suspend": "approved", "reinstate": "suspended"}[action]
    vendor = make_vendor(status=start)

    with pytest.raises(onboarding.ReasonRequired):
        decide(action, vendor, make_user(is_admin=True).id, reason="   ")

    assert vendor.status == start
    assert events(vendor) == []


def test_unknown_vendor_is_refused(make_user):
    with pytest.raises(onboarding.VendorNotFound):
        onboarding.approve_vendor(424242, make_user(is_admin=True).id)


def test_approval_sets_approved_at_and_clears_the_old_reason(make_user, make_vendor):
    vendor = make_vendor(status="applied", approved_at=None, status_reason="Old note")

    onboarding.approve_vendor(vendor.id, make_user(is_admin=True).id)

    assert vendor.approved_at is not None
    assert vendor.status_reason is None


def test_rejection_keeps_the_reason_and_tells_the_applicant(make_user, make_vendor):
    vendor = make_vendor(status="applied")

    onboarding.reject_vendor(vendor.id, make_user(is_admin=True).id, f"  {REASON}  ")

    assert vendor.status_reason == REASON
    notice = db.session.scalars(
        select(Notification).where(Notification.user_id == vendor.owner_id)
    ).one()
    assert REASON in notice.message
    email = db.session.scalars(select(OutboundEmail)).one()
    assert REASON in email.body_text
    assert "submit it again" in email.body_text


def test_suspension_and_reinstatement_notify_the_owner(make_user, make_vendor):
    admin = make_user(is_admin=True)
    vendor = make_vendor(status="approved")

    onboarding.suspend_vendor(vendor.id, admin.id, "Counterfeit goods reported.")
    onboarding.reinstate_vendor(vendor.id, admin.id, "Invoices from the maker provided.")

    kinds = db.session.scalars(
        select(Notification.kind)
        .where(Notification.user_id == vendor.owner_id)
        .order_by(Notification.id)
    ).all()
    assert kinds == ["vendor_suspended", "vendor_reinstated"]
    subjects = db.session.scalars(select(OutboundEmail.subject).order_by(OutboundEmail.id)).all()
    assert [subject.split(" · ")[0] for subject in subjects] == [
        "Your shop is suspended",
        "Your shop is reinstated",
    ]
    assert vendor.status_reason is None


# --- re-applying -----------------------------------------------------------------------------


def test_rejected_applicant_reapplies_with_changes(make_user):
    user = make_user()
    vendor = onboarding.apply_to_sell(user.id, **application(display_name="Kiln Co"))
    onboarding.reject_vendor(vendor.id, make_user(is_admin=True).id, REASON)

    again = onboarding.apply_to_sell(
        user.id, **application(display_name="Kiln Studio", business_name="Kiln Studio Ltd")
    )

    assert again.id == vendor.id
    assert again.status == VendorStatus.APPLIED
    assert again.status_reason is None
    assert (again.display_name, again.slug, again.business_name) == (
        "Kiln Studio",
        "kiln-studio",
        "Kiln Studio Ltd",
    )
    event = last_event(again)
    assert (event.kind, event.from_status, event.to_status) == ("reapplied", "rejected", "applied")
    assert event.actor_id == user.id
    assert REASON in event.reason


def test_reapplying_under_the_same_name_keeps_the_slug(make_user):
    user = make_user()
    vendor = onboarding.apply_to_sell(user.id, **application())
    onboarding.reject_vendor(vendor.id, make_user(is_admin=True).id, REASON)

    again = onboarding.apply_to_sell(user.id, **application(description="x" * 40))

    assert again.slug == "kiln-and-co"


def test_reapplying_cannot_take_another_shops_name(make_user, make_vendor):
    make_vendor(display_name="Loom House")
    user = make_user()
    vendor = onboarding.apply_to_sell(user.id, **application())
    onboarding.reject_vendor(vendor.id, make_user(is_admin=True).id, REASON)

    with pytest.raises(onboarding.DisplayNameTaken):
        onboarding.apply_to_sell(user.id, **application(display_name="loom house"))
    assert vendor.status == VendorStatus.REJECTED


# --- strikes ---------------------------------------------------------------------------------


def test_a_strike_is_counted_recorded_and_told(make_user, make_vendor):
    moderator = make_user(is_admin=True)
    vendor = make_vendor()

    onboarding.add_strike(vendor.id, actor_id=moderator.id, reason="Listing used stock photos.")

    assert vendor.strikes == 1
    assert vendor.status == VendorStatus.APPROVED
    event = last_event(vendor)
    assert (event.kind, event.actor_id, event.reason) == (
        "strike",
        moderator.id,
        "Listing used stock photos.",
    )
    notice = db.session.scalars(select(Notification)).one()
    assert notice.message.startswith("Strike 1 of 3")


def test_strikes_suspend_the_shop_at_the_threshold_as_the_system(make_user, make_vendor):
    moderator = make_user(is_admin=True)
    vendor = make_vendor()

    for number in range(1, 4):
        onboarding.add_strike(vendor.id, actor_id=moderator.id, reason=f"Breach {number}")

    assert vendor.strikes == 3
    assert vendor.status == VendorStatus.SUSPENDED
    assert "3 strikes" in vendor.status_reason
    suspension = last_event(vendor)
    assert (suspension.kind, suspension.actor_id) == ("suspended", None)
    assert (suspension.from_status, suspension.to_status) == ("approved", "suspended")
    assert "Breach 3" in suspension.reason


def test_the_strike_threshold_is_configurable(app, make_user, make_vendor):
    app.config["VENDOR_STRIKES_TO_SUSPEND"] = 1
    vendor = make_vendor()

    onboarding.add_strike(vendor.id, actor_id=None, reason="Prohibited item.")

    assert vendor.status == VendorStatus.SUSPENDED


def test_strikes_on_a_suspended_shop_are_counted_without_a_new_transition(make_vendor):
    vendor = make_vendor(status="suspended", strikes=3)

    onboarding.add_strike(vendor.id, actor_id=None, reason="Another delisting.")

    assert vendor.strikes == 4
    assert [event.kind for event in events(vendor)] == ["strike"]


def test_a_strike_needs_a_reason(make_vendor):
    vendor = make_vendor()
    with pytest.raises(onboarding.ReasonRequired):
        onboarding.add_strike(vendor.id, actor_id=None, reason="")
    assert vendor.strikes == 0


def test_reinstatement_clears_strikes_and_records_it(make_user, make_vendor):
    admin = make_user(is_admin=True)
    vendor = make_vendor(status="suspended", strikes=3)

    onboarding.reinstate_vendor(vendor.id, admin.id, "Appeal upheld.")

    assert vendor.strikes == 0
    assert [event.kind for event in events(vendor)] == ["reinstated", "strikes_cleared"]
    assert "3 strikes" in last_event(vendor).reason


# --- payout account status -------------------------------------------------------------------


def test_payout_status_change_is_stored_audited_and_told(make_vendor):
    vendor = make_vendor(payable=False)

    onboarding.record_payout_status(
        vendor.id, charges_enabled=True, payouts_enabled=True, source="stripe account.updated"
    )

    assert vendor.is_payable
    event = last_event(vendor)
    assert (event.kind, event.actor_id) == ("payout_status", None)
    assert event.reason == "Charges enabled, payouts enabled (reported by stripe account.updated)."
    notice = db.session.scalars(select(Notification)).one()
    assert "ready" in notice.message


def test_losing_payouts_warns_that_listings_are_hidden(make_vendor):
    vendor = make_vendor(payable=True)

    onboarding.record_payout_status(
        vendor.id, charges_enabled=True, payouts_enabled=False, source="offline"
    )

    assert not vendor.is_payable
    notice = db.session.scalars(select(Notification)).one()
    assert "needs attention" in notice.message
    assert "hidden" in notice.message


def test_unchanged_payout_status_records_nothing(make_vendor):
    vendor = make_vendor(payable=True)

    onboarding.record_payout_status(
        vendor.id, charges_enabled=True, payouts_enabled=True, source="retrieve"
    )

    assert events(vendor) == []
    assert count(Notification) == 0
