"""A stateful stand-in for Stripe's API, for tests: real HTTP, Stripe's contract, Stripe's errors.

Point `stripe.StripeClient(..., base_addresses={"api": server.url})` at it. Every request is
checked against Stripe's OpenAPI description (see `contract.py`): an unknown endpoint or
parameter, a missing required one or a wrong type gets the 4xx Stripe would send and is recorded
in `server.violations`, which fails the test (the `stripe_server` fixture checks it) even when
the code under test swallowed the error. Idempotency keys work as Stripe's do: the same key with
the same parameters replays the first answer; with other parameters it is refused.

Resources live in their own modules and register handlers with `@route(method, template)`
(see `accounts.py`); import a new module at the bottom of this file to switch it on.
`balances` holds the money on the platform's and each connected account's balance by currency
(charges add to the platform's, transfers move it to an account, payouts take it out), so
Stripe's "insufficient balance" refusals happen where they would.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import string
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import Headers

from tests.stripe_server.contract import Operation, Problem, StripeContract, decode_form

API_KEY = "sk_test_marketplace_0000000000000000"
PLATFORM = "platform"  # the platform's own balance in `StripeTestServer.balances`
WEBHOOK_SECRET = "whsec_test_marketplace_000000000000"
ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """An id in Stripe's style: a type prefix and random letters and digits."""
    return f"{prefix}_{''.join(secrets.choice(ALPHABET) for _ in range(24))}"


class StripeError(Exception):
    """An error answer in Stripe's shape: {"error": {"type", "code", "message", "param"}}."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": {"type": type, "message": message}}
        if code:
            self.body["error"]["code"] = code
            self.body["error"]["doc_url"] = f"https://stripe.com/docs/error-codes/{code}"
        if param:
            self.body["error"]["param"] = param


def resource_missing(kind: str, object_id: str, param: str) -> StripeError:
    return StripeError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


@dataclass
class StripeRequest:
    """A request as a handler sees it: decoded parameters and the matched operation."""

    method: str
    path: str
    params: dict[str, Any]
    headers: Mapping[str, str]
    operation: Operation

    @property
    def path_params(self) -> dict[str, str]:
        return self.operation.path_params

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")

    @property
    def stripe_account(self) -> str | None:
        """The connected account the platform acts for (the Stripe-Account header)."""
        return self.headers.get("Stripe-Account")


Handler = Callable[["StripeTestServer", StripeRequest], dict[str, Any]]
ROUTES: dict[tuple[str, str], Handler] = {}


def route(method: str, template: str) -> Callable[[Handler], Handler]:
    """Register a handler for an operation of the description (`template` as spelt there)."""

    def register(handler: Handler) -> Handler:
        ROUTES[(method.upper(), template)] = handler
        return handler

    return register


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Stored:
    fingerprint: str
    answer: Answer


class StripeTestServer:
    """The server and its state: objects by kind and id, requests seen, contract violations."""

    def __init__(
        self,
        contract: StripeContract,
        *,
        api_key: str = API_KEY,
        webhook_secret: str = WEBHOOK_SECRET,
    ) -> None:
        self.contract = contract
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        self.requests: list[StripeRequest] = []
        self.violations: list[str] = []
        self.balances: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._idempotent: dict[str, _Stored] = {}
        self.lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the Stripe test server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StripeTestServer:
        """Listen on a free port of the loopback interface, in a background thread."""
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="stripe-test-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # -- state ---------------------------------------------------------------------------------

    def store(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.objects.setdefault(kind, {})[obj["id"]] = obj
        return obj

    def get(self, kind: str, object_id: str, *, param: str = "id") -> dict[str, Any]:
        """The stored object, or Stripe's 404 for it."""
        found = self.objects.get(kind, {}).get(object_id)
        if found is None:
            raise resource_missing(kind, object_id, param)
        return found

    def balance(self, account: str | None, currency: str) -> int:
        """Money on an account's balance (None or PLATFORM: the platform's own)."""
        return self.balances[account or PLATFORM][currency.lower()]

    def move_money(self, source: str | None, destination: str | None, amount: int, currency: str):
        """Book `amount` from one balance to another (None: the outside world, e.g. a card)."""
        with self.lock:
            if source is not None:
                self.balances[source][currency.lower()] -= amount
            if destination is not None:
                self.balances[destination][currency.lower()] += amount

    def take_violations(self) -> list[str]:
        """The violations so far, cleared (for tests that provoke them on purpose)."""
        with self.lock:
            taken, self.violations = self.violations, []
        return taken

    def requests_to(self, method: str, template: str) -> list[StripeRequest]:
        return [r for r in self.requests if r.method == method and r.operation.template == template]

    # -- handling ------------------------------------------------------------------------------

    def handle(self, method: str, target: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        """Answer one HTTP request the way Stripe would."""
        with self.lock:
            try:
                return self._handle(method, target, body, headers)
            except StripeError as error:
                return Answer(error.status, error.body)

    def _handle(self, method: str, target: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            self.violations.append(f"{method} {target}: missing or wrong API key")
            raise StripeError(401, "Invalid API Key provided.", code="api_key_invalid")
        parts = urlsplit(target)
        operation = self.contract.operation(method, parts.path)
        if operation is None:
            self.violations.append(f"{method} {parts.path}: no such endpoint in Stripe's API")
            raise StripeError(
                404, f"Unrecognized request URL ({method}: {parts.path}).", code="url_invalid"
            )
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if method == "POST":
            content_type = headers.get("Content-Type", "")
            if body and not content_type.startswith("application/x-www-form-urlencoded"):
                self.violations.append(f"{method} {parts.path}: body sent as {content_type}")
                raise StripeError(400, "Invalid request: send a form-encoded body.")
            pairs += parse_qsl(body.decode(), keep_blank_values=True)
        request = StripeRequest(method, parts.path, decode_form(pairs), headers, operation)
        self.requests.append(request)
        self._check(request)
        if method == "POST" and request.idempotency_key:
            return self._idempotently(request)
        return self._run(request)

    def _check(self, request: StripeRequest) -> None:
        problems = self.contract.check_request(request.operation, request.params)
        if problems:
            for problem in problems:
                self.violations.append(
                    f"{request.method} {request.path}: {problem.message} ({problem.code})"
                )
            raise _param_error(problems[0])

    def _idempotently(self, request: StripeRequest) -> Answer:
        key = f"{request.stripe_account or ''}:{request.idempotency_key}"
        fingerprint = hashlib.sha256(
            json.dumps([request.method, request.path, request.params], sort_keys=True).encode()
        ).hexdigest()
        stored = self._idempotent.get(key)
        if stored is not None:
            if stored.fingerprint != fingerprint:
                self.violations.append(
                    f"{request.method} {request.path}: idempotency key "
                    f"{request.idempotency_key!r} reused with other parameters"
                )
                raise StripeError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                    type="idempotency_error",
                )
            replay = stored.answer
            return Answer(replay.status, replay.body, {"Idempotent-Replayed": "true"})
        answer = self._run(request)
        self._idempotent[key] = _Stored(fingerprint, answer)
        return answer

    def _run(self, request: StripeRequest) -> Answer:
        handler = ROUTES.get((request.method, request.operation.template))
        if handler is None:
            raise NotImplementedError(
                f"The Stripe test server does not implement {request.method} "
                f"{request.operation.template} yet: add a handler"
            )
        try:
            answer = Answer(200, handler(self, request))
        except StripeError as error:
            answer = Answer(error.status, error.body)
        for problem in self.contract.check_response(request.operation, answer.status, answer.body):
            self.violations.append(f"test server answered outside the description: {problem}")
        return answer


def _param_error(problem: Problem) -> StripeError:
    return StripeError(400, problem.message, code=problem.code, param=problem.param)


def now() -> int:
    return int(time.time())


def _handler_class(server: StripeTestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = Headers(list(self.headers.items()))  # names are case-insensitive
            try:
                answer = server.handle(self.command, self.path, body, headers)
            except Exception as exc:  # a bug in the test server: make it loud
                server.violations.append(f"test server crashed: {exc!r}")
                answer = Answer(500, {"error": {"type": "api_error", "message": repr(exc)}})
            data = json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", new_id("req"))
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the requests are in `server.requests`."""

    return Handler


# Resources (each registers its handlers on import).
from tests.stripe_server import accounts, payments, transfers  # noqa: E402, F401
