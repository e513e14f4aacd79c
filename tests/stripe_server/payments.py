"""Checkout Sessions, PaymentIntents, charges, balance transactions and refunds on the test server.

Objects start from the examples Stripe publishes beside its API description (fixtures3.json),
so they carry every field Stripe's do. As with today's Stripe, a Checkout Session in payment
mode makes its PaymentIntent only when the buyer pays: `pay_checkout_session` is the buyer on
Stripe's page, with Stripe's test cards, and returns the events Stripe would send.
"""

from __future__ import annotations

import copy
import functools
import json
import secrets
from typing import Any

from tests.helpers import REPO_ROOT
from tests.stripe_server.events import build_event
from tests.stripe_server.server import (
    PLATFORM,
    StripeError,
    StripeRequest,
    StripeTestServer,
    new_id,
    now,
    route,
)

FIXTURES_PATH = REPO_ROOT.parent / "shared" / "stripe-openapi" / "fixtures3.json"
SESSION_LIFETIME_SECONDS = 24 * 3600

# Stripe's test cards, as the buyer types them on the Checkout page.
VISA = "4242424242424242"
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
AUTHENTICATION_REQUIRED = "4000002760003184"
DECLINES = {
    DECLINED: ("card_declined", "generic_decline", "Your card was declined."),
    INSUFFICIENT_FUNDS: (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
}

# Fields that name another object, and that object's kind, for `expand`.
EXPANDABLE = {
    "latest_charge": "charge",
    "balance_transaction": "balance_transaction",
    "payment_intent": "payment_intent",
    "charge": "charge",
    "transfer": "transfer",
}


@functools.cache
def _fixtures() -> dict[str, Any]:
    return json.loads(FIXTURES_PATH.read_text(encoding="utf-8"))["resources"]


def template(kind: str, **fields: Any) -> dict[str, Any]:
    """Stripe's published example of `kind`, with `fields` set."""
    obj = copy.deepcopy(_fixtures()[kind])
    obj.update(fields)
    return obj


def stripe_fee(amount: int) -> int:
    """Stripe's standard card pricing: 2.9% (rounded half up) + 30."""
    return (amount * 29 + 500) // 1000 + 30


def expand(server: StripeTestServer, obj: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """A copy of `obj` with the fields named in `expand[]` ("a.b" nests) replaced by objects."""
    result = copy.deepcopy(obj)
    paths = params.get("expand") or {}
    for path in paths.values() if isinstance(paths, dict) else [paths]:
        _expand_path(server, result, str(path).split("."))
    return result


def _expand_path(server: StripeTestServer, obj: dict[str, Any], parts: list[str]) -> None:
    field, rest = parts[0], parts[1:]
    kind = EXPANDABLE.get(field)
    if kind is None:
        raise StripeError(400, f"This property cannot be expanded ({field}).", param="expand")
    value = obj.get(field)
    if isinstance(value, str):
        value = obj[field] = copy.deepcopy(server.get(kind, value))
    if rest and isinstance(value, dict):
        _expand_path(server, value, rest)


# ---------------------------------------------------------------------------------------------
# Checkout Sessions


def _line_items_total(params: dict[str, Any]) -> tuple[int, str]:
    """The session's total and currency from `line_items` with inline `price_data`."""
    items = params.get("line_items")
    if not isinstance(items, dict) or not items:
        raise StripeError(400, "You must provide line_items in payment mode.", param="line_items")
    total, currencies = 0, set()
    for key, item in items.items():
        price = item.get("price_data") if isinstance(item, dict) else None
        if not isinstance(price, dict) or "unit_amount" not in price:
            raise StripeError(
                400,
                "Each line item needs price_data with a unit_amount.",
                code="parameter_missing",
                param=f"line_items[{key}][price_data][unit_amount]",
            )
        if "product_data" not in price and "product" not in price:
            raise StripeError(
                400,
                "price_data needs product or product_data.",
                code="parameter_missing",
                param=f"line_items[{key}][price_data][product_data]",
            )
        total += int(price["unit_amount"]) * int(item.get("quantity", 0))
        currencies.add(str(price["currency"]).lower())
    if len(currencies) != 1:
        raise StripeError(400, "All line items must be in one currency.", param="line_items")
    if total < 50:
        raise StripeError(
            400,
            "The Checkout Session's total amount due must add up to at least $0.50 usd",
            param="line_items",
        )
    return total, currencies.pop()


@route("POST", "/v1/checkout/sessions")
def create_checkout_session(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    params = request.params
    if params.get("mode") != "payment":
        raise StripeError(400, "The test server only knows payment mode.", param="mode")
    total, currency = _line_items_total(params)
    session_id = f"cs_test_{secrets.token_urlsafe(40)[:58]}"
    metadata = params.get("metadata")
    intent_data = params.get("payment_intent_data")
    session = template(
        "checkout.session",
        id=session_id,
        created=now(),
        expires_at=int(params.get("expires_at") or now() + SESSION_LIFETIME_SECONDS),
        amount_subtotal=total,
        amount_total=total,
        currency=currency,
        client_reference_id=params.get("client_reference_id"),
        customer_email=params.get("customer_email"),
        customer_details=None,
        metadata=dict(metadata) if isinstance(metadata, dict) else {},
        payment_intent=None,  # made when the buyer pays
        payment_status="unpaid",
        status="open",
        success_url=params.get("success_url"),
        cancel_url=params.get("cancel_url"),
        url=f"https://checkout.stripe.com/c/pay/{session_id}",
    )
    server.store("checkout.session", session)
    # What the PaymentIntent will be made with (kept apart: a session does not echo it).
    server.store("checkout.intent_data", {"id": session_id, **(intent_data or {})})
    return session


@route("GET", "/v1/checkout/sessions/{session}")
def retrieve_checkout_session(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    session = server.get("checkout.session", request.path_params["session"], param="session")
    return expand(server, session, request.params)


@route("POST", "/v1/checkout/sessions/{session}/expire")
def expire_checkout_session(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    session = server.get("checkout.session", request.path_params["session"], param="session")
    if session["status"] != "open":
        raise StripeError(
            400, f"Only open sessions can be expired (this one is {session['status']})."
        )
    with server.lock:
        session["status"] = "expired"
    build_event(server, "checkout.session.expired", session)
    return session


# ---------------------------------------------------------------------------------------------
# PaymentIntents, charges, balance transactions


@route("GET", "/v1/payment_intents/{intent}")
def retrieve_payment_intent(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    intent = server.get("payment_intent", request.path_params["intent"], param="intent")
    return expand(server, intent, request.params)


@route("GET", "/v1/charges/{charge}")
def retrieve_charge(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    charge = server.get("charge", request.path_params["charge"], param="charge")
    return expand(server, charge, request.params)


@route("GET", "/v1/balance_transactions/{id}")
def retrieve_balance_transaction(
    server: StripeTestServer, request: StripeRequest
) -> dict[str, Any]:
    return server.get("balance_transaction", request.path_params["id"])


def balance_transaction(
    server: StripeTestServer, kind: str, amount: int, fee: int, currency: str, source: str
) -> dict[str, Any]:
    """A movement on the platform's balance (amount signed: negative for money out)."""
    created = now()
    fee_details = (
        [
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]
        if fee
        else []
    )
    return server.store(
        "balance_transaction",
        template(
            "balance_transaction",
            id=new_id("txn"),
            amount=amount,
            fee=fee,
            net=amount - fee,
            currency=currency,
            created=created,
            available_on=created + 2 * 86400,
            description=None,
            fee_details=fee_details,
            reporting_category=kind,
            source=source,
            status="pending",
            type=kind,
        ),
    )


def _intent_for(server: StripeTestServer, session: dict[str, Any]) -> dict[str, Any]:
    """The session's PaymentIntent, made on the buyer's first attempt to pay."""
    if session["payment_intent"]:
        return server.get("payment_intent", session["payment_intent"])
    data = server.get("checkout.intent_data", session["id"])
    metadata = data.get("metadata")
    intent = server.store(
        "payment_intent",
        template(
            "payment_intent",
            id=new_id("pi"),
            amount=session["amount_total"],
            amount_received=0,
            canceled_at=None,
            client_secret=f"pi_secret_{secrets.token_urlsafe(18)}",
            created=now(),
            currency=session["currency"],
            description=data.get("description"),
            metadata=dict(metadata) if isinstance(metadata, dict) else {},
            receipt_email=session.get("customer_email"),
            transfer_group=data.get("transfer_group"),
            status="requires_payment_method",
        ),
    )
    with server.lock:
        session["payment_intent"] = intent["id"]
    return intent


def _charge(server: StripeTestServer, intent: dict[str, Any], card: str) -> dict[str, Any]:
    amount, currency = intent["amount"], intent["currency"]
    charge_id = new_id("ch")
    txn = balance_transaction(server, "charge", amount, stripe_fee(amount), currency, charge_id)
    server.move_money(None, PLATFORM, txn["net"], currency)
    charge = template(
        "charge",
        id=charge_id,
        amount=amount,
        amount_captured=amount,
        amount_refunded=0,
        balance_transaction=txn["id"],
        captured=True,
        created=now(),
        currency=currency,
        description=intent["description"],
        metadata=dict(intent["metadata"]),
        paid=True,
        payment_intent=intent["id"],
        refunded=False,
        status="succeeded",
        transfer_group=intent["transfer_group"],
    )
    charge["payment_method_details"]["card"]["last4"] = card[-4:]
    charge["refunds"] = {
        "object": "list",
        "data": [],
        "has_more": False,
        "url": f"/v1/charges/{charge_id}/refunds",
    }
    return server.store("charge", charge)


def pay_checkout_session(
    server: StripeTestServer, session_id: str, card: str = VISA, *, authenticate: bool = True
) -> list[dict[str, Any]]:
    """The buyer pays on Stripe's Checkout page with a test card: the events Stripe sends.

    A declined card leaves the session open (the buyer may try another card); the
    authentication card asks the buyer to authenticate first (`authenticate` is their answer).
    """
    session = server.get("checkout.session", session_id)
    if session["status"] != "open":
        raise AssertionError(f"session {session_id} is {session['status']}, not open")
    intent = _intent_for(server, session)
    sent: list[dict[str, Any]] = []
    if card == AUTHENTICATION_REQUIRED:
        with server.lock:
            intent.update(status="requires_action", next_action={"type": "use_stripe_sdk"})
        sent.append(build_event(server, "payment_intent.requires_action", intent))
        if not authenticate:
            return sent + _fail(
                server,
                intent,
                "payment_intent_authentication_failure",
                None,
                "We are unable to authenticate your payment method.",
            )
    elif card in DECLINES:
        return sent + _fail(server, intent, *DECLINES[card])
    charge = _charge(server, intent, card)
    with server.lock:
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            latest_charge=charge["id"],
            last_payment_error=None,
            next_action=None,
            payment_method=new_id("pm"),
        )
        session.update(status="complete", payment_status="paid")
    return [
        *sent,
        build_event(server, "charge.succeeded", charge),
        build_event(server, "payment_intent.succeeded", intent),
        build_event(server, "checkout.session.completed", session),
    ]


def _fail(
    server: StripeTestServer,
    intent: dict[str, Any],
    code: str,
    decline_code: str | None,
    message: str,
) -> list[dict[str, Any]]:
    error = {"type": "card_error", "code": code, "message": message}
    if decline_code:
        error["decline_code"] = decline_code
    with server.lock:
        intent.update(status="requires_payment_method", last_payment_error=error, next_action=None)
    return [build_event(server, "payment_intent.payment_failed", intent)]


# ---------------------------------------------------------------------------------------------
# Refunds


@route("POST", "/v1/refunds")
def create_refund(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    params = request.params
    charge = _refunded_charge(server, params)
    left = charge["amount"] - charge["amount_refunded"]
    amount = int(params.get("amount", left))
    if amount > left:
        raise StripeError(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
            code="amount_too_large",
            param="amount",
        )
    if amount <= 0:
        raise StripeError(400, "Refund amount must be positive.", param="amount")
    currency = charge["currency"]
    refund_id = new_id("re")
    txn = balance_transaction(server, "refund", -amount, 0, currency, refund_id)
    server.move_money(PLATFORM, None, amount, currency)
    metadata = params.get("metadata")
    refund = server.store(
        "refund",
        template(
            "refund",
            id=refund_id,
            amount=amount,
            balance_transaction=txn["id"],
            charge=charge["id"],
            created=now(),
            currency=currency,
            metadata=dict(metadata) if isinstance(metadata, dict) else {},
            payment_intent=charge["payment_intent"],
            reason=params.get("reason"),
            status="succeeded",
        ),
    )
    with server.lock:
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        charge["refunds"]["data"].insert(0, copy.deepcopy(refund))
    build_event(server, "charge.refunded", charge)
    return refund


def _refunded_charge(server: StripeTestServer, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("payment_intent"):
        intent = server.get("payment_intent", str(params["payment_intent"]), param="payment_intent")
        if not intent.get("latest_charge") or intent["status"] != "succeeded":
            raise StripeError(
                400,
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                param="payment_intent",
            )
        return server.get("charge", intent["latest_charge"])
    if params.get("charge"):
        return server.get("charge", str(params["charge"]), param="charge")
    raise StripeError(
        400,
        "One of the following params should be provided for this request: payment_intent "
        "or charge.",
        code="parameter_missing",
    )


@route("GET", "/v1/refunds/{refund}")
def retrieve_refund(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    refund = server.get("refund", request.path_params["refund"], param="refund")
    return expand(server, refund, request.params)
