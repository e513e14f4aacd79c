"""`flask reviews invite` mails each buyer once per delivered vendor order, after the wait, with
a signed, expiring link per item that opens the review form only for that buyer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.notifications.models import OutboundEmail
from marketplace.reviews import invitations
from marketplace.reviews.exceptions import InvitationInvalid, InvitationNotYours
from marketplace.reviews.models import ReviewInvitation
from tests.helpers import sign_in

LINK = re.compile(r"http://localhost/account/reviews/invitations/(\S+)")


def _emails() -> list[OutboundEmail]:
    return list(db.session.query(OutboundEmail).filter_by(kind="review_invitation"))


def test_invites_after_the_wait_once_per_vendor_order(app, delivered_line):
    app.config["REVIEW_INVITE_DAYS"] = 3
    due = delivered_line(delivered_days_ago=4)
    delivered_line(delivered_days_ago=1)  # too recent
    delivered_line(status="shipped")  # not delivered

    first = invitations.send_due_invitations()
    db.session.commit()
    again = invitations.send_due_invitations()
    db.session.commit()

    assert (first.sent, again.sent) == (1, 0)
    [email] = _emails()
    assert email.to_address == due.vendor_order.order.email
    assert due.title in email.body_text
    assert db.session.query(ReviewInvitation).one().vendor_order_id == due.vendor_order_id


def test_the_command_prints_what_it_sent(app, delivered_line):
    delivered_line(delivered_days_ago=5)
    result = app.test_cli_runner().invoke(args=["reviews", "invite"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent=1 skipped=0"


def test_the_link_opens_the_review_form_for_its_buyer(app, client, delivered_line):
    line = delivered_line(delivered_days_ago=5)
    buyer = line.vendor_order.order.buyer
    invitations.send_due_invitations()
    db.session.commit()
    token = LINK.search(_emails()[0].body_text).group(1)

    sign_in(client, buyer)
    response = client.get(f"/account/reviews/invitations/{token}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/account/reviews/items/{line.id}")
    form = client.get(response.headers["Location"])
    assert form.status_code == 200
    assert "Write a review" in form.get_data(as_text=True)


def test_the_link_needs_sign_in(app, client, delivered_line):
    line = delivered_line()
    token = invitations.make_token(line.id, line.vendor_order.order.buyer_id)
    response = client.get(f"/account/reviews/invitations/{token}")
    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_someone_elses_link_is_refused(app, client, delivered_line, make_user):
    line = delivered_line()
    token = invitations.make_token(line.id, line.vendor_order.order.buyer_id)
    stranger = make_user()
    db.session.commit()

    with pytest.raises(InvitationNotYours):
        invitations.line_for_token(token, stranger.id)
    sign_in(client, stranger)
    response = client.get(f"/account/reviews/invitations/{token}")
    assert response.status_code == 403
    assert "another account" in response.get_data(as_text=True)


def test_an_expired_link_is_refused(app, client, delivered_line):
    line = delivered_line()
    buyer_id = line.vendor_order.order.buyer_id
    token = invitations.make_token(line.id, buyer_id)

    with pytest.raises(InvitationInvalid, match="expired"):
        invitations.line_for_token(token, buyer_id, max_age=-1)
    app.config["REVIEW_INVITE_LINK_DAYS"] = -1
    sign_in(client, line.vendor_order.order.buyer)
    db.session.commit()
    response = client.get(f"/account/reviews/invitations/{token}")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_a_tampered_link_is_refused(app, delivered_line):
    line = delivered_line()
    buyer_id = line.vendor_order.order.buyer_id
    token = invitations.make_token(line.id, buyer_id)
    with pytest.raises(InvitationInvalid, match="isn't valid"):
        invitations.line_for_token(token[:-3] + "abc", buyer_id)


def test_orders_whose_items_were_all_reviewed_are_marked_without_an_email(app, delivered_line):
    from marketplace.reviews import services
    from tests.unit.reviews.reviews_support import review_input

    line = delivered_line(delivered_days_ago=5)
    services.submit_review(
        buyer_id=line.vendor_order.order.buyer_id, line_id=line.id, data=review_input()
    )

    result = invitations.send_due_invitations()

    assert (result.sent, result.skipped) == (0, 1)
    assert _emails() == []


def test_deliveries_older_than_the_link_life_are_not_invited(app, delivered_line):
    app.config.update(REVIEW_INVITE_DAYS=3, REVIEW_INVITE_LINK_DAYS=30)
    delivered_line(delivered_days_ago=40)
    assert invitations.send_due_invitations(now=utcnow() + timedelta(hours=1)).sent == 0
