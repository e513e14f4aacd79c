"""Stripe's published OpenAPI description as a contract for the requests our code sends.

`StripeContract.operation(method, path)` finds the operation a request is for (None: Stripe has
no such endpoint); `check_request` walks the decoded form or query parameters through the
operation's schema (nested objects, arrays, anyOf/oneOf) and reports every parameter Stripe does
not know, every required one that is missing and every value of the wrong type;
`check_response` keeps the test server's own answers in the shape the description promises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Parameters the marketplace sends that are newer than the 2023-08-16 description, per
# operation, as bracket paths (e.g. "controller[stripe_dashboard][type]"). Each entry needs a
# comment saying which API version added it. Nothing the marketplace sends needs one yet.
NEWER_PARAMETERS: dict[tuple[str, str], frozenset[str]] = {}

Schema = Mapping[str, Any]


@dataclass(frozen=True)
class Problem:
    """One reason Stripe would refuse a request, in the terms of Stripe's error objects."""

    code: str  # parameter_unknown, parameter_missing, parameter_invalid_*
    param: str
    message: str


@dataclass(frozen=True)
class Operation:
    """An endpoint of the description matched by a request, with its path parameters."""

    method: str
    template: str
    spec: Schema
    path_params: dict[str, str] = field(default_factory=dict)

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", f"{self.method} {self.template}"))


def bracket_name(path: list[str]) -> str:
    """["capabilities", "transfers", "requested"] → "capabilities[transfers][requested]"."""
    return path[0] + "".join(f"[{part}]" for part in path[1:]) if path else ""


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Bracket-notation form fields (a[b][0]=x) as nested dicts; list indices stay dict keys."""
    decoded: dict[str, Any] = {}
    for name, value in pairs:
        head, _, rest = name.partition("[")
        keys = [head] + (re.findall(r"\[([^\]]*)\]", "[" + rest) if rest else [])
        node = decoded
        for index, key in enumerate(keys):
            if key == "":  # a[]=x: the next free index
                key = str(len(node))
            if index == len(keys) - 1:
                node[key] = value
            else:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = node[key] = {}
                node = child
    return decoded


class StripeContract:
    """The description, indexed for matching requests to operations and checking them."""

    def __init__(self, spec: Schema, newer_parameters: Mapping[tuple[str, str], frozenset[str]]):
        self.spec = spec
        self.version = str(spec.get("info", {}).get("version", ""))
        self.newer_parameters = newer_parameters
        self._routes: list[tuple[int, re.Pattern[str], str]] = []
        for template in spec["paths"]:
            placeholders = template.count("{")
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
            self._routes.append((placeholders, re.compile(f"^{pattern}$"), template))
        self._routes.sort(key=lambda item: item[0])  # literal segments win over placeholders

    @classmethod
    def load(cls, path: Path) -> StripeContract:
        return cls(json.loads(path.read_text(encoding="utf-8")), NEWER_PARAMETERS)

    # -- lookup --------------------------------------------------------------------------------

    def resolve(self, schema: Schema) -> Schema:
        """Follow `$ref`s to the schema they name."""
        while "$ref" in schema:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            schema = self.spec["components"]["schemas"][name]
        return schema

    def operation(self, method: str, path: str) -> Operation | None:
        """The documented operation for `method path`, or None when Stripe has no such thing."""
        for _, pattern, template in self._routes:
            match = pattern.match(path)
            if match and method.lower() in self.spec["paths"][template]:
                spec = self.spec["paths"][template][method.lower()]
                return Operation(method.upper(), template, spec, match.groupdict())
        return None

    # -- requests ------------------------------------------------------------------------------

    def _request_schema(self, operation: Operation) -> tuple[dict[str, Schema], set[str]]:
        """Top-level parameters (name → schema) and the required ones, body and query alike."""
        properties: dict[str, Schema] = {}
        required: set[str] = set()
        for parameter in operation.spec.get("parameters", []):
            if parameter.get("in") == "query":
                properties[parameter["name"]] = parameter.get("schema", {})
                if parameter.get("required"):
                    required.add(parameter["name"])
        body = operation.spec.get("requestBody", {}).get("content", {})
        form = body.get("application/x-www-form-urlencoded", {}).get("schema")
        if form:
            form = self.resolve(form)
            properties.update(form.get("properties", {}))
            required.update(form.get("required", []))
        return properties, required

    def check_request(self, operation: Operation, params: Mapping[str, Any]) -> list[Problem]:
        """Every way the parameters break the operation's description (empty: Stripe accepts)."""
        problems = self._check_path_params(operation)
        properties, required = self._request_schema(operation)
        top: Schema = {"type": "object", "properties": properties, "required": sorted(required)}
        problems += self._check(params, top, [], operation)
        return problems

    def _check_path_params(self, operation: Operation) -> list[Problem]:
        problems = []
        for parameter in operation.spec.get("parameters", []):
            if parameter.get("in") != "path":
                continue
            value = operation.path_params.get(parameter["name"], "")
            limit = parameter.get("schema", {}).get("maxLength")
            if not value or (limit is not None and len(value) > limit):
                problems.append(
                    Problem("parameter_invalid_string", parameter["name"], "Invalid path value")
                )
        return problems

    def _newer(self, value: Any, path: list[str], operation: Operation) -> list[Problem]:
        """A parameter the description lacks: fine only where the allow-list names it."""
        allowed = self.newer_parameters.get((operation.method, operation.template), frozenset())
        name = bracket_name(path)
        if name in allowed:
            return []  # the parameter and everything under it
        if isinstance(value, dict) and any(entry.startswith(f"{name}[") for entry in allowed):
            return [
                problem
                for key, item in value.items()
                for problem in self._newer(item, [*path, key], operation)
            ]
        return [Problem("parameter_unknown", name, f"Received unknown parameter: {name}")]

    def _check(
        self, value: Any, schema: Schema, path: list[str], operation: Operation
    ) -> list[Problem]:
        schema = self.resolve(schema)
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            outcomes = [self._check(value, branch, path, operation) for branch in branches]
            if any(not outcome for outcome in outcomes):
                return []
            return min(outcomes, key=len)
        if isinstance(value, dict):
            return self._check_mapping(value, schema, path, operation)
        return self._check_scalar(str(value), schema, path)

    def _check_mapping(
        self, value: dict[str, Any], schema: Schema, path: list[str], operation: Operation
    ) -> list[Problem]:
        kind = schema.get("type")
        name = bracket_name(path)
        if kind == "array":
            items = schema.get("items", {})
            if not all(key.isdigit() for key in value):
                return [Problem("parameter_invalid_array", name, f"Invalid array: {name}")]
            problems = []
            for key, item in value.items():
                problems += self._check(item, items, [*path, key], operation)
            return problems
        if kind not in (None, "object"):
            return [Problem(f"parameter_invalid_{kind}", name, f"Invalid {kind}: {name}")]
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        problems = []
        for key, item in value.items():
            child = [*path, key]
            if properties is not None and key in properties:
                problems += self._check(item, properties[key], child, operation)
            elif properties is None or extra:
                # A free-form object (metadata and the like). Stripe's parameter objects that
                # list their properties accept nothing else, whatever OpenAPI's default says.
                if isinstance(extra, Mapping):
                    problems += self._check(item, extra, child, operation)
            else:
                problems += self._newer(item, child, operation)
        for key in schema.get("required", []):
            if key not in value:
                missing = bracket_name([*path, key])
                problems.append(
                    Problem("parameter_missing", missing, f"Missing required param: {missing}.")
                )
        return problems

    def _check_scalar(self, value: str, schema: Schema, path: list[str]) -> list[Problem]:
        kind = schema.get("type")
        name = bracket_name(path)
        valid = {
            "boolean": value in ("true", "false"),
            "integer": re.fullmatch(r"-?[0-9]+", value) is not None,
            "number": re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value) is not None,
            "string": True,
            None: True,
        }.get(kind, False)
        if not valid:
            return [Problem(f"parameter_invalid_{kind}", name, f"Invalid {kind}: {value}")]
        enum = schema.get("enum")
        if enum is not None and value not in enum and not schema.get("x-stripeBypassValidation"):
            return [
                Problem(
                    "parameter_invalid_string",
                    name,
                    f"Invalid {name}: must be one of {', '.join(map(str, enum))}",
                )
            ]
        limit = schema.get("maxLength")
        if limit is not None and len(value) > limit:
            return [
                Problem(
                    "parameter_invalid_string_too_long",
                    name,
                    f"Invalid string: {name} must be at most {limit} characters",
                )
            ]
        return []

    # -- responses -----------------------------------------------------------------------------

    def check_response(self, operation: Operation, status: int, body: Any) -> list[str]:
        """Where the test server's answer departs from the described response (empty: none)."""
        responses = operation.spec.get("responses", {})
        described = responses.get(str(status)) or responses.get("default")
        if described is None:
            return [f"{operation.operation_id} does not answer {status}"]
        schema = described.get("content", {}).get("application/json", {}).get("schema", {})
        return self._shape(body, schema, "$")

    def _shape(self, value: Any, schema: Schema, where: str) -> list[str]:
        schema = self.resolve(schema)
        if value is None:
            return [] if schema.get("nullable") or not schema else [f"{where} may not be null"]
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            outcomes = [self._shape(value, branch, where) for branch in branches]
            return [] if any(not outcome for outcome in outcomes) else min(outcomes, key=len)
        kind = schema.get("type")
        checks = {
            "object": isinstance(value, dict),
            "array": isinstance(value, list),
            "string": isinstance(value, str),
            "boolean": isinstance(value, bool),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
        }
        if kind is not None and not checks.get(kind, True):
            return [f"{where} should be {kind}, not {type(value).__name__}"]
        if "enum" in schema and value not in schema["enum"]:
            return [f"{where} = {value!r} is not one of {schema['enum']}"]
        if isinstance(value, list):
            return [
                problem
                for index, item in enumerate(value)
                for problem in self._shape(item, schema.get("items", {}), f"{where}[{index}]")
            ]
        if isinstance(value, dict) and "properties" in schema:
            return self._shape_object(value, schema, where)
        return []

    def _shape_object(self, value: dict[str, Any], schema: Schema, where: str) -> list[str]:
        properties = schema["properties"]
        problems = [
            f"{where}.{key} is required" for key in schema.get("required", []) if key not in value
        ]
        for key, item in value.items():
            if key in properties:
                problems += self._shape(item, properties[key], f"{where}.{key}")
            elif not schema.get("additionalProperties"):
                problems.append(f"{where}.{key} is not in the description")
        return problems
