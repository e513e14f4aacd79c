"""Demo reviews: most delivered demo lines get a review, through the real review service.

Reviews are written as if a few days after delivery, so they pass the same automatic checks a
buyer's would; one buyer slips a phone number in, so the moderation queue has something to show.
Some shops answer in public and some buyers rate the shop. Rating aggregates are rebuilt at the
end, so the demo's product and shop ratings agree with its reviews without waiting for jobs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, VendorOrder, VendorOrderStatus
from marketplace.reviews import feedback, services, shop_ratings
from marketplace.reviews.aggregates import recompute
from marketplace.reviews.models import ReviewStatus

REVIEW_SHARE = 0.75
STAR_WEIGHTS = (3, 4, 10, 33, 50)  # 1..5 stars
TEXTS = {
    5: [
        ("Exactly what I hoped for", "Arrived quickly and well packed. The quality is even "
         "better than the photos suggest, and it has held up to daily use."),
        ("Lovely quality", "Really well made and it looks great. I have already recommended the "
         "shop to two friends."),
    ],
    4: [
        ("Very good, one small niggle", "Does everything it should and feels sturdy. Slightly "
         "smaller than I expected from the photos, but I'd still buy it again."),
        ("Good value", "Solid build for the price and it arrived a day early. The colour is a "
         "touch darker than on screen."),
    ],
    3: [
        ("Fine, nothing special", "It works as described, but the finish is a bit rough in "
         "places. Acceptable for the price."),
    ],
    2: [
        ("Not as described", "The size was smaller than listed and the packaging was damaged. "
         "The shop was polite about it, though."),
    ],
    1: [
        ("Disappointed", "It stopped working properly after a week of normal use. I expected "
         "more from the description and the reviews."),
    ],
}  # fmt: skip
REPLIES = (
    "Thank you for taking the time to write this, we're so glad you like it!",
    "Thanks for the feedback. We've passed your note on sizing to our photographer.",
)
OCCASIONS = (
    "as a gift",
    "to replace an old one",
    "for everyday use",
    "after reading the reviews",
    "for a weekend away",
    "for the new flat",
)
HELD_TEXT = (
    "Great product. If you want a second one cheaper, text me on 503 555 0142 and I'll sort "
    "you out directly."
)


@dataclass(frozen=True)
class DemoReviews:
    reviews: int
    held: int
    shop_ratings: int


def _delivered_lines() -> list[OrderLine]:
    stmt = (
        select(OrderLine)
        .join(VendorOrder, OrderLine.vendor_order_id == VendorOrder.id)
        .join(Order, VendorOrder.order_id == Order.id)
        .where(VendorOrder.status == VendorOrderStatus.DELIVERED, OrderLine.product_id.isnot(None))
        .options(selectinload(OrderLine.vendor_order).selectinload(VendorOrder.order))
        .order_by(OrderLine.id)
    )
    return list(db.session.scalars(stmt))


def _why_bought(product_title: str, rng: random.Random) -> str:
    """A closing sentence that makes each review its own ("Bought the chelsea boots as a
    gift."): identical text from several accounts is held for moderation."""
    words = product_title.split(",")[0].split()  # not the ", Navy" variant
    return f"Bought the {' '.join(words[-2:]).lower()} {rng.choice(OCCASIONS)}."


def _written_at(line: OrderLine, rng: random.Random, now: datetime) -> datetime:
    delivered = line.vendor_order.delivered_at or now
    return min(now, delivered + timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 23)))


def seed_reviews(*, seed: int, now: datetime) -> DemoReviews:
    """Review most delivered demo lines (flushed, not committed); returns what was made."""
    rng = random.Random(seed * 31 + 8)
    reviews = held = rated = 0
    rated_orders: set[int] = set()
    for line in _delivered_lines():
        if rng.random() > REVIEW_SHARE:
            continue
        buyer_id = line.vendor_order.order.buyer_id
        stars = rng.choices(range(1, 6), weights=STAR_WEIGHTS)[0]
        title, body = rng.choice(TEXTS[stars])
        if reviews == 3:
            body = HELD_TEXT  # one for the moderation queue
        review = services.submit_review(
            buyer_id=buyer_id,
            line_id=line.id,
            data=services.ReviewInput(stars, title, f"{body} {_why_bought(line.title, rng)}"),
            now=_written_at(line, rng, now),
        )
        reviews += 1
        if review.status != ReviewStatus.PUBLISHED:
            held += 1
        elif rng.random() < 0.3:
            feedback.save_vendor_reply(review.id, review.vendor_id, rng.choice(REPLIES))
        if line.vendor_order_id not in rated_orders and rng.random() < 0.6:
            scores = [max(1, min(5, stars + rng.choice((-1, 0, 0, 1)))) for _ in range(3)]
            shop_ratings.rate_shop(
                vendor_order_id=line.vendor_order_id,
                buyer_id=buyer_id,
                scores=shop_ratings.ShopScores(*scores),
            )
            rated_orders.add(line.vendor_order_id)
            rated += 1
    recompute(fix=True)
    return DemoReviews(reviews=reviews, held=held, shop_ratings=rated)
