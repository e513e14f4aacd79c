"""Tracking webhooks: POST /webhooks/tracking/<provider>, CSRF-exempt and signature-checked.

A bad signature (or a stale timestamp) is 400 and changes nothing; an event for a tracking
number we do not know is 404 with the reason and stores nothing (the aggregator may retry
once the shop has entered the parcel); a duplicate is 200 and changes nothing.
"""

from __future__ import annotations

import logging

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.fulfilment import tracking, webhook_bp
from marketplace.fulfilment.exceptions import UnknownShipment
from marketplace.models_base import utcnow

log = logging.getLogger(__name__)


def _refusal(error: str, reason: str, status: int) -> ResponseReturnValue:
    return jsonify(error=error, reason=reason), status


@webhook_bp.post("/<provider>")
def tracking_webhook(provider: str) -> ResponseReturnValue:
    source = tracking.provider(provider)
    if source is None:
        return _refusal("unknown_provider", f"There is no tracking provider {provider!r}.", 404)
    body = request.get_data(cache=False)
    try:
        updates = source.parse_webhook(body, request.headers, now=utcnow())
    except tracking.NoWebhooks as exc:
        return _refusal("not_configured", exc.message, 404)
    except tracking.InvalidSignature as exc:
        log.warning("Tracking webhook from %s refused: %s", provider, exc.message)
        return _refusal("invalid_signature", exc.message, 400)
    except tracking.InvalidPayload as exc:
        return _refusal("invalid_payload", exc.message, 400)
    try:
        outcomes = tracking.apply_updates(updates)
        db.session.commit()
    except UnknownShipment as exc:
        db.session.rollback()
        return _refusal("unknown_shipment", exc.message, 404)
    except IntegrityError:
        # The same event arrived twice at once; the other delivery stored it.
        db.session.rollback()
        return jsonify(received=True, duplicate=True), 200
    return jsonify(
        received=True,
        duplicate=all(outcome == tracking.Outcome.DUPLICATE for outcome in outcomes),
        applied=outcomes.count(tracking.Outcome.APPLIED),
        recorded=outcomes.count(tracking.Outcome.RECORDED),
    ), 200
