"""Connect accounts and account links on the Stripe test server, plus onboarding test helpers.

A new account has nothing enabled and requirements due. `submit_details` is the vendor
finishing Stripe's forms (details submitted, still under verification); `complete_onboarding`
is Stripe enabling the account. Neither happens because the browser came back.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.stripe_server.server import (
    StripeError,
    StripeRequest,
    StripeTestServer,
    new_id,
    now,
    route,
)

ACCOUNT = "account"
LINK_LIFETIME_SECONDS = 300
DUE_AT_START = [
    "business_profile.mcc",
    "external_account",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]
CURRENCIES = {"US": "usd", "GB": "gbp", "CA": "cad", "AU": "aud", "JP": "jpy", "CH": "chf"}


def _requirements(currently_due: list[str], pending: list[str] | None = None) -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(currently_due),
        "disabled_reason": "requirements.past_due" if currently_due else None,
        "errors": [],
        "eventually_due": list(currently_due),
        "past_due": list(currently_due),
        "pending_verification": list(pending or []),
    }


def _business_profile(given: Any) -> dict[str, Any]:
    """The profile as Stripe echoes it: every field present, the strings we were sent filled in."""
    profile: dict[str, Any] = dict.fromkeys(
        (
            "mcc",
            "name",
            "product_description",
            "support_address",
            "support_email",
            "support_phone",
            "support_url",
            "url",
        )
    )
    if isinstance(given, dict):
        profile.update({key: value for key, value in given.items() if isinstance(value, str)})
    return profile


def _requested_capabilities(given: Any) -> dict[str, str]:
    if not isinstance(given, dict):
        return {}
    return {
        name: "inactive"
        for name, options in given.items()
        if isinstance(options, dict) and options.get("requested") == "true"
    }


@route("POST", "/v1/accounts")
def create_account(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    params = request.params
    account_type = params.get("type", "standard")
    country = str(params.get("country", "US"))
    account_id = new_id("acct")
    metadata = params.get("metadata")
    account = {
        "id": account_id,
        "object": "account",
        "type": account_type,
        "country": country,
        "email": params.get("email"),
        "created": now(),
        "default_currency": CURRENCIES.get(country, "eur"),
        "business_type": params.get("business_type"),
        "business_profile": _business_profile(params.get("business_profile")),
        "capabilities": _requested_capabilities(params.get("capabilities")),
        "charges_enabled": False,
        "payouts_enabled": False,
        "details_submitted": False,
        "controller": (
            {"type": "account"}
            if account_type == "standard"
            else {"is_controller": True, "type": "application"}
        ),
        "metadata": dict(metadata) if isinstance(metadata, dict) else {},
        "requirements": _requirements(DUE_AT_START),
        "future_requirements": _requirements([]),
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/accounts/{account_id}/external_accounts",
        },
        "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
    }
    return server.store(ACCOUNT, account)


@route("GET", "/v1/accounts/{account}")
def retrieve_account(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    return server.get(ACCOUNT, request.path_params["account"], param="account")


@route("POST", "/v1/account_links")
def create_account_link(server: StripeTestServer, request: StripeRequest) -> dict[str, Any]:
    params = request.params
    account = server.get(ACCOUNT, str(params["account"]), param="account")
    for name in ("refresh_url", "return_url"):
        # Optional in the 2023-08-16 description, required by Stripe for onboarding links.
        if not params.get(name):
            server.violations.append(f"POST /v1/account_links without {name}")
            raise StripeError(
                400, f"Missing required param: {name}.", code="parameter_missing", param=name
            )
    created = now()
    link = {
        "object": "account_link",
        "created": created,
        "expires_at": created + LINK_LIFETIME_SECONDS,
        "url": f"https://connect.stripe.com/setup/e/{account['id']}/{secrets.token_urlsafe(16)}",
    }
    server.store("account_link", {**params, **link, "id": link["url"]})  # for tests to inspect
    return link


# ---------------------------------------------------------------------------------------------
# What happens on Stripe's side while the vendor is away (test helpers)


def submit_details(server: StripeTestServer, account_id: str) -> dict[str, Any]:
    """The vendor finished Stripe's forms; Stripe is still verifying (nothing enabled yet)."""
    account = server.get(ACCOUNT, account_id)
    with server.lock:
        account["details_submitted"] = True
        account["requirements"] = _requirements([], pending=["individual.verification.document"])
    return account


def complete_onboarding(
    server: StripeTestServer,
    account_id: str,
    *,
    charges_enabled: bool = True,
    payouts_enabled: bool = True,
) -> dict[str, Any]:
    """Stripe verified the account and enabled it."""
    account = server.get(ACCOUNT, account_id)
    with server.lock:
        account["details_submitted"] = True
        account["charges_enabled"] = charges_enabled
        account["payouts_enabled"] = payouts_enabled
        account["capabilities"] = dict.fromkeys(account["capabilities"], "active")
        account["requirements"] = _requirements([])
        account["tos_acceptance"] = {"date": now(), "ip": "203.0.113.7", "user_agent": None}
    return account
