"""OpenAPI examples of the ticket metrics routes: a 200 per route, and the Flow error shape."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from api.flow.errors import FLOW_ERRORS_SCHEMA

EXAMPLE_RANGE = ["2024-06-24T09:00:00-06:00", "2024-07-24T09:00:00-06:00"]
EXAMPLE_PERIOD_RANGE = ["2024-05-24T09:00:00-06:00", "2024-06-24T09:00:00-06:00"]
EXAMPLE_METRICS = {
    "date_range": EXAMPLE_RANGE,
    "tickets_completed": {"value": 16, "sample_size": 16, "trend": 0.3333},
    "velocity": {"value": 37.0, "sample_size": 16, "trend": 0.1212},
    "cycle_time": {"value": 78.92, "sample_size": 15, "trend": -0.1, "unit": "hours", "median": 78.92, "mean": 90.4,
                   "p85": 160.25},
    "backflow_rate": {"value": 0.25, "sample_size": 16, "trend": None, "backflows": 5, "transitions": 20},
    "queue_time": {"value": 2.5, "sample_size": 16, "trend": 0.25, "unit": "hours"},
    "jitter": {"value": 225.0, "sample_size": 16, "trend": -0.2},
}  # fmt: skip
EXAMPLE_PERIOD = {
    **EXAMPLE_METRICS,
    "date_range": EXAMPLE_PERIOD_RANGE,
    "tickets_completed": {"value": 12, "sample_size": 12, "trend": None},
}
METRICS_EXAMPLE = OpenApiExample(
    "One period", value={**EXAMPLE_METRICS, "periods": [EXAMPLE_PERIOD]}, response_only=True, status_codes=["200"]
)
EXAMPLE_TICKETS = [{"id": 9001, "key": "CORE-1", "title": "Add login"}]


def _sources_example(total_field: str, total, source: dict) -> OpenApiExample:
    current = {"date_range": EXAMPLE_RANGE, total_field: total, "sources": [source]}
    period = {"date_range": EXAMPLE_PERIOD_RANGE, total_field: 0, "sources": []}
    return OpenApiExample(
        "One period", value={**current, "periods": [period]}, response_only=True, status_codes=["200"]
    )


BACKFLOW_EXAMPLE = _sources_example("total_backflows", 5, {
    "from_status": {"id": 5, "name": "In Review"}, "to_status": {"id": 3, "name": "In Progress"},
    "backflows": 5, "share": 1.0, "tickets": EXAMPLE_TICKETS,
})  # fmt: skip
JITTER_EXAMPLE = _sources_example("total_jitter", 150.0, {
    "source": "comment", "incidents": 3, "jitter": 150.0, "share": 1.0, "tickets": EXAMPLE_TICKETS,
})  # fmt: skip
QUEUE_EXAMPLE = _sources_example("total_queue_time", 4.0, {
    "status": {"id": 4, "name": "Blocked"}, "incidents": 1, "median_queue_time": 4.0, "total_queue_time": 4.0,
    "share": 1.0, "tickets": EXAMPLE_TICKETS,
})  # fmt: skip

_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Each bad parameter with its messages (the Flow error shape).",
    **FLOW_ERRORS_SCHEMA,
}
BAD_REQUEST = OpenApiResponse(
    _ERRORS_SCHEMA,
    description="Bad parameters, each named with what is wrong.",
    examples=[
        OpenApiExample("Missing date_range", value={"date_range": ["This field is required."]}, status_codes=["400"]),
        OpenApiExample(
            "Period of another length",
            value={"periods": ["period 1 is not as long as date_range (14 days, 0:00:00 vs 7 days, 0:00:00)"]},
            status_codes=["400"],
        ),
    ],
)
NOT_FOUND = OpenApiResponse(
    _ERRORS_SCHEMA,
    description="A team, person or project id that is not in the key's organization.",
    examples=[
        OpenApiExample(
            "Unknown team", value={"team_id": ["No team with id 5 in this organization."]}, status_codes=["404"]
        )
    ],
)


def responses(serializer) -> dict:
    """The documented responses of a ticket metrics route."""
    return {200: serializer, 400: BAD_REQUEST, 404: NOT_FOUND}
