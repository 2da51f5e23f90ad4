"""What the connectors' webhooks share: reading the body (a JSON object within the API's nesting
limit, else a 400) and answering once they know what to queue: 202 naming the work, or, when the
broker cannot be reached, a 503 with Retry-After. Nothing is written in either case: a sender
that retries (Jira retries a 5xx) delivers again, and the connection's scheduled run (every
`sync_interval_minutes`) reads the change anyway."""

from celery import Task
from django.http import JsonResponse

from common.api.parsers import JSONTooDeep, load_json
from common.publishing import publish_once

RETRY_AFTER_SECONDS = 60


class BadBody(ValueError):
    """A webhook body that is not a JSON object; the message says why."""


def json_object(body: bytes) -> dict:
    """The body as a JSON object (an empty body reads as `{}`); BadBody otherwise."""
    try:
        payload = load_json(body or b"{}")
    except JSONTooDeep as error:
        raise BadBody(str(error)) from None
    except ValueError:
        raise BadBody("The body is not JSON.") from None
    if not isinstance(payload, dict):
        raise BadBody("The body must be a JSON object.")
    return payload


def queued(task: Task, *, args: tuple, names: list[str]) -> JsonResponse:
    """Queue `task(*args)` and answer 202 naming `names`; 503 with Retry-After if it cannot be queued."""
    if publish_once(task, args=args):
        return JsonResponse({"queued": names}, status=202)
    response = JsonResponse(
        {"detail": "The task queue is unavailable; try again later (the scheduled run will also catch up)."},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
