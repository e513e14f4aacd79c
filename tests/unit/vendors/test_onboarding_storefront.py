"""Suspension takes a shop's listings off the storefront; reinstatement brings them back."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.vendors import onboarding


def test_suspended_shops_products_leave_home_and_product_pages(
    client, make_user, make_vendor, make_product
):
    admin = make_user(is_admin=True)
    vendor = make_vendor(display_name="Kiln & Co")
    mug = make_product(vendor=vendor, title="Speckled Stoneware Mug")
    make_product(title="Someone Else's Lamp")
    db.session.commit()
    assert "Speckled Stoneware Mug" in client.get("/").get_data(as_text=True)

    onboarding.suspend_vendor(vendor.id, admin.id, "Counterfeit goods reported.")
    db.session.commit()

    home = client.get("/").get_data(as_text=True)
    assert "Speckled Stoneware Mug" not in home
    assert "Someone Else&#39;s Lamp" in home
    assert client.get(f"/products/{mug.slug}").status_code == 404
    assert client.get(f"/vendors/{vendor.slug}").status_code == 404

    onboarding.reinstate_vendor(vendor.id, admin.id, "Invoices from the maker provided.")
    db.session.commit()

    assert "Speckled Stoneware Mug" in client.get("/").get_data(as_text=True)
    assert client.get(f"/products/{mug.slug}").status_code == 200


def test_strikes_at_the_threshold_take_the_listings_down(
    client, make_user, make_vendor, make_product
):
    moderator = make_user(is_admin=True)
    vendor = make_vendor()
    lamp = make_product(vendor=vendor, title="Brass Desk Lamp")
    db.session.commit()

    for number in range(3):
        onboarding.add_strike(vendor.id, actor_id=moderator.id, reason=f"Delisted listing {number}")
    db.session.commit()

    assert client.get(f"/products/{lamp.slug}").status_code == 404
    assert "Brass Desk Lamp" not in client.get("/search?q=lamp").get_data(as_text=True)
