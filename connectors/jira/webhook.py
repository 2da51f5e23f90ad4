"""`POST /connectors/jira/<connection id>/webhook`: Jira says issues changed; they are re-read at
once (through a Celery task, under the connection's lock).

The shared secret is checked in constant time, from any of: Jira Cloud's `X-Hub-Signature`
(`sha256=` HMAC of the body with the secret, as webhooks registered with a secret send), the
`X-Tally-Webhook-Secret` header, or a `secret` query parameter (Data Center webhooks can only
carry it in their URL)."""

import hashlib
import hmac

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from connectors.jira.models import JiraConnection
from connectors.jira.tasks import refresh_issues
from connectors.webhooks import BadBody, json_object, queued

IGNORED_EVENTS = ("jira:issue_deleted",)


def _authentic(request: HttpRequest, secret: str) -> bool:
    if not secret:
        return False
    signature = request.headers.get("X-Hub-Signature", "")
    if signature.startswith("sha256="):
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(signature.removeprefix("sha256="), expected)
    given = request.headers.get("X-Tally-Webhook-Secret") or request.GET.get("secret") or ""
    return hmac.compare_digest(given.encode(), secret.encode())


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def jira_webhook(request: HttpRequest, connection_id: int) -> JsonResponse:
    connection = JiraConnection.objects.filter(pk=connection_id).first()
    if connection is None or not _authentic(request, connection.webhook_secret):
        return JsonResponse({"detail": "Unknown connection or wrong secret."}, status=403)
    try:
        payload = json_object(request.body)
    except BadBody as error:
        return JsonResponse({"detail": str(error)}, status=400)
    issue = payload.get("issue") if isinstance(payload.get("issue"), dict) else {}
    issue_id = str(issue.get("id") or "")
    if payload.get("webhookEvent") in IGNORED_EVENTS or not issue_id.isdigit():
        return JsonResponse({"queued": []}, status=202)
    if not connection.enabled:
        return JsonResponse({"detail": "The connection is disabled."}, status=409)
    return queued(refresh_issues, args=(connection.pk, [issue_id]), names=[issue.get("key") or issue_id])
