"""Transfers to connected accounts, reversals, payouts, balances and events on the test server.

Separate charges and transfers as Stripe runs them: a transfer with `source_transaction` is
paid out of that charge (never more than is left of it) into an account that can receive
transfers; a reversal takes money back out of the connected account's balance and is refused
with `balance_insufficient` when that balance cannot cover it (after a payout, say). A payout
on a connected account (Stripe-Account header) takes money out of its balance; `settle_payout`
plays the bank's answer (`payout.paid`, or `payout.failed` with the money back).
"""

from __future__ import annotations

import copy
from typing import Any

from tests.stripe_server.events import EVENT, build_event
from tests.stripe_server.payments import balance_transaction, expand, template
from tests.stripe_server.server import (
    PLATFORM,
    StripeError,
    StripeRequest,
    StripeTestServer,
    new_id,
    now,
    route,
)

BALANCE_INSUFFICIENT = "balance_insufficient"
PAYOUT_ACCOUNTS = "_payout_accounts"  # which account each payout was made on (server-side)


def _transferred_from(server: StripeTestServer, charge_id: str) -> int:
    transfers = server.objects.get("transfer", {}).values()
    return sum(t["amount"] for t in transfers if t.get("source_transaction") == charge_id)


def _check_destination(server: StripeTestServer, account_id: str) -> None:
    account = server.get("account", account_id, param="destination")
    if account["capabilities"].get("transfers") != "active":
        raise StripeError(
            400,
            "Your destination account needs to have at least one of the following capabilities "
            "enabled: transfers, crypto_transfers, legacy_payments",
            code="insufficient_capabilities_for_transfer",
            param="destination",
        )


def _check_source(server: StripeTestServer, params: dict[str, Any], amount: int) -> None:
    charge_id = params.get("source_transaction")
    if not charge_id:
        if server.balance(PLATFORM, str(params["currency"])) < amount:
            raise StripeError(
                400,
                "You have insufficient available funds in your Stripe account.",
                code=BALANCE_INSUFFICIENT,
            )
        return
    charge = server.get("charge", str(charge_id), param="source_transaction")
    if charge["status"] != "succeeded":
        raise StripeError(400, "The source transaction has not succeeded.")
    if charge["currency"] != str(params["currency"]).lower():
        raise StripeError(
            400,
            "The currency of source_transaction's balance transaction must match the transfer.",
            param="currency",
        )
    left = charge["amount"] - charge["amount_refunded"] - _transferred_from(server, charge["id"])
    if amount > left:
        raise StripeError(
            400,
            f"Insufficient funds in source_transaction: {left} left to transfer.",
            code=BALANCE_INSUFFICIENT,
            param="amount",
        )


@route("POST", "/v1/transfers")
def create_transfer(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    params = request.params
    if "amount" not in params:
        raise StripeError(400, "Missing required param: amount.", code="parameter_missing")
    amount, currency = int(params["amount"]), str(params["currency"]).lower()
    if amount <= 0:
        raise StripeError(400, "Amount must be at least 1.", param="amount")
    destination = str(params["destination"])
    _check_destination(server, destination)
    _check_source(server, params, amount)
    transfer_id = new_id("tr")
    txn = balance_transaction(server, "transfer", -amount, 0, currency, transfer_id)
    server.move_money(PLATFORM, destination, amount, currency)
    metadata = params.get("metadata")
    transfer = server.store(
        "transfer",
        template(
            "transfer",
            id=transfer_id,
            amount=amount,
            amount_reversed=0,
            balance_transaction=txn["id"],
            created=now(),
            currency=currency,
            description=params.get("description"),
            destination=destination,
            destination_payment=new_id("py"),
            metadata=dict(metadata) if isinstance(metadata, dict) else {},
            reversals={
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/transfers/{transfer_id}/reversals",
            },
            reversed=False,
            source_transaction=params.get("source_transaction"),
            transfer_group=params.get("transfer_group"),
        ),
    )
    build_event(server, "transfer.created", transfer)
    return transfer


@route("GET", "/v1/transfers/{transfer}")
def retrieve_transfer(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    transfer = server.get("transfer", request.path_params["transfer"], param="transfer")
    return expand(server, transfer, request.params)


@route("POST", "/v1/transfers/{id}/reversals")
def create_reversal(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    transfer = server.get("transfer", request.path_params["id"])
    params = request.params
    left = transfer["amount"] - transfer["amount_reversed"]
    amount = int(params.get("amount", left))
    if not 0 < amount <= left:
        raise StripeError(
            400,
            f"You cannot reverse {amount}: only {left} of this transfer is left to reverse.",
            param="amount",
        )
    currency, account = transfer["currency"], transfer["destination"]
    if server.balance(account, currency) < amount:
        raise StripeError(
            400,
            "Insufficient funds in the connected account's balance to reverse this transfer.",
            code=BALANCE_INSUFFICIENT,
            param="amount",
        )
    reversal_id = new_id("trr")
    txn = balance_transaction(server, "transfer_refund", amount, 0, currency, reversal_id)
    server.move_money(account, PLATFORM, amount, currency)
    metadata = params.get("metadata")
    reversal = server.store(
        "transfer_reversal",
        template(
            "transfer_reversal",
            id=reversal_id,
            amount=amount,
            balance_transaction=txn["id"],
            created=now(),
            currency=currency,
            metadata=dict(metadata) if isinstance(metadata, dict) else {},
            transfer=transfer["id"],
        ),
    )
    with server.lock:
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["data"].insert(0, copy.deepcopy(reversal))
    build_event(server, "transfer.reversed", transfer)
    return reversal


@route("GET", "/v1/transfers/{transfer}/reversals/{id}")
def retrieve_reversal(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    reversal = server.get("transfer_reversal", request.path_params["id"])
    if reversal["transfer"] != request.path_params["transfer"]:
        raise StripeError(404, "No such transfer reversal.", code="resource_missing")
    return reversal


# ---------------------------------------------------------------------------------------------
# Payouts and balances (a connected account's, with the Stripe-Account header)


@route("POST", "/v1/payouts")
def create_payout(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    params = request.params
    account = request.stripe_account or PLATFORM
    amount, currency = int(params["amount"]), str(params["currency"]).lower()
    if server.balance(account, currency) < amount:
        raise StripeError(
            400,
            "You have insufficient funds in your Stripe account for this transfer.",
            code=BALANCE_INSUFFICIENT,
            param="amount",
        )
    server.move_money(account, None, amount, currency)
    metadata = params.get("metadata")
    created = now()
    payout = server.store(
        "payout",
        template(
            "payout",
            id=new_id("po"),
            amount=amount,
            arrival_date=created + 2 * 86400,
            automatic=False,
            balance_transaction=None,
            created=created,
            currency=currency,
            description=params.get("description"),
            destination=None,
            metadata=dict(metadata) if isinstance(metadata, dict) else {},
            status="pending",
        ),
    )
    server.objects.setdefault(PAYOUT_ACCOUNTS, {})[payout["id"]] = {"account": account}
    build_event(server, "payout.created", payout, account=request.stripe_account)
    return payout


def settle_payout(
    server: StripeTestServer, payout_id: str, *, paid: bool, failure_message: str | None = None
) -> dict[str, Any]:
    """The bank's answer to a payout (what Stripe learns days later): `payout.paid`, or
    `payout.failed` with the money back in the connected account's balance. Returns the event."""
    payout = server.get("payout", payout_id)
    account = server.objects[PAYOUT_ACCOUNTS][payout_id]["account"]
    with server.lock:
        if paid:
            payout["status"] = "paid"
        else:
            payout.update(
                status="failed",
                failure_code="account_closed",
                failure_message=failure_message or "The bank account has been closed.",
            )
            server.move_money(None, account, payout["amount"], payout["currency"])
    connected = None if account == PLATFORM else account
    return build_event(server, f"payout.{payout['status']}", payout, account=connected)


@route("GET", "/v1/payouts/{payout}")
def retrieve_payout(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    return server.get("payout", request.path_params["payout"], param="payout")


@route("GET", "/v1/balance")
def retrieve_balance(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    held = server.balances[request.stripe_account or PLATFORM]
    currencies = sorted(held) or ["usd"]
    balance = template("balance")
    balance["available"] = [
        {"amount": held[c], "currency": c, "source_types": {"card": held[c]}} for c in currencies
    ]
    balance["pending"] = [
        {"amount": 0, "currency": c, "source_types": {"card": 0}} for c in currencies
    ]
    balance["connect_reserved"] = [{"amount": 0, "currency": c} for c in currencies]
    return balance


# ---------------------------------------------------------------------------------------------
# Events


@route("GET", "/v1/events/{id}")
def retrieve_event(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    return server.get(EVENT, request.path_params["id"])


@route("GET", "/v1/events")
def list_events(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    """Newest first, optionally of one `type`, at most `limit` (default 10)."""
    wanted = request.params.get("type")
    found = [
        event
        for event in reversed(list(server.objects.get(EVENT, {}).values()))
        if wanted is None or event["type"] == wanted
    ]
    limit = int(request.params.get("limit", 10))
    return {
        "object": "list",
        "data": found[:limit],
        "has_more": len(found) > limit,
        "url": "/v1/events",
    }
