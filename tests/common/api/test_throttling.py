"""Per-key rate limits: headers on every response, 429 with Retry-After past the limit, one Redis
round trip per request, rates checked at start-up."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from redis import Redis

from common.api import throttling
from config.settings.base import redis_cache
from tests.conftest import require_service
from tests.support.factories import ApiKeyFactory, bearer_client
from tests.support.processes import redis_server, redis_server_available

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


def test_the_window_is_the_rates_and_a_new_window_counts_afresh(api_client, three_per_minute, monkeypatch):
    now = 1_800_000_000 - 1_800_000_000 % 60 + 10  # 10 s into a minute
    monkeypatch.setattr(throttling.time, "time", lambda: now)
    for _ in range(3):
        api_client.get(URL)
    response = api_client.get(URL)
    assert response.status_code == 429
    assert response["Retry-After"] == "50"
    assert response["X-RateLimit-Reset"] == str(now + 50)
    monkeypatch.setattr(throttling.time, "time", lambda: now + 50)
    assert api_client.get(URL)["X-RateLimit-Remaining"] == "2"


@pytest.mark.parametrize(
    ("rate", "parsed"), [("600/m", (600, 60)), ("100/60s", (100, 60)), ("5/2h", (5, 7200)), ("1/d", (1, 86400))]
)
def test_parse_rate(rate, parsed):
    assert throttling.parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["600", "600/minute", "/m", "10/0s", "-1/m", " 5/m"])
def test_parse_rate_refuses_what_is_not_a_rate(rate):
    with pytest.raises(ValueError, match="Not a rate"):
        throttling.parse_rate(rate)


def test_a_rate_that_is_not_one_stops_the_server_at_its_checks(settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "delivery": "20 per minute"}
    errors = throttling.check_rate_limits()
    assert [(error.id, error.msg) for error in errors] == [
        (
            "tally.E001",
            "API_RATE_LIMITS['delivery']: Not a rate: '20 per minute' "
            "(expected requests/[multiplier]unit, unit one of s, m, h, d).",
        )
    ]
    with pytest.raises(SystemCheckError, match=r"tally\.E001"):
        call_command("check")


# The test's own reset, and the handshake of the cache's new connection.
HOUSEKEEPING = {"cmdstat_config|resetstat", "cmdstat_hello"}


@pytest.mark.redis
def test_on_redis_a_request_costs_one_round_trip_and_its_counter_expires(
    api_client, three_per_minute, tmp_path, settings
):
    require_service(redis_server_available(), "redis-server")
    with redis_server(tmp_path) as server:
        settings.CACHES = {"default": redis_cache(server.url(0))}
        client = Redis.from_url(server.url(0))
        client.config_resetstat()
        statuses = [api_client.get(URL).status_code for _ in range(4)]
        stats = client.info("commandstats")
        (key,) = client.keys("*tally:rate:*")
        ttl = client.ttl(key)
        caches["default"].close()
    assert statuses == [200, 200, 200, 429]
    assert {name: stat["calls"] for name, stat in stats.items() if name not in HOUSEKEEPING} == {
        "cmdstat_eval": 4,  # one round trip per request; the script's INCR and EXPIRE run inside it
        "cmdstat_incr": 4,
        "cmdstat_expire": 1,
    }
    assert 0 < ttl <= 65
