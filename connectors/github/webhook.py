"""`POST /connectors/github/<connection id>/webhook`: GitHub says something changed.

The body must carry `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body with the connection's
webhook secret>`, compared in constant time; anything else is a 401 and nothing is read or queued.
`pull_request` and `pull_request_review` re-read that pull request; `deployment_status`,
`workflow_run` and `issues` queue an incremental run of the connection (cheap: unchanged lists
answer 304). Events of repositories the connection does not read are acknowledged and ignored."""

import hashlib
import hmac

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from connectors.github.models import GitHubConnection
from connectors.github.tasks import refresh_pull_request
from connectors.tasks import sync_connection
from connectors.webhooks import BadBody, json_object, queued

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_review")
RUN_EVENTS = ("deployment_status", "workflow_run", "issues")


def signature_valid(*, secret: str, body: bytes, signature: str) -> bool:
    if not secret or not signature.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.removeprefix("sha256=").encode(), expected.encode())


def _reads(connection: GitHubConnection, repository: str) -> bool:
    owner = repository.split("/", 1)[0].lower()
    names = {name.lower() for name in connection.repository_names()}
    return repository.lower() in names or f"{owner}/*" in names


@csrf_exempt
@require_POST
def github_webhook(request: HttpRequest, connection_id: int) -> JsonResponse:
    connection = GitHubConnection.objects.filter(pk=connection_id).first()
    signature = request.headers.get("X-Hub-Signature-256", "")
    if connection is None or not signature_valid(
        secret=connection.webhook_secret, body=request.body, signature=signature
    ):
        return JsonResponse({"detail": "Unknown connection or bad X-Hub-Signature-256."}, status=401)
    event = request.headers.get("X-GitHub-Event", "")
    if event == "ping":
        return JsonResponse({"detail": "pong"})
    try:
        payload = json_object(request.body)
    except BadBody as error:
        return JsonResponse({"detail": str(error)}, status=400)
    repository = str((payload.get("repository") or {}).get("full_name") or "")
    if event not in PULL_REQUEST_EVENTS + RUN_EVENTS or not _reads(connection, repository):
        return JsonResponse({"queued": []}, status=202)
    if not connection.enabled:
        return JsonResponse({"detail": "The connection is disabled."}, status=409)
    if event in PULL_REQUEST_EVENTS:
        number = (payload.get("pull_request") or {}).get("number")
        if not isinstance(number, int):
            return JsonResponse({"detail": "The payload names no pull request."}, status=400)
        return queued(refresh_pull_request, args=(connection.pk, repository, number), names=[f"{repository}#{number}"])
    return queued(sync_connection, args=("github", connection.pk), names=[f"{repository}: sync"])
