"""drf-spectacular hooks, and the schema pieces several surfaces share."""

FLOW_ERRORS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
"""The Flow error shape: each bad parameter with its messages, `{"param": ["message", ...]}`."""


def allow_empty_query_values(result, generator, request, public):
    """An optional query parameter sent empty (`team_id__in=`) means "not given", as django-filter
    treats it; say so in the schema."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
