"""An unexpected failure answers 500 with a fixed body and leaks nothing."""

from unittest import mock

import pytest

pytestmark = pytest.mark.django_db


def test_unexpected_failure_is_a_500_with_the_fixed_body(api_client):
    with mock.patch("api.flow.ticket_log.views.ticket_log", side_effect=RuntimeError("secret internals")):
        response = api_client.get("/ticket-delivery/ticket-log")
    assert response.status_code == 500
    assert response.json() == {"error": ["Unknown error occurred"]}
    assert b"secret internals" not in response.content


def test_list_item_errors_keyed_by_index_render_as_json():
    from rest_framework import serializers

    from common.api.exceptions import exception_handler

    class Items(serializers.Serializer):
        items = serializers.ListField(child=serializers.IntegerField())

    serializer = Items(data={"items": [1, "x", 3]})
    assert not serializer.is_valid()
    response = exception_handler(serializers.ValidationError(serializer.errors), {"view": None})
    assert response.status_code == 400
    assert response.data == {"items": {"1": ["A valid integer is required."]}}
