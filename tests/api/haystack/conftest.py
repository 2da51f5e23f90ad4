"""Delivery metrics (Haystack) tests: a fresh rate-limit window per test and a client helper."""

import pytest
from django.core.cache import cache

METRICS = "/public/api/metrics"


def team_url(team_id) -> str:
    return f"/public/api/team/{team_id}/metrics"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """20 requests per minute per key: every test starts a new window (ids, and so cache keys,
    repeat across tests on SQLite)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def post(api_client):
    """POST a JSON body to the organization route (or `url`); returns the response."""

    def send(body, url: str = METRICS):
        return api_client.post(url, body, format="json")

    return send
