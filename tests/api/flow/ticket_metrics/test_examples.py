"""The ticket metrics routes in the OpenAPI schema: parameters, and responses with examples."""

import json

import pytest
from django.test import Client

ROUTES = ["/ticket-delivery/metrics", "/ticket-delivery/metrics/backflow-sources",
          "/ticket-delivery/metrics/jitter-sources", "/ticket-delivery/metrics/queuetime-sources"]  # fmt: skip
PARAMETERS = {"date_range", "periods", "team_id", "team_id__in", "include_nested_teams", "apex_user_id",
              "apex_user_id__in", "project_ids", "work_type", "current_assignee"}  # fmt: skip


@pytest.fixture(scope="module")
def operations(django_db_blocker):
    with django_db_blocker.unblock():
        schema = json.loads(Client().get("/api/schema/", HTTP_ACCEPT="application/json").content)
    return {path.rstrip("/"): item["get"] for path, item in schema["paths"].items() if "get" in item}


@pytest.mark.parametrize("route", ROUTES)
def test_every_parameter_is_documented_and_date_range_required(operations, route):
    parameters = {p["name"]: p for p in operations[route]["parameters"]}
    assert set(parameters) >= PARAMETERS
    assert parameters["date_range"]["required"] is True
    assert not any(p.get("required") for name, p in parameters.items() if name != "date_range")


@pytest.mark.parametrize("route", ROUTES)
def test_responses_have_examples(operations, route):
    responses = operations[route]["responses"]
    ok = responses["200"]["content"]["application/json"]
    [example] = ok["examples"].values()
    assert example["value"]["periods"]
    bad = responses["400"]["content"]["application/json"]["examples"]
    assert {"date_range": ["This field is required."]} in [e["value"] for e in bad.values()]
    assert responses["404"]["content"]["application/json"]["examples"]
