"""Ticketing writes with bodies nested too deep: a 400 naming the problem, never a 500."""

import pytest

from tests.api.ticketing.conftest import REQUESTOR, TICKETS, create
from tests.common.test_parsers import DEEP, body_with_deep_value, deep_text

pytestmark = pytest.mark.django_db


def _ticketing_bodies():
    return {
        "custom field": {"ticket": {"title": "t", "requestor": REQUESTOR, "customFields": "DEEP"}},
        "title": {"ticket": {"title": "DEEP", "requestor": REQUESTOR}, "user": REQUESTOR},
        "whole body": "DEEP",
    }


@pytest.mark.parametrize("part", ["custom field", "title", "whole body"])
@pytest.mark.parametrize("idempotency_key", [None, "deep-1"])
def test_ticketing_writes_answer_400_for_a_deep_body(ticketing, instance, clock, part, idempotency_key):
    ticket = create(ticketing).json()["item"]["id"]
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    body = body_with_deep_value(_ticketing_bodies()[part])
    for method, url in [
        ("post", TICKETS),
        ("put", f"{TICKETS}/{ticket}"),
        ("post", f"{TICKETS}/{ticket}/status"),
        ("post", f"{TICKETS}/{ticket}/comments"),
    ]:
        response = ticketing.generic(method.upper(), url, body, content_type="application/json", **headers)
        assert response.status_code == 400, (method, url, response.status_code)
        assert response.json()["error"] is True


@pytest.mark.parametrize("text", [deep_text(DEEP), deep_text(1023), '{"a":' * 900 + "1" + "}" * 900])
def test_raw_deep_documents_are_400_on_ticketing(ticketing, instance, text):
    response = ticketing.generic("POST", TICKETS, text, content_type="application/json")
    assert response.status_code == 400
