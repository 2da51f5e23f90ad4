"""Both routes in the OpenAPI schema: the request body, Bearer security, and one example per shape."""

import json

import pytest
from django.test import Client

from api.haystack.examples import CYCLE_REQUEST, CYCLE_RESPONSE
from tests.api.haystack.test_cycle import DOCUMENT_AVERAGES, DOCUMENT_SPRINT

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    return json.loads(Client().get("/api/schema/", HTTP_ACCEPT="application/json").content)


@pytest.mark.parametrize("path", ["/public/api/metrics", "/public/api/team/{teamId}/metrics"])
def test_both_routes_are_documented_with_an_example_per_shape(schema, path):
    paths = {key.rstrip("/"): value for key, value in schema["paths"].items()}
    operation = paths[path]["post"]

    body = operation["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/HaystackMetricsQueryRequest")
    assert len(body["examples"]) == 3
    answer = operation["responses"]["200"]["content"]["application/json"]
    shapes = {example["summary"] for example in answer["examples"].values()}
    assert shapes == {"Regular (issues by month)", "Group by (pull requests by author, weekly)", "Cycle (sprints)"}
    assert operation["security"] and "400" in operation["responses"]
    assert ("404" in operation["responses"]) == ("teamId" in path)
    response_schema = schema["components"]["schemas"]["HaystackMetricsResponse"]
    assert len(response_schema["oneOf"]) == 3


def test_the_cycle_example_is_the_documents():
    assert {key: CYCLE_RESPONSE["data"][0][key] for key in ("name", "state", "analytics")} == DOCUMENT_SPRINT
    assert CYCLE_RESPONSE["averages"] == DOCUMENT_AVERAGES


def _same_shape(example, actual, where="$") -> None:
    """The example and a real answer have the same keys at every level and the same JSON types
    (a number is a number, whole or not; null stands for any type)."""
    if example is None or actual is None:
        return
    if isinstance(example, dict):
        assert isinstance(actual, dict), where
        assert list(example) == list(actual), where
        for key in example:
            _same_shape(example[key], actual[key], f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(actual, list) and actual, where
        for item in example:
            _same_shape(item, actual[0], f"{where}[]")
    elif isinstance(example, (int, float)) and not isinstance(example, bool):
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), where
    else:
        assert type(example) is type(actual), where


def test_every_example_answer_has_the_shape_of_a_real_answer(api_client, organization, project, workflow):
    from datetime import timedelta

    from api.haystack.examples import GROUP_BY_REQUEST, GROUP_BY_RESPONSE, REGULAR_REQUEST, REGULAR_RESPONSE
    from tests.support.delivery import pull_request, repository, sprint, sprint_member, utc
    from tests.support.factories import PersonFactory
    from tests.support.history import ticket_with_history

    done = [(utc(2023, 1, 11), "status", workflow["Done"])]
    ticket_with_history(project=project, created=utc(2023, 1, 10), history=done)
    repo = repository(organization)
    pull_request(
        repo, author=PersonFactory(organization=organization), created=utc(2023, 1, 3), merged=utc(2023, 1, 4)
    )
    target = sprint(project, "Sprint 25", utc(2024, 6, 3, 9), utc(2024, 6, 17, 9), completed=utc(2024, 6, 17, 10))
    sprint_member(project, workflow, target, added=utc(2024, 6, 3, 8), points=3, done=utc(2024, 6, 5))
    sprint_member(project, workflow, target, added=utc(2024, 6, 5), points=2, removed=utc(2024, 6, 6) + timedelta(1))
    grouped = {key: value for key, value in GROUP_BY_REQUEST.items() if key != "filters"}
    cases = [(REGULAR_REQUEST, REGULAR_RESPONSE), (grouped, GROUP_BY_RESPONSE), (CYCLE_REQUEST, CYCLE_RESPONSE)]

    for request, example in cases:
        response = api_client.post("/public/api/metrics", request, format="json")
        assert response.status_code == 200, response.content
        _same_shape(example, response.json())
