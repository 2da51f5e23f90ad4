"""An unexpected failure answers 500 with a fixed body and leaks nothing."""

from unittest import mock

import pytest

pytestmark = pytest.mark.django_db


def test_unexpected_failure_is_a_500_with_the_fixed_body(api_client):
    with mock.patch("tickets.api.views.ticket_log", side_effect=RuntimeError("secret internals")):
        response = api_client.get("/ticket-delivery/ticket-log")
    assert response.status_code == 500
    assert response.json() == {"error": ["Unknown error occurred"]}
    assert b"secret internals" not in response.content
