"""The queue hub: each queue's size, its oldest items first, and each item's history (audit rows
and the domain's own events)."""

from __future__ import annotations

from datetime import timedelta

from marketplace.admin.audit import record_admin_action
from marketplace.admin.queues import all_queues
from marketplace.catalog.models import ModerationDecision
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.vendors.models import VendorEvent


def test_queues_count_items_and_show_the_oldest_first(app, make_vendor, make_product, admin_user):
    now = utcnow()
    newer = make_vendor(display_name="Newer Shop", status="applied", payable=False)
    older = make_vendor(display_name="Older Shop", status="applied", payable=False)
    newer.created_at, older.created_at = now - timedelta(days=1), now - timedelta(days=5)
    make_vendor(display_name="Selling Shop")
    waiting = make_product(status="pending_review", title="Lamp")
    make_product(status="live")
    db.session.add(VendorEvent(vendor_id=older.id, kind="applied", to_status="applied"))
    db.session.add(
        ModerationDecision(product_id=waiting.id, decision="rejected", reason="Blurry photo")
    )
    record_admin_action(
        actor_id=admin_user.id,
        action="listing.reject",
        target_type="product",
        target_id=waiting.id,
        before={"status": "pending_review"},
        after={"status": "rejected"},
        reason="Blurry photo",
    )
    db.session.commit()

    queues = {queue.key: queue for queue in all_queues()}

    assert {key: queue.count for key, queue in queues.items()} == {
        "listings": 1,
        "reviews": 0,
        "disputes": 0,
        "applications": 2,
    }
    assert [item.title for item in queues["applications"].items] == ["Older Shop", "Newer Shop"]
    assert [entry.what for entry in queues["applications"].items[0].history] == ["applied"]
    (listing,) = queues["listings"].items
    history = {(entry.what, entry.is_admin_action) for entry in listing.history}
    assert history == {("listing.reject", True), ("decision: rejected", False)}


def test_the_hub_page_links_every_queue(as_admin, make_vendor):
    make_vendor(display_name="Older Shop", status="applied", payable=False)
    db.session.commit()
    page = as_admin.get("/admin/queues").get_data(as_text=True)
    for href in (
        "/admin/listings",
        "/admin/reviews",
        "/admin/disputes",
        "/admin/vendors?status=applied",
    ):
        assert f'href="{href}"' in page
    assert "Older Shop" in page
