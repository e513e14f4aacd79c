"""Every automatic check passes clean reviews and catches what it is for, with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.reviews import checks, services
from marketplace.reviews.checks import ReviewDraft
from marketplace.reviews.models import ReviewStatus
from tests.unit.reviews.reviews_support import GOOD_TEXT, place_line, review_input


def _draft(body: str = GOOD_TEXT, title: str = "Lovely mug", **fields) -> ReviewDraft:
    values = {"author_id": 1, "vendor_id": 1, "order_line_id": 1, "now": utcnow()}
    values.update(fields)
    return ReviewDraft(title=title, body=body, **values)


# --- text checks (no database needed beyond the app) ------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "This seller is a total idiot and the mug is rubbish.",
        "What a load of sh1t, it cracked on day one of use.",
        "F U N? no. Absolutely fucking useless handle design here.",
        "Honestly the worst; the shop owner should kill yourself levels of bad.",
    ],
)
def test_abuse_check_fails_abusive_words_even_disguised(app, body):
    outcome = checks.check_abuse(_draft(body))
    assert outcome.passed is False
    assert "abuse list" in outcome.reason


@pytest.mark.parametrize(
    "body",
    [GOOD_TEXT, "Class act: the assistant answered in an hour. Scunthorpe fans will love it."],
)
def test_abuse_check_passes_clean_text(app, body):
    outcome = checks.check_abuse(_draft(body))
    assert outcome.passed is True
    assert outcome.reason == "No words from the abuse list."


def test_abuse_check_takes_extra_words_from_settings(app):
    app.config["REVIEW_BLOCKED_WORDS"] = ("rubbish",)
    assert checks.check_abuse(_draft("Pure rubbish, sadly; would not buy again.")).passed is False


@pytest.mark.parametrize(
    "body",
    [
        "Cheaper at https://example.org/mugs if you look around a bit.",
        "Same mug for less on www.cheapmugs.net, check it out.",
        "Order direct from handmademugs.shop and save the fees.",
    ],
)
def test_links_check_fails_links(app, body):
    outcome = checks.check_links(_draft(body))
    assert outcome.passed is False
    assert "link" in outcome.reason


@pytest.mark.parametrize("body", [GOOD_TEXT, "It holds 3.5 cups, e.g. a big latte. 10/10."])
def test_links_check_passes_text_without_links(app, body):
    assert checks.check_links(_draft(body)).passed is True


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Write to maker.jane@example.com for a discount next time.", "e-mail address"),
        ("Write to maker dot jane (at) gmail (dot) com for more.", "e-mail address"),
        ("Call the maker on +1 (503) 555-0142 to order directly.", "phone number"),
        ("Text 07700 900123 and she'll sort you out cheaper.", "phone number"),
    ],
)
def test_contact_details_check_fails_addresses_and_numbers(app, body, kind):
    outcome = checks.check_contact_details(_draft(body))
    assert outcome.passed is False
    assert kind in outcome.reason


@pytest.mark.parametrize(
    "body", [GOOD_TEXT, "Arrived on 12.03.2024, two days early; 350 ml, fits 2 cups of tea."]
)
def test_contact_details_check_passes_dates_and_quantities(app, body):
    assert checks.check_contact_details(_draft(body)).passed is True


def test_links_check_leaves_email_addresses_to_the_contact_check(app):
    draft = _draft("Write to maker.jane@example.com for more.")
    assert checks.check_links(draft).passed is True
    assert checks.check_contact_details(draft).passed is False


def test_length_check_fails_text_below_the_minimum_and_passes_at_it(app):
    app.config["REVIEW_MIN_LENGTH"] = 20
    short = checks.check_length(_draft("Great mug!"))
    enough = checks.check_length(_draft("Great mug, love it!!"))  # exactly 20 characters
    assert short.passed is False
    assert "10 characters; at least 20" in short.reason
    assert enough.passed is True


def test_normalised_text_ignores_case_spacing_and_punctuation(app):
    assert checks.text_hash("Great  mug!! Love it.") == checks.text_hash("great mug love it")
    assert checks.text_hash("Great mug") != checks.text_hash("Great mugs")


# --- checks that compare with other reviews and accounts ---------------------------------------


def _publish(line, body: str = GOOD_TEXT):
    return services.submit_review(
        buyer_id=line.vendor_order.order.buyer_id, line_id=line.id, data=review_input(body=body)
    )


def test_duplicate_check_fails_the_same_text_from_another_account(delivered_line, make_product):
    product = make_product()
    first = _publish(delivered_line(product=product))
    copy = _publish(delivered_line(product=product), body=GOOD_TEXT.upper() + "!!")

    assert first.status == ReviewStatus.PUBLISHED
    assert copy.status == ReviewStatus.PENDING
    outcome = {check.name: check for check in copy.checks}["duplicate_text"]
    assert outcome.passed is False
    assert f"#{first.id}" in outcome.reason


def test_duplicate_check_passes_the_same_buyer_reusing_their_words(delivered_line, make_product):
    first = delivered_line()
    buyer = first.vendor_order.order.buyer
    _publish(first)
    again = _publish(delivered_line(buyer=buyer, product=make_product()))
    assert {c.name: c.passed for c in again.checks}["duplicate_text"] is True


def test_burst_check_holds_the_nth_new_account_reviewing_one_shop(
    app, delivered_line, make_product, make_vendor
):
    app.config.update(REVIEW_BURST_THRESHOLD=3, REVIEW_BURST_WINDOW_HOURS=24)
    vendor = make_vendor()
    reviews = [
        _publish(delivered_line(product=make_product(vendor=vendor)), body=f"{GOOD_TEXT} #{n}")
        for n in range(3)
    ]
    outcomes = [{c.name: c for c in review.checks}["new_account_burst"] for review in reviews]

    assert [outcome.passed for outcome in outcomes] == [True, True, False]
    assert "3 accounts younger than 14 days" in outcomes[2].reason
    assert reviews[2].status == ReviewStatus.PENDING


def test_burst_check_passes_established_accounts(app, delivered_line, make_product, make_vendor):
    app.config.update(REVIEW_BURST_THRESHOLD=2)
    vendor = make_vendor()
    lines = [delivered_line(product=make_product(vendor=vendor)) for _ in range(3)]
    for line in lines:
        line.vendor_order.order.buyer.created_at = utcnow() - timedelta(days=400)
    db.session.flush()

    reviews = [_publish(line, body=f"{GOOD_TEXT} #{n}") for n, line in enumerate(lines)]

    assert all(review.status == ReviewStatus.PUBLISHED for review in reviews)
    assert (
        "older than 14 days" in {c.name: c for c in reviews[-1].checks}["new_account_burst"].reason
    )


def test_tied_check_fails_the_shop_owner_reviewing_their_own_product(delivered_line, make_product):
    product = make_product()
    owner = product.vendor.owner
    review = _publish(delivered_line(buyer=owner, product=product))

    outcome = {c.name: c for c in review.checks}["tied_to_vendor"]
    assert outcome.passed is False
    assert outcome.reason == "The reviewer's account owns the shop."
    assert review.status == ReviewStatus.PENDING


def test_tied_check_fails_the_shops_contact_address(delivered_line, make_product, make_user):
    product = make_product()
    insider = make_user(email=product.vendor.contact_email)
    product.vendor.contact_email = product.vendor.contact_email.upper()  # case doesn't matter
    review = _publish(delivered_line(buyer=insider, product=product))
    assert {c.name: c.passed for c in review.checks}["tied_to_vendor"] is False


def test_tied_check_fails_delivery_to_an_address_the_owner_orders_to(
    delivered_line, make_product, make_user
):
    product = make_product()
    home = {"name": "A Friend", "line1": "9 Elm Road", "city": "Bend", "region": "OR",
            "postal_code": "97701", "country": "US"}  # fmt: skip
    place_line(product.vendor.owner, make_product(), address={**home, "name": "The Owner"})
    review = _publish(delivered_line(buyer=make_user(), product=product, address=home))

    outcome = {c.name: c for c in review.checks}["tied_to_vendor"]
    assert outcome.passed is False
    assert "delivery address the shop's owner also orders to" in outcome.reason


def test_tied_check_passes_an_unrelated_buyer(delivered_line):
    review = _publish(delivered_line())
    assert {c.name: c.passed for c in review.checks}["tied_to_vendor"] is True


@pytest.mark.parametrize(
    ("body", "failed"),
    [
        ("Total idiot of a seller, never again, avoid avoid avoid.", "abuse"),
        ("Better prices at www.othershop.com than here, trust me.", "links"),
        ("Email me at buyer@example.com and I'll sell you mine.", "contact_details"),
        ("Nice.", "too_short"),
    ],
)
def test_each_failing_text_check_holds_the_review_with_its_reason(delivered_line, body, failed):
    review = _publish(delivered_line(), body=body)

    assert review.status == ReviewStatus.PENDING
    failures = {check.name: check.reason for check in review.checks if not check.passed}
    assert set(failures) == {failed}
    assert failures[failed]
