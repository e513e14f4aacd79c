"""Every admin action leaves one audit row (who, what, when, before and after), written in the
action's own transaction; the audit log page filters and shows them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.admin.audit import AuditFilter, audit_page, history_of, record_admin_action
from marketplace.admin.models import AdminAction
from marketplace.catalog.models import ProductStandard
from marketplace.extensions import db
from marketplace.orders.models import TaxRate
from marketplace.search.models import SearchSynonym


def actions(action: str | None = None) -> list[AdminAction]:
    db.session.expire_all()
    stmt = select(AdminAction).order_by(AdminAction.id)
    if action:
        stmt = stmt.where(AdminAction.action == action)
    return list(db.session.scalars(stmt))


def test_record_keeps_before_after_as_json_and_ids_as_text(app, admin_user):
    from datetime import UTC, datetime
    from decimal import Decimal

    row = record_admin_action(
        actor_id=admin_user.id,
        action="vendor.suspend",
        target_type="vendor",
        target_id=7,
        before={"status": "approved", "when": datetime(2025, 1, 2, tzinfo=UTC)},
        after={"status": "suspended", "rate": Decimal("0.15")},
        reason="Counterfeits",
    )
    db.session.commit()
    stored = db.session.get(AdminAction, row.id)
    assert stored.target_id == "7" and stored.at.tzinfo is not None
    assert stored.before == {"status": "approved", "when": "2025-01-02T00:00:00+00:00"}
    assert stored.after == {"status": "suspended", "rate": "0.15"}
    assert history_of("vendor", 7)[0].id == row.id


def test_an_audit_row_rolls_back_with_its_action(app, admin_user):
    record_admin_action(actor_id=admin_user.id, action="x.y", target_type="x", target_id=1)
    db.session.rollback()
    assert actions() == []


def test_suspending_a_vendor_records_status_before_and_after(as_admin, admin_user, make_vendor):
    vendor = make_vendor(status="approved", strikes=1)
    db.session.commit()

    as_admin.post(f"/admin/vendors/{vendor.id}/suspend", data={"suspend-reason": "Fake goods"})

    (row,) = actions("vendor.suspend")
    assert (row.actor_id, row.target_type, row.target_id) == (
        admin_user.id,
        "vendor",
        str(vendor.id),
    )
    assert row.before["status"] == "approved" and row.after["status"] == "suspended"
    assert row.reason == "Fake goods"


def test_a_refused_vendor_decision_writes_no_audit_row(as_admin, make_vendor):
    vendor = make_vendor(status="approved")
    db.session.commit()
    as_admin.post(f"/admin/vendors/{vendor.id}/reinstate", data={"reinstate-reason": "Sorry"})
    assert actions() == []


def test_rejecting_a_listing_records_the_status_change(as_admin, make_product):
    product = make_product(status="pending_review")
    db.session.commit()

    as_admin.post(f"/admin/listings/{product.id}/reject", data={"reject-reason": "Blurry photos"})

    (row,) = actions("listing.reject")
    assert row.target_type == "product" and row.target_id == str(product.id)
    assert (row.before, row.after) == ({"status": "pending_review"}, {"status": "rejected"})


def test_synonym_create_edit_and_delete_are_audited(as_admin):
    as_admin.post("/admin/search/synonyms", data={"rule": "couch, sofa", "is_active": "y"})
    synonym = db.session.scalars(select(SearchSynonym)).one()
    as_admin.post(
        f"/admin/search/synonyms/{synonym.id}/edit",
        data={"rule": "couch, sofa, settee", "note": "furniture", "is_active": "y"},
    )
    as_admin.post(f"/admin/search/synonyms/{synonym.id}/delete")

    created, edited, deleted = actions()
    assert created.action == "synonym.create" and created.before is None
    assert created.after["rule"] == "couch, sofa"
    assert edited.before["rule"] == "couch, sofa" and edited.after["rule"] == "couch, sofa, settee"
    assert deleted.action == "synonym.delete" and deleted.after is None
    assert deleted.before["rule"] == "couch, sofa, settee"


def test_tax_rate_changes_are_audited(as_admin):
    as_admin.post(
        "/admin/tax-rates", data={"country": "US", "region": "OR", "name": "Tax", "rate": "1.5"}
    )
    rate = db.session.scalars(select(TaxRate)).one()
    as_admin.post(
        f"/admin/tax-rates/{rate.id}",
        data={"country": "US", "region": "OR", "name": "Tax", "rate": "2"},
    )
    created, edited = actions()
    assert created.action == "tax_rate.create" and created.after["rate_bps"] == 150
    assert (edited.before["rate_bps"], edited.after["rate_bps"]) == (150, 200)


def test_switching_a_standard_off_is_audited(as_admin):
    standard = ProductStandard(kind="title_length", name="Titles", params={}, is_active=True)
    db.session.add(standard)
    db.session.commit()
    as_admin.post(f"/admin/standards/{standard.id}/deactivate")
    (row,) = actions("standard.deactivate")
    assert (row.before["is_active"], row.after["is_active"]) == (True, False)


@pytest.fixture
def logged(admin_user, make_user):
    other = make_user(is_admin=True, email="second@example.com")
    for actor, action, target in (
        (admin_user, "vendor.approve", 1),
        (admin_user, "vendor.suspend", 2),
        (other, "synonym.create", 3),
    ):
        record_admin_action(
            actor_id=actor.id, action=action, target_type=action.split(".")[0], target_id=target
        )
    db.session.commit()
    return other


def test_filters_by_actor_action_family_and_target(app, admin_user, logged):
    def found(**kwargs) -> list[str]:
        return [row.action for row in audit_page(AuditFilter(**kwargs)).items]

    assert found(actor_id=logged.id) == ["synonym.create"]
    assert found(action="vendor") == ["vendor.suspend", "vendor.approve"]
    assert found(action="vendor.approve") == ["vendor.approve"]
    assert found(target_type="vendor", target_id="2") == ["vendor.suspend"]


def test_the_log_page_lists_filters_and_paginates(as_admin, admin_user, logged):
    page = as_admin.get("/admin/audit?action=vendor").get_data(as_text=True)
    assert "vendor.suspend" in page and "vendor.approve" in page
    assert "synonym.create" not in page.split("<tbody>", 1)[1]
    assert "audit-admin@example.com" in page
    assert as_admin.get("/admin/audit?page=99").status_code == 200
