"""Webhook endpoints of the payment gateways: CSRF-exempt, signature-checked, applied once."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from marketplace.extensions import db
from marketplace.payments import connect
from marketplace.payments.gateway import GatewayError, InvalidPayload, InvalidSignature, get_gateway
from marketplace.payments.stripe_gateway import NAME as STRIPE

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__)


def _refusal(error: str, reason: str, status: int) -> ResponseReturnValue:
    return jsonify(error=error, reason=reason), status


@bp.post("/stripe", endpoint="stripe")
def stripe_webhook() -> ResponseReturnValue:
    """Stripe's events: verified on the raw body, stored and applied once, then acknowledged.

    A bad signature gets 400 and changes nothing; a duplicate gets 200 (so Stripe stops
    retrying) and changes nothing; an error while applying gets 500 so Stripe delivers again.
    """
    gateway = get_gateway()
    if gateway.name != STRIPE:
        return _refusal("not_configured", "This marketplace does not take payments by Stripe.", 404)
    payload = request.get_data(cache=False)
    try:
        event = gateway.parse_webhook(payload, request.headers.get("Stripe-Signature", ""))
    except InvalidSignature as exc:
        log.warning("Stripe webhook refused: %s", exc.message)
        return _refusal("invalid_signature", exc.message, 400)
    except InvalidPayload as exc:
        log.warning("Stripe webhook refused: %s", exc.message)
        return _refusal("invalid_payload", exc.message, 400)
    except GatewayError as exc:
        log.error("Stripe webhook cannot be checked: %s", exc.message)
        return _refusal("not_configured", exc.message, 503)
    applied = connect.handle_gateway_event(event)
    db.session.commit()
    log.info("Stripe event %s (%s) %s", event.id, event.type, "applied" if applied else "duplicate")
    return jsonify(received=True, duplicate=not applied), 200
