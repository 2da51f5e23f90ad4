"""A failure outside the API views (here, in a middleware) is a 500 that says nothing about it:
the product-wide JSON body on the API paths, Django's bare page elsewhere."""

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client

from common.api.exceptions import UNKNOWN_ERROR_BODY

pytestmark = pytest.mark.django_db
SECRET = "database password is hunter2"


@pytest.fixture
def broken_middleware(monkeypatch):
    def explode(self, request):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(SessionMiddleware, "process_request", explode)


@pytest.mark.parametrize(
    "path",
    ["/ticket-delivery/ticket-log", "/v3/customer/core/teams/", "/public/api/metrics", "/api/stats_v2",
     "/ticketing/v1/tickets"],
)  # fmt: skip
def test_api_paths_answer_the_json_500_body(broken_middleware, path):
    response = Client(raise_request_exception=False).get(path, {"key": "x"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == UNKNOWN_ERROR_BODY


@pytest.mark.parametrize("path", ["/staff/tickets/", "/admin/"])
def test_pages_answer_the_bare_500_page(broken_middleware, path):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Server Error (500)" in body
    assert SECRET not in body and "Traceback" not in body and "RuntimeError" not in body
