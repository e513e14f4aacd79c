"""The Stripe test server's contract checker: it refuses what Stripe's API description refuses."""

from __future__ import annotations

import pytest

from tests.stripe_server.contract import StripeContract, decode_form

ACCOUNT = {
    "type": "express",
    "country": "US",
    "email": "shop@example.com",
    "capabilities": {"card_payments": {"requested": "true"}, "transfers": {"requested": "true"}},
    "business_profile": {"name": "Kiln & Co", "support_email": "shop@example.com"},
    "metadata": {"vendor_id": "7"},
}


def _problems(contract: StripeContract, method: str, path: str, params: dict) -> list[str]:
    operation = contract.operation(method, path)
    assert operation is not None, f"{method} {path} should exist"
    return [f"{p.code}:{p.param}" for p in contract.check_request(operation, params)]


def test_form_fields_in_bracket_notation_decode_to_nested_parameters():
    decoded = decode_form(
        [("capabilities[transfers][requested]", "true"), ("expand[0]", "a"), ("type", "x")]
    )
    assert decoded == {
        "capabilities": {"transfers": {"requested": "true"}},
        "expand": {"0": "a"},
        "type": "x",
    }


def test_the_account_the_marketplace_creates_is_accepted(stripe_contract):
    assert _problems(stripe_contract, "POST", "/v1/accounts", ACCOUNT) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({**ACCOUNT, "colour": "blue"}, "parameter_unknown:colour"),
        (
            {**ACCOUNT, "capabilities": {"transfers": {"requested": "true", "now": "true"}}},
            "parameter_unknown:capabilities[transfers][now]",
        ),
        (
            {**ACCOUNT, "capabilities": {"teleport_payments": {"requested": "true"}}},
            "parameter_unknown:capabilities[teleport_payments]",
        ),
        ({**ACCOUNT, "type": "premium"}, "parameter_invalid_string:type"),
        (
            {**ACCOUNT, "capabilities": {"transfers": {"requested": "yes"}}},
            "parameter_invalid_boolean:capabilities[transfers][requested]",
        ),
        ({**ACCOUNT, "business_profile": "Kiln"}, "parameter_invalid_object:business_profile"),
    ],
    ids=["unknown", "unknown-nested", "unknown-capability", "enum", "boolean", "not-an-object"],
)
def test_what_stripe_would_refuse_is_reported(stripe_contract, params, expected):
    assert expected in _problems(stripe_contract, "POST", "/v1/accounts", params)


def test_metadata_takes_any_key_and_an_empty_string_clears_it(stripe_contract):
    many = {**ACCOUNT, "metadata": {"anything": "goes", "order": "12"}}
    cleared = {**ACCOUNT, "metadata": ""}
    assert _problems(stripe_contract, "POST", "/v1/accounts", many) == []
    assert _problems(stripe_contract, "POST", "/v1/accounts", cleared) == []


def test_required_parameters_must_be_present(stripe_contract):
    problems = _problems(stripe_contract, "POST", "/v1/account_links", {"account": "acct_1"})
    assert problems == ["parameter_missing:type"]


def test_query_parameters_of_a_get_are_checked_too(stripe_contract):
    path = "/v1/accounts/acct_123"
    assert _problems(stripe_contract, "GET", path, {"expand": {"0": "capabilities"}}) == []
    assert _problems(stripe_contract, "GET", path, {"expand": "capabilities"}) == [
        "parameter_invalid_array:expand"
    ]
    assert _problems(stripe_contract, "GET", path, {"limit": "3"}) == ["parameter_unknown:limit"]


def test_unknown_endpoints_and_methods_have_no_operation(stripe_contract):
    assert stripe_contract.operation("POST", "/v1/vendors") is None
    assert stripe_contract.operation("PUT", "/v1/accounts") is None
    operation = stripe_contract.operation("GET", "/v1/accounts/acct_9")
    assert operation is not None
    assert operation.path_params == {"account": "acct_9"}


def test_literal_path_segments_win_over_placeholders(stripe_contract):
    operation = stripe_contract.operation("GET", "/v1/payment_intents/search")
    assert operation is not None
    assert operation.template == "/v1/payment_intents/search"


def test_newer_parameters_pass_only_where_allow_listed(stripe_contract):
    newer = {**ACCOUNT, "controller": {"stripe_dashboard": {"type": "express"}}}
    beyond = {**ACCOUNT, "controller": {"fees": {"payer": "application"}}}
    allow = {("POST", "/v1/accounts"): frozenset({"controller[stripe_dashboard]"})}
    listed = StripeContract(stripe_contract.spec, allow)

    assert _problems(stripe_contract, "POST", "/v1/accounts", newer) == [
        "parameter_unknown:controller"
    ]
    assert _problems(listed, "POST", "/v1/accounts", newer) == []
    assert _problems(listed, "POST", "/v1/accounts", beyond) == [
        "parameter_unknown:controller[fees]"
    ]


def test_responses_are_held_to_the_described_shape(stripe_contract):
    operation = stripe_contract.operation("POST", "/v1/account_links")
    assert operation is not None
    good = {"object": "account_link", "created": 1, "expires_at": 2, "url": "https://x"}

    assert stripe_contract.check_response(operation, 200, good) == []
    assert stripe_contract.check_response(operation, 200, {**good, "url": None}) == [
        "$.url may not be null"
    ]
    missing = {key: value for key, value in good.items() if key != "expires_at"}
    assert stripe_contract.check_response(operation, 200, missing) == ["$.expires_at is required"]
    assert stripe_contract.check_response(operation, 200, {**good, "secret": "x"}) == [
        "$.secret is not in the description"
    ]
