"""Redis is a cache, not a dependency of requests. With the Redis that holds the cache and the
broker stopped, or hung (SIGSTOP), every route (the API's, the staff pages', the admin's, the
operations and documentation routes and the connectors' webhooks) answers without a 500 and
within 2 s: API rate limits fail open (no X-RateLimit headers), writes commit with their refresh
request in the outbox, and the routes that must not go on without Redis answer 503 with
Retry-After (the sign-in forms, which fail closed; the webhooks, whose work cannot be queued) or
503 naming it (`/readyz`). When Redis returns, everything works again by itself. The Redis server
is the test's own, on a port of its own."""

import hashlib
import hmac
import json
import time

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from config.settings.base import redis_cache
from connectors.github.models import GitHubConnection
from connectors.jira.models import JiraConnection
from metrics.models import RefreshRequest
from tests.api.ticketing.conftest import REQUESTOR, helpdesk_workflow
from tests.conftest import require_service
from tests.support.factories import (
    ApiKeyFactory,
    ProjectFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
    bearer_client,
    standard_workflow,
)
from tests.support.processes import celery_broker, redis_server, redis_server_available
from tickets.services.instance_keys import instance_key_create

pytestmark = [pytest.mark.django_db, pytest.mark.redis]
BOUND_SECONDS = 2.0
# The routes that answer 503 while Redis is down: the sign-in forms (fail closed), the webhooks
# (their work cannot be queued) and the readiness check.
NEED_REDIS = ("staff login", "admin login", "jira webhook", "github webhook", "readyz")
PASSWORD = "correct horse battery staple"
RANGE = '["2024-06-03T00:00:00Z","2024-06-10T00:00:00Z"]'


@pytest.fixture
def own_redis(tmp_path, settings):
    require_service(redis_server_available(), "redis-server")
    with redis_server(tmp_path) as server:
        settings.CACHES = {"default": redis_cache(server.url(0))}
        settings.REDIS_URL = server.url(0)  # what /readyz checks, with the broker below
        settings.API_RATE_LIMITS = {"default": "1000/m", "delivery": "1000/m", "ticketing": "1000/m"}
        with celery_broker(server.url(1)):
            yield server
        cache.clear()


@pytest.fixture
def calls(organization):
    """(label, client, method, path, body) for every route of the API schema, staff and admin."""
    metrics = bearer_client(ApiKeyFactory(user__organization=organization).plaintext)
    project = ProjectFactory(organization=organization, key="CORE")
    standard_workflow(project)
    team = TeamFactory(organization=organization)
    desk = ProjectFactory(organization=organization, key="HD", kind="helpdesk")
    helpdesk_workflow(desk)
    ticketing = bearer_client(instance_key_create(project=desk, read_only=False)[1])
    ticket = TicketFactory(project=desk, number=1, status=desk.statuses.get(name="Open"))
    staff = Client()
    staff.force_login(UserFactory(organization=organization, is_staff=True, is_superuser=True))
    tickets = "/ticketing/v1/tickets"
    one = f"{tickets}/{ticket.uuid}"
    new_ticket = {"ticket": {"title": "VPN", "requestor": REQUESTOR}, "user": REQUESTOR}
    login = {"username": "nobody", "password": "wrong"}
    jira = JiraConnection.objects.create(
        organization=organization, name="jira", site_url="https://jira.invalid", token="t", project_keys="HD"
    )
    github = GitHubConnection.objects.create(
        organization=organization, name="gh", api_url="https://github.invalid", token="t", repositories="o/r"
    )
    jira_event = json.dumps({"webhookEvent": "jira:issue_updated", "issue": {"id": "10001", "key": "HD-1"}})
    github_event = json.dumps({"repository": {"full_name": "o/r"}})
    signature = "sha256=" + hmac.new(github.webhook_secret.encode(), github_event.encode(), hashlib.sha256).hexdigest()
    return [
        ("stats", metrics, "get", "/api/stats_v2/", None),
        ("helpdesk ticket", metrics, "get", "/api/ticket/", None),
        ("helpdesk tickets", metrics, "get", "/api/tickets/", None),
        ("haystack", metrics, "post", "/public/api/metrics/", {"startDate": "2024-06-01", "endDate": "2024-06-30"}),
        ("haystack team", metrics, "post", f"/public/api/team/{team.id}/metrics/", {"startDate": "2024-06-01"}),
        ("ticket metrics", metrics, "get", f"/ticket-delivery/metrics/?date_range={RANGE}", None),
        ("backflow", metrics, "get", f"/ticket-delivery/metrics/backflow-sources/?date_range={RANGE}", None),
        ("jitter", metrics, "get", f"/ticket-delivery/metrics/jitter-sources/?date_range={RANGE}", None),
        ("queue", metrics, "get", f"/ticket-delivery/metrics/queuetime-sources/?date_range={RANGE}", None),
        ("ticket log", metrics, "get", "/ticket-delivery/ticket-log/", None),
        ("by status", metrics, "get", "/ticket-delivery/ticket-log/ticket-by-status/", None),
        ("teams", metrics, "get", "/v3/customer/core/teams/", None),
        ("users", metrics, "get", "/v3/customer/core/users/", None),
        ("coding", metrics, "get", "/v3/customer/metrics/code_fundamentals/period_metrics/", None),
        ("instance", ticketing, "get", "/ticketing/v1/instance/", None),
        ("tags", ticketing, "get", "/ticketing/v1/tags/", None),
        ("list", ticketing, "get", tickets, None),
        ("create", ticketing, "post", tickets, new_ticket),
        ("read", ticketing, "get", one, None),
        ("update", ticketing, "put", one, {"ticket": {"title": "Renamed"}, "user": REQUESTOR}),
        ("activities", ticketing, "get", f"{one}/activities", None),
        ("activity", ticketing, "post", f"{one}/activities", {"comment": "note", "user": REQUESTOR}),
        ("comment", ticketing, "post", f"{one}/comments", {"comment": "note", "user": REQUESTOR}),
        ("status", ticketing, "post", f"{one}/status", {"status": "Started", "user": REQUESTOR}),
        ("status put", ticketing, "put", f"{one}/status", {"status": "Open", "user": REQUESTOR}),
        ("schema", Client(), "get", "/api/schema/", None),
        ("staff home", staff, "get", "/", None),
        ("staff ticket log", staff, "get", "/staff/tickets/", None),
        ("staff csv", staff, "get", "/staff/tickets.csv", None),
        ("staff ticket", staff, "get", f"/staff/tickets/{ticket.id}/", None),
        ("staff metrics", staff, "get", f"/staff/metrics/?date_range={RANGE}", None),
        ("admin", staff, "get", "/admin/", None),
        ("admin tickets", staff, "get", "/admin/tickets/ticket/", None),
        ("healthz", Client(), "get", "/healthz", None),
        ("readyz", Client(), "get", "/readyz", None),
        ("prometheus", staff, "get", "/metrics", None),
        ("swagger ui", Client(), "get", "/api/docs/", None),
        ("redoc", Client(), "get", "/api/redoc/", None),
        (
            "jira webhook",
            Client(),
            "post",
            f"/connectors/jira/{jira.id}/webhook?secret={jira.webhook_secret}",
            jira_event,
        ),
        (
            "github webhook",
            Client(HTTP_X_GITHUB_EVENT="workflow_run", HTTP_X_HUB_SIGNATURE_256=signature),
            "post",
            f"/connectors/github/{github.id}/webhook",
            github_event,
        ),
        ("staff login", Client(), "post", "/accounts/login/", login),
        ("admin login", Client(), "post", "/admin/login/", login),
    ]


def _answers(calls, capture) -> dict[str, tuple[int, float, bool]]:
    """label → (status, seconds including the after-commit publish, whether rate-limit headers came)."""
    answers = {}
    for label, client, method, path, body in calls:
        started = time.monotonic()
        with capture(execute=True):
            if isinstance(client, APIClient):
                response = getattr(client, method)(path, body, format="json")
            elif isinstance(body, str):  # a webhook's JSON, as sent
                response = getattr(client, method)(path, body, content_type="application/json")
            else:
                response = getattr(client, method)(path, body or {})
        answers[label] = (response.status_code, time.monotonic() - started, response.has_header("X-RateLimit-Limit"))
        if response.status_code == 503 and label != "readyz":
            assert response["Retry-After"], label
    return answers


def _check_down(answers: dict, up: dict, state: str) -> None:
    for label, (status, seconds, limited) in answers.items():
        assert status < 500 or (label in NEED_REDIS and status == 503), (state, label, status)
        assert seconds < BOUND_SECONDS, (state, label, seconds)
        assert not limited, (state, label)  # fail open: not counted
    assert {label: answers[label][0] for label in NEED_REDIS} == dict.fromkeys(NEED_REDIS, 503), state
    rest = {label: answer[0] for label, answer in answers.items() if label not in NEED_REDIS}
    assert rest == {label: answer[0] for label, answer in up.items() if label not in NEED_REDIS}, state


def test_every_route_answers_with_redis_stopped_or_hung_and_recovers(
    own_redis, calls, django_capture_on_commit_callbacks
):
    up = _answers(calls, django_capture_on_commit_callbacks)
    assert all(status < 500 for status, _, _ in up.values()), up
    assert up["list"][2] and up["ticket log"][2]  # rate limits counted while Redis is up
    assert up["staff login"][0] == up["admin login"][0] == 200  # a wrong password, counted
    assert up["jira webhook"][0] == up["github webhook"][0] == 202 and up["readyz"][0] == 200

    own_redis.pause()
    try:
        _check_down(_answers(calls, django_capture_on_commit_callbacks), up, "hung")
    finally:
        own_redis.resume()
    own_redis.stop()
    _check_down(_answers(calls, django_capture_on_commit_callbacks), up, "stopped")
    assert RefreshRequest.objects.filter(kind="ticket").exists()  # the writes' refreshes wait in the outbox

    own_redis.start()
    again = _answers(calls, django_capture_on_commit_callbacks)
    assert {label: answer[0] for label, answer in again.items()} == {label: answer[0] for label, answer in up.items()}
    assert again["list"][2] and again["ticket log"][2]
