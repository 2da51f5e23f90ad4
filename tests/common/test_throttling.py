"""Per-key rate limits: headers on every response, 429 with Retry-After past the limit."""

import pytest

from tests.support.factories import ApiKeyFactory, bearer_client

pytestmark = pytest.mark.django_db
URL = "/ticket-delivery/ticket-log"


@pytest.fixture
def three_per_minute(settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "default": "3/m"}


def test_headers_count_down_then_429_with_retry_after(api_client, three_per_minute):
    remaining = []
    for _ in range(3):
        response = api_client.get(URL)
        assert response.status_code == 200
        assert response["X-RateLimit-Limit"] == "3"
        assert int(response["X-RateLimit-Reset"]) > 0
        remaining.append(response["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    response = api_client.get(URL)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["X-RateLimit-Remaining"] == "0"


def test_limits_are_per_key(api_client, organization, three_per_minute):
    for _ in range(4):
        api_client.get(URL)
    other = bearer_client(ApiKeyFactory(user__organization=organization).plaintext)
    assert other.get(URL).status_code == 200
