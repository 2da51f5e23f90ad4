"""What a webhook answers once it knows what to queue: 202 naming the work, or, when the broker
cannot be reached, a 503 with Retry-After. Nothing is written in either case: a sender that
retries (Jira retries a 5xx) delivers again, and the connection's scheduled run (every
`sync_interval_minutes`) reads the change anyway."""

from celery import Task
from django.http import JsonResponse

from common.publishing import publish_once

RETRY_AFTER_SECONDS = 60


def queued(task: Task, *, args: tuple, names: list[str]) -> JsonResponse:
    if publish_once(task, args=args):
        return JsonResponse({"queued": names}, status=202)
    response = JsonResponse(
        {"detail": "The task queue is unavailable; try again later (the scheduled run will also catch up)."},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
