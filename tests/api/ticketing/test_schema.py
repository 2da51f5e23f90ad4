"""The OpenAPI schema documents the Ticketing and help-desk routes with their security: the
instance key as `?key=` or Bearer for Ticketing, the user Bearer key for the help-desk stats."""

import json

import pytest
from django.test import Client

from api.ticketing.presenters import ITEM_FIELDS
from api.ticketing.shapes import TicketItemSerializer

pytestmark = pytest.mark.django_db
TICKETING = {
    "/ticketing/v1/tickets": {"get", "post"},
    "/ticketing/v1/tickets/{ticketId}": {"get", "put"},
    "/ticketing/v1/tickets/{ticketId}/status": {"put", "post"},
    "/ticketing/v1/tickets/{ticketId}/activities": {"get", "post"},
    "/ticketing/v1/tickets/{ticketId}/comments": {"post"},
    "/ticketing/v1/instance": {"get"},
    "/ticketing/v1/tags": {"get"},
}
HELPDESK = {"/api/stats_v2", "/api/tickets", "/api/ticket"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return json.loads(Client().get("/api/schema/", HTTP_ACCEPT="application/json").content)


def _paths(schema) -> dict:
    return {path.rstrip("/"): item for path, item in schema["paths"].items()}


def test_ticketing_routes_take_the_instance_key_as_query_parameter_or_bearer(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TicketingInstanceKey"] == {
        "type": "apiKey", "in": "query", "name": "key", "description": schemes["TicketingInstanceKey"]["description"],
    }  # fmt: skip
    assert (schemes["TicketingInstanceBearer"]["type"], schemes["TicketingInstanceBearer"]["scheme"]) == (
        "http", "bearer",
    )  # fmt: skip
    paths = _paths(schema)
    for path, methods in TICKETING.items():
        assert set(paths[path]) & {"get", "post", "put", "patch", "delete"} == methods, path
        for method in methods:
            assert paths[path][method]["security"] == [{"TicketingInstanceKey": []}, {"TicketingInstanceBearer": []}]


def test_helpdesk_routes_take_user_keys(schema):
    paths = _paths(schema)
    for path in HELPDESK:
        assert paths[path]["get"]["security"] == [{"BearerAuth": []}], path


def test_documented_ticket_fields_are_the_rendered_ones(schema):
    assert list(TicketItemSerializer().fields) == list(ITEM_FIELDS)
    list_parameters = {p["name"] for p in _paths(schema)["/ticketing/v1/tickets"]["get"]["parameters"]}
    assert list_parameters >= {
        "search", "title", "status", "priority", "tags", "createdAfter", "createdBefore", "lastUpdateAfter",
        "lastUpdateBefore", "orderBy", "order", "select", "limit", "offset", "continuationToken", "timezone",
    }  # fmt: skip
