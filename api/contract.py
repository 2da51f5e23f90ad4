"""drf-spectacular hook: the OpenAPI document as the contract of what the routes answer.

Views document their own success and validation answers; this hook adds what every route of a
surface answers the same way, and the bounds the generated parameters lack:

- every operation that needs a key documents 401 and 403 (and 429, the rate limit) with the
  surface's error body, unless it documents them itself;
- every Flow operation (`/ticket-delivery/`, `/v3/`) documents 400 and 404 with the Flow error shape;
- integer id parameters are bounded to 1..2^63-1 (a BIGINT primary key);
- the Ticketing `timezone` admits only offsets from -12 to 14;
- free text in parameters and request bodies admits no NUL character.

Date, time and id-list patterns are set where the parameters are declared (`common.api.patterns`).
Rules that span fields, which a schema cannot say, are listed in docs/api-contract.md."""

import re

from api.flow.errors import FLOW_ERRORS_SCHEMA
from common.api import patterns
from common.api.fields import MAX_ID

DETAIL_ERROR_SCHEMA = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
_AUTH_ANSWERS = {
    "401": "Missing or invalid API key.",
    "403": "The key may not use this route (a role or a read-only key).",
    "429": "Rate limit reached; `Retry-After` says when to try again.",
}
_FLOW_ANSWERS = {"400": "A parameter is invalid: each one named with its messages.", "404": "An id names nothing."}
_FLOW_PREFIXES = ("/ticket-delivery/", "/v3/")
_ID_NAME = re.compile(r"(^id$|_id$|Id$|__id$|^parent$|^team_member$|^project$)")


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _document_answers(path: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    if operation.get("security") and not path.startswith("/ticketing/"):
        for code, description in _AUTH_ANSWERS.items():
            responses.setdefault(code, _json(DETAIL_ERROR_SCHEMA, description))
    if path.startswith(_FLOW_PREFIXES):
        for code, description in _FLOW_ANSWERS.items():
            responses.setdefault(code, _json(FLOW_ERRORS_SCHEMA, description))


def _bound_parameters(path: str, operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if schema.get("type") == "integer" and _ID_NAME.search(parameter["name"]):
            schema.setdefault("minimum", 1)
            schema.setdefault("maximum", MAX_ID)
        if path.startswith("/ticketing/") and parameter["name"] == "timezone":
            schema["pattern"] = patterns.TIMEZONE_OFFSET
        _no_nul(schema)


def _no_nul(schema: dict) -> None:
    """Free text, in a parameter or a request body, admits every character but NUL (which
    PostgreSQL cannot store, so every text field refuses it)."""
    if schema.get("type") == "string" and not ({"pattern", "enum", "format"} & schema.keys()):
        schema["pattern"] = patterns.NO_NUL
    for nested in (*schema.get("properties", {}).values(), schema.get("items"), schema.get("additionalProperties")):
        if isinstance(nested, dict):
            _no_nul(nested)


def document_the_contract(result, generator, request, public):
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            if isinstance(operation, dict):
                _document_answers(path, operation)
                _bound_parameters(path, operation)
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _no_nul(schema)
    return result
