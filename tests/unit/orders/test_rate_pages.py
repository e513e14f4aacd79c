"""The rate tables' pages: a vendor's shipping rates (its own only) and the admins' tax rates."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.models import ShippingRate, TaxRate
from tests import factories
from tests.helpers import sign_in


def _rates(vendor_id: int) -> list[tuple[str, str, int, int | None]]:
    db.session.expire_all()
    stmt = select(ShippingRate).where(ShippingRate.vendor_id == vendor_id).order_by(ShippingRate.id)
    return [(r.country, r.name, r.rate_minor, r.free_over_minor) for r in db.session.scalars(stmt)]


def _seller(client, make_vendor):
    vendor = make_vendor(display_name="Kiln & Co")
    db.session.commit()
    sign_in(client, vendor.owner)
    return vendor


def test_a_vendor_adds_edits_and_removes_shipping_rates(client, make_vendor):
    vendor = _seller(client, make_vendor)
    assert "uses the marketplace" in client.get("/sell/shipping").get_data(as_text=True)

    client.post(
        "/sell/shipping",
        data={
            "country": "US",
            "name": "Standard",
            "rate": "5.99",
            "free_over": "75",
            "currency": "USD",
        },
    )
    client.post(
        "/sell/shipping",
        data={
            "country": "*",
            "name": "International",
            "rate": "24.50",
            "free_over": "",
            "currency": "USD",
        },
    )
    assert _rates(vendor.id) == [("US", "Standard", 599, 7500), ("*", "International", 2450, None)]

    rate_id = db.session.scalar(select(ShippingRate.id).where(ShippingRate.country == "US"))
    client.post(
        f"/sell/shipping/{rate_id}",
        data={
            "country": "US",
            "name": "Standard",
            "rate": "6.49",
            "free_over": "",
            "currency": "USD",
        },
    )
    assert _rates(vendor.id)[0] == ("US", "Standard", 649, None)

    page = client.get("/sell/shipping").get_data(as_text=True)
    assert "Any other country" in page and "$24.50" in page

    client.post(f"/sell/shipping/{rate_id}/delete")
    assert _rates(vendor.id) == [("*", "International", 2450, None)]


def test_a_bad_rate_is_explained_and_nothing_saved(client, make_vendor):
    vendor = _seller(client, make_vendor)

    response = client.post(
        "/sell/shipping",
        data={"country": "US", "name": "Standard", "rate": "5.999", "currency": "USD"},
    )

    assert response.status_code == 422
    assert "at most 2 decimal places" in response.get_data(as_text=True)
    assert _rates(vendor.id) == []


def test_the_same_option_twice_for_a_country_is_refused(client, make_vendor):
    vendor = _seller(client, make_vendor)
    data = {"country": "US", "name": "Standard", "rate": "5", "currency": "USD"}
    client.post("/sell/shipping", data=data)

    response = client.post("/sell/shipping", data={**data, "rate": "7"})

    assert response.status_code == 422
    assert "already have “Standard” for United States" in response.get_data(as_text=True)
    assert _rates(vendor.id) == [("US", "Standard", 500, None)]


def test_another_shops_rate_is_not_found_and_untouched(client, make_vendor):
    other = make_vendor(display_name="Northwind")
    theirs = ShippingRate(vendor_id=other.id, country="US", name="Ground", rate_minor=500)
    db.session.add(theirs)
    _seller(client, make_vendor)

    assert client.get(f"/sell/shipping/{theirs.id}").status_code == 404
    response = client.post(
        f"/sell/shipping/{theirs.id}",
        data={"country": "US", "name": "Hijacked", "rate": "0", "currency": "USD"},
    )
    assert response.status_code == 404
    client.post(f"/sell/shipping/{theirs.id}/delete")

    assert _rates(other.id) == [("US", "Ground", 500, None)]


def test_shipping_rates_are_for_sellers_only(client):
    buyer = factories.UserFactory()
    db.session.commit()
    assert client.get("/sell/shipping").status_code == 302  # to sign in
    sign_in(client, buyer)
    assert client.get("/sell/shipping").status_code == 403


def test_an_admin_manages_tax_rates(client):
    admin = factories.UserFactory(is_admin=True)
    db.session.commit()
    sign_in(client, admin)

    client.post(
        "/admin/tax-rates", data={"country": "US", "region": "", "name": "Sales tax", "rate": "5"}
    )
    client.post(
        "/admin/tax-rates",
        data={"country": "US", "region": "wa", "name": "WA sales tax", "rate": "10.25%"},
    )
    db.session.expire_all()
    rows = [
        (r.country, r.region, r.rate_bps)
        for r in db.session.scalars(select(TaxRate).order_by(TaxRate.id))
    ]
    assert rows == [("US", "", 500), ("US", "WA", 1025)]

    page = client.get("/admin/tax-rates").get_data(as_text=True)
    assert "10.25%" in page and "Whole country" in page

    rate_id = db.session.scalar(select(TaxRate.id).where(TaxRate.region == "WA"))
    client.post(
        f"/admin/tax-rates/{rate_id}",
        data={"country": "US", "region": "WA", "name": "WA", "rate": "9"},
    )
    client.post(f"/admin/tax-rates/{rate_id - 1}/delete")
    db.session.expire_all()
    assert [(r.region, r.rate_bps) for r in db.session.scalars(select(TaxRate))] == [("WA", 900)]


def test_a_bad_tax_rate_is_explained_and_nothing_saved(client):
    admin = factories.UserFactory(is_admin=True)
    db.session.commit()
    sign_in(client, admin)

    response = client.post(
        "/admin/tax-rates", data={"country": "US", "name": "Tax", "rate": "8.255"}
    )

    assert response.status_code == 422
    assert "like 8.25" in response.get_data(as_text=True)
    assert db.session.scalar(select(TaxRate.id)) is None


def test_tax_rates_are_for_admins_only(client):
    sign_in(client, factories.UserFactory())
    db.session.commit()
    assert client.get("/admin/tax-rates").status_code == 403
    assert (
        client.post(
            "/admin/tax-rates", data={"country": "US", "name": "x", "rate": "1"}
        ).status_code
        == 403
    )
