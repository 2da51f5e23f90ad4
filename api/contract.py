"""drf-spectacular hook: the OpenAPI document as the contract of what the routes answer.

Views document their own success and validation answers; this hook adds what every route of a
surface answers the same way, and the bounds the generated parameters lack:

- every operation that needs a key documents 401 and 403 (and 429, the rate limit) with the
  surface's error body, unless it documents them itself;
- every Flow operation (`/ticket-delivery/`, `/v3/`) documents 400 and 404 with the Flow error shape;
- integer id parameters are bounded to 1..2^63-1 (a BIGINT primary key);
- date parameters admit only real months and days (no `0000-00-00`);
- the Ticketing `timezone` admits only offsets from -12 to 14.

Rules that span fields, which a schema cannot say, are listed in docs/api-contract.md."""

import re

from api.flow.errors import FLOW_ERRORS_SCHEMA
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
_LOOSE_DATE = r"\d{4}-\d{2}-\d{2}"
REAL_DATE = r"(?!0000)\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
TIMEZONE_OFFSET_PATTERN = r"^(\+?(0?\d|1[0-4])|-(0?\d|1[0-2]))$"


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
        pattern = schema.get("pattern", "")
        if pattern.startswith("^" + _LOOSE_DATE):
            schema["pattern"] = "^" + REAL_DATE + pattern[len("^" + _LOOSE_DATE) :]
        if path.startswith("/ticketing/") and parameter["name"] == "timezone":
            schema["pattern"] = TIMEZONE_OFFSET_PATTERN


def document_the_contract(result, generator, request, public):
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            if isinstance(operation, dict):
                _document_answers(path, operation)
                _bound_parameters(path, operation)
    return result
