"""The shop's payouts and statement pages, and the admin's payout and statement pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.admin.models import AdminAction
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.payouts.models import PayoutSettings, PayoutStatus
from marketplace.payouts.runs import run_payouts
from tests import factories
from tests.helpers import sign_in
from tests.unit.payouts import payouts_support as support


@pytest.fixture
def paid_out(market):
    order = support.paid_order(market)
    support.deliver(order, utcnow() - support.AFTER_RELEASE)
    run_payouts()
    return order


@pytest.fixture
def admin(app):
    user = factories.UserFactory(is_admin=True)
    db.session.commit()
    return user


def test_the_shop_sees_its_balances_schedule_and_payouts(client, market, paid_out):
    shop = market.vendors[0]
    sign_in(client, shop.owner)

    page = client.get("/sell/payouts").get_data(as_text=True)

    assert "Your money" in page and "On its way" in page
    amount = support.vendor_order_of(paid_out, shop).vendor_net_minor
    assert f"${amount / 100:,.2f}" in page
    assert "Weekly, on Mondays" in page
    assert "In transit" in page


def test_the_shop_chooses_a_monthly_schedule(client, market):
    shop = market.vendors[0]
    sign_in(client, shop.owner)

    response = client.post(
        "/sell/payouts/schedule", data={"schedule": "monthly", "weekday": "0", "month_day": "15"}
    )

    assert response.status_code == 303
    settings = db.session.get(PayoutSettings, shop.id)
    assert (settings.schedule, settings.month_day) == ("monthly", 15)
    assert "Monthly, on the 15th" in client.get("/sell/payouts").get_data(as_text=True)


def test_a_bad_schedule_is_refused_and_nothing_is_saved(client, market):
    shop = market.vendors[0]
    sign_in(client, shop.owner)

    response = client.post("/sell/payouts/schedule", data={"schedule": "hourly"})

    assert response.status_code == 400
    assert db.session.get(PayoutSettings, shop.id) is None


def test_the_statement_page_csv_and_print_show_the_shops_own_movements(client, market, paid_out):
    shop, other = market.vendors
    sign_in(client, shop.owner)

    page = client.get("/sell/statements").get_data(as_text=True)
    printable = client.get("/sell/statements/print")
    exported = client.get("/sell/statements.csv")

    assert "Opening balance" in page and "Closing balance" in page
    assert paid_out.number in page
    assert printable.status_code == 200 and "Statement" in printable.get_data(as_text=True)
    assert exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[1][1] == "opening" and rows[-1][1] == "closing"
    other_net = support.vendor_order_of(paid_out, other).vendor_net_minor
    assert all(row[5] != f"{other_net / 100:.2f}" for row in rows[2:-1])


def test_a_date_range_statement_and_a_bad_range(client, market, paid_out):
    sign_in(client, market.vendors[0].owner)
    today = utcnow().date()
    start = (today - timedelta(days=300)).isoformat()

    ok = client.get(f"/sell/statements?start={start}&end={today.isoformat()}")
    backwards = client.get(f"/sell/statements?start={today.isoformat()}&end={start}")

    assert ok.status_code == 200 and paid_out.number in ok.get_data(as_text=True)
    assert backwards.status_code == 400
    assert "before the start date" in backwards.get_data(as_text=True)


ADMIN_PAGES = [
    "/admin/payouts",
    "/admin/statements",
    "/admin/payouts/runs/1",
    "/admin/payouts/vendors/1",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_for_admins_only(client, market, paid_out, path):
    sign_in(client, market.vendors[0].owner)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_render(client, market, paid_out, admin, path):
    sign_in(client, admin)
    assert client.get(path).status_code == 200


def test_the_admin_exports_the_bank_transfer_file_and_marks_a_payout_paid(
    client, market, paid_out, admin
):
    sign_in(client, admin)
    payouts = support.payouts()

    exported = client.get(f"/admin/payouts/runs/{payouts[0].run_id}.csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    marked = client.post(f"/admin/payouts/{payouts[0].id}/settle", data={"outcome": "paid"})

    assert [int(row["payout_id"]) for row in rows] == [p.id for p in payouts]
    assert rows[0]["account_holder"] == "Shop Owner"
    assert rows[0]["routing_number"] == "110000000"
    assert rows[0]["account_last4"] == "6789"
    assert rows[0]["amount"] == f"{payouts[0].amount_minor / 100:.2f}"
    assert marked.status_code == 303
    assert support.payouts()[0].status == PayoutStatus.PAID


def test_marking_failed_without_a_reason_is_refused_on_the_page(client, market, paid_out, admin):
    sign_in(client, admin)
    payout = support.payouts()[0]

    response = client.post(f"/admin/payouts/{payout.id}/settle", data={"outcome": "failed"})

    assert response.status_code == 400
    assert "Say why" in response.get_data(as_text=True)
    assert support.payouts()[0].status == PayoutStatus.IN_TRANSIT


def test_the_admin_holds_and_releases_a_shops_payouts(client, market, admin):
    shop = market.vendors[0]
    sign_in(client, admin)

    empty = client.post(f"/admin/payouts/vendors/{shop.id}/hold", data={"reason": "  "})
    held = client.post(
        f"/admin/payouts/vendors/{shop.id}/hold", data={"reason": "Chargeback review"}
    )
    db.session.expire_all()
    on_hold = db.session.get(PayoutSettings, shop.id)
    assert on_hold.hold_reason == "Chargeback review"
    assert on_hold.held_by_id == admin.id and on_hold.held_at is not None
    sign_in(client, shop.owner)
    assert "Chargeback review" in client.get("/sell/payouts").get_data(as_text=True)
    sign_in(client, admin)
    released = client.post(f"/admin/payouts/vendors/{shop.id}/unhold", data={})

    assert (empty.status_code, held.status_code, released.status_code) == (400, 303, 303)
    db.session.expire_all()
    released_settings = db.session.get(PayoutSettings, shop.id)
    assert released_settings.hold_reason is None
    assert (released_settings.held_by_id, released_settings.held_at) == (None, None)
    audit = db.session.scalars(select(AdminAction).order_by(AdminAction.id)).all()
    assert [(row.action, row.target_type, row.target_id) for row in audit] == [
        ("payouts.hold", "vendor", str(shop.id)),
        ("payouts.unhold", "vendor", str(shop.id)),
    ]
    assert audit[0].after == {"hold_reason": "Chargeback review"}
    assert audit[1].before == {"hold_reason": "Chargeback review"}


def test_the_reconciliation_page_says_it_reconciles(client, market, paid_out, admin):
    sign_in(client, admin)

    page = client.get("/admin/statements").get_data(as_text=True)

    assert "reconciles" in page
    assert market.vendors[0].display_name in page
