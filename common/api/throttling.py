"""Per-key rate limits (docs/flow-ticket-log.md, "Authentication and permission"), counted by
django-ratelimit in the shared cache (Redis in production), applied through DRF's throttle hook so a
429 carries `Retry-After`. Every response of a limited route says `X-RateLimit-Limit`,
`X-RateLimit-Remaining` and `X-RateLimit-Reset`."""

import time

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle

USAGE_ATTRIBUTE = "_tally_rate_limit_usage"


def _key_identity(group, request) -> str:
    return f"{type(request.auth).__name__}:{request.auth.pk}"


class ApiKeyRateThrottle(BaseThrottle):
    """A fixed window per API key and scope; the view's `rate_limit_scope` picks the rate from
    `settings.API_RATE_LIMITS` ("default" when the view names none)."""

    def allow_request(self, request, view) -> bool:
        if request.auth is None:
            return True
        scope = getattr(view, "rate_limit_scope", "default")
        usage = get_usage(
            request,
            group=f"tally:{scope}",
            key=_key_identity,
            rate=settings.API_RATE_LIMITS[scope],
            increment=True,
        )
        if usage is None:
            return True
        self.usage = usage
        setattr(request._request, USAGE_ATTRIBUTE, usage)
        return not usage["should_limit"]

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
