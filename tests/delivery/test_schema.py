"""Both routes in the OpenAPI schema: the request body, Bearer security, and one example per shape."""

import json

import pytest
from django.test import Client

from metrics.api.haystack.examples import CYCLE_RESPONSE
from tests.delivery.test_api_cycle import DOCUMENT_AVERAGES, DOCUMENT_SPRINT

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
