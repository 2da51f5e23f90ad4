"""The Flow error envelope: every bad parameter with its messages, all at once,
`{"param": ["message", ...]}`, as 400; ids outside the key's organization, by parameter, as 404.
The handler that writes it is `common.api.exceptions`; these are its OpenAPI descriptions."""

from drf_spectacular.utils import OpenApiResponse

FLOW_ERRORS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
"""The Flow error shape: each bad parameter with its messages, `{"param": ["message", ...]}`."""


def _flow_error(example: dict) -> dict:
    return {**FLOW_ERRORS_SCHEMA, "example": example}


BAD_REQUEST = OpenApiResponse(
    _flow_error(
        {
            "include_nested_teams": [
                "Provide a valid choice. 'yes' is not one of the available choices: ['true', 'false']"
            ]
        }
    ),
    description="Bad parameters, each named with its messages, all at once.",
)
NOT_FOUND = OpenApiResponse(
    _flow_error({"team_id": ["No team with id 5 in this organization."]}),
    description="An id that is not in the key's organization, by parameter.",
)
