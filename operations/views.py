"""`/healthz`, `/readyz` and `/metrics` (docs/operations.md). Plain Django views: no API key, no
rate limit, outside the API's authentication; `/metrics` has its own guard."""

import hmac

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from operations.checks import readiness_checks
from operations.collectors import exposition


@require_GET
@never_cache
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
@transaction.non_atomic_requests
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when every configured dependency answers, else 503 naming those that do not."""
    results = readiness_checks()
    failing = [result.name for result in results if not result.ready]
    body = {
        "status": "unavailable" if failing else "ok",
        "failing": failing,
        "checks": {result.name: result.as_dict() for result in results},
    }
    return JsonResponse(body, status=503 if failing else 200)


def may_read_metrics(request: HttpRequest) -> bool:
    """Operators only: `Authorization: Bearer <METRICS_TOKEN>` (when the setting is set), or a
    signed-in staff user."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


@require_GET
@never_cache
@transaction.non_atomic_requests
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition of this process (or of every worker, in multiprocess mode)."""
    if not may_read_metrics(request):
        response = JsonResponse({"detail": "Operators only: send Authorization: Bearer <METRICS_TOKEN>."}, status=403)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
