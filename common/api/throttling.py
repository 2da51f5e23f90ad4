"""Per-key rate limits (docs/flow-ticket-log.md, "Authentication and permission"): a fixed window
per API key and scope, counted in the shared cache (Redis in production) in one round trip per
request, applied through DRF's throttle hook so a 429 carries `Retry-After`. Every response of a
limited route says `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`. When the
cache cannot count (Redis down or hung past its socket time-out), requests pass uncounted."""

import functools
import re
import time

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django_redis.cache import RedisCache
from redis.exceptions import RedisError
from rest_framework.throttling import BaseThrottle

USAGE_ATTRIBUTE = "_tally_rate_limit_usage"
RATE_PATTERN = re.compile(r"^(\d+)/(\d*)([smhd]?)$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Incremented and, by the request that created it, given its expiry: one round trip, and no
# counter is ever left without an expiry.
REDIS_HIT = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n"


@functools.cache  # read on every request; the settings hold a few rates
def parse_rate(rate: str) -> tuple[int, int]:
    """("600/m" -> (600, 60), "100/60s" -> (100, 60)): requests allowed and the window in seconds."""
    match = RATE_PATTERN.match(rate)
    if match is None:
        raise ValueError(f"Not a rate: {rate!r} (expected requests/[multiplier]unit, unit one of s, m, h, d).")
    count, multiplier, unit = match.groups()
    seconds = int(multiplier or 1) * UNIT_SECONDS[unit or "s"]
    if seconds == 0:
        raise ValueError(f"Not a rate: {rate!r} (a window of 0 seconds).")
    return int(count), seconds


def check_rate_limits(app_configs=None, **kwargs) -> list[checks.Error]:
    """A system check: every API_RATE_LIMITS value is a rate, so a typo in RATE_LIMIT_* stops the
    server at start-up instead of failing every request."""
    errors = []
    for scope, rate in settings.API_RATE_LIMITS.items():
        try:
            parse_rate(rate)
        except ValueError as error:
            errors.append(checks.Error(f"API_RATE_LIMITS[{scope!r}]: {error}", id="tally.E001"))
    return errors


def window_hit(*, key: str, seconds: int) -> int | None:
    """Count one request in the counter `key`, which lives `seconds`; its count now (1 for the
    first), or None when the cache cannot count."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    if isinstance(cache, RedisCache):
        try:
            client = cache.client.get_client(write=True)
            return int(client.eval(REDIS_HIT, 1, cache.client.make_key(key), seconds))
        except RedisError:
            return None
    if cache.add(key, 1, seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        return None


class ApiKeyRateThrottle(BaseThrottle):
    """A fixed window per API key and scope, aligned on the epoch; the view's `rate_limit_scope`
    picks the rate from `settings.API_RATE_LIMITS` ("default" when the view names none)."""

    def allow_request(self, request, view) -> bool:
        if request.auth is None or not getattr(settings, "RATELIMIT_ENABLE", True):
            return True
        scope = getattr(view, "rate_limit_scope", "default")
        limit, seconds = parse_rate(settings.API_RATE_LIMITS[scope])
        now = int(time.time())
        window_end = now - now % seconds + seconds
        identity = f"{type(request.auth).__name__}:{request.auth.pk}"
        count = window_hit(key=f"tally:rate:{scope}:{limit}/{seconds}:{identity}:{window_end}", seconds=seconds + 5)
        if count is None:
            return True
        self.usage = {"limit": limit, "count": count, "time_left": window_end - now}
        setattr(request._request, USAGE_ATTRIBUTE, self.usage)
        return count <= limit

    def wait(self) -> int:
        return max(self.usage["time_left"], 1)


class RateLimitHeadersMiddleware:
    """Adds the X-RateLimit-* headers to responses of rate-limited requests (429s included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        usage = getattr(request, USAGE_ATTRIBUTE, None)
        if usage is not None:
            response["X-RateLimit-Limit"] = str(usage["limit"])
            response["X-RateLimit-Remaining"] = str(max(usage["limit"] - usage["count"], 0))
            response["X-RateLimit-Reset"] = str(int(time.time()) + max(usage["time_left"], 0))
        return response
