"""The webhook (X-Hub-Signature-256, refresh of the pull request named) and the admin (token never
shown, test-connection action)."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from coding.models import PullRequest
from common.api.parsers import MAX_JSON_DEPTH
from connectors.github.models import GitHubConnection
from connectors.services import connection_run
from tests.common.test_parsers import deep_text
from tests.connectors.github.conftest import make_connection
from tests.connectors.github.fake_github import REPOSITORY, corpus_pulls
from tests.connectors.github.rows import written_rows
from tests.support.factories import UserFactory
from tests.support.processes import UNREACHABLE_BROKER, celery_broker

pytestmark = pytest.mark.django_db


def sign(secret: str, payload: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def webhook(connection, body: dict, *, event: str = "pull_request", signature: str | None = None):
    payload = json.dumps(body).encode()
    headers = {"HTTP_X_GITHUB_EVENT": event}
    headers["HTTP_X_HUB_SIGNATURE_256"] = (
        signature if signature is not None else sign(connection.webhook_secret, payload)
    )
    return Client().post(
        f"/connectors/github/{connection.pk}/webhook", payload, content_type="application/json", **headers
    )


def renamed(github, number: int, title: str) -> None:
    pulls = corpus_pulls()
    github.saved._cache["pulls.json"] = [
        {**pull, "title": title, "updated_at": "2030-01-01T00:00:00Z"} if pull["number"] == number else pull
        for pull in pulls
    ]


def pull_request_event(number: int) -> dict:
    return {"action": "edited", "number": number, "pull_request": {"number": number},
            "repository": {"full_name": REPOSITORY}}  # fmt: skip


def test_a_good_signature_refreshes_that_pull_request(github, connection):
    assert connection_run(source_name="github", connection_id=connection.pk).error == ""
    number = corpus_pulls()[0]["number"]
    renamed(github, number, "Fixed by webhook")
    github.requests.clear()

    response = webhook(connection, pull_request_event(number))

    assert response.status_code == 202 and response.json() == {"queued": [f"{REPOSITORY}#{number}"]}
    assert PullRequest.objects.get(number=number).title == "Fixed by webhook"
    assert {request.path for request in github.requests} == {
        f"/repos/{REPOSITORY}/pulls/{number}", f"/repos/{REPOSITORY}/pulls/{number}/reviews",
        f"/repos/{REPOSITORY}/pulls/{number}/commits",
    }  # fmt: skip
    connection.refresh_from_db()
    assert connection.locked_until is None


@pytest.mark.parametrize("signature", ["", "sha256=00", "sha1=abc"])
def test_a_bad_signature_is_a_401_and_writes_nothing(github, connection, signature):
    assert connection_run(source_name="github", connection_id=connection.pk).error == ""
    number = corpus_pulls()[0]["number"]
    renamed(github, number, "Must not arrive")
    before = written_rows(connection.organization)
    github.requests.clear()

    response = webhook(connection, pull_request_event(number), signature=signature)

    assert response.status_code == 401
    assert not github.requests
    assert written_rows(connection.organization) == before


def test_a_signature_made_with_another_secret_is_a_401(github, connection):
    payload = json.dumps(pull_request_event(1)).encode()
    response = webhook(connection, pull_request_event(1), signature=sign("another secret", payload))
    assert response.status_code == 401


def test_events_of_other_repositories_and_pings_are_acknowledged_without_work(github, connection):
    body = {**pull_request_event(1), "repository": {"full_name": "someone/else"}}
    assert webhook(connection, body).status_code == 202
    assert webhook(connection, {"zen": "hi"}, event="ping").status_code == 200
    assert not github.requests


def test_a_workflow_run_event_queues_a_run(github, connection):
    response = webhook(connection, {"repository": {"full_name": REPOSITORY}}, event="workflow_run")
    assert response.status_code == 202
    assert PullRequest.objects.filter(organization=connection.organization).count() == len(corpus_pulls())


def signed_post(connection, text: str, event: str = "pull_request"):
    """POSTs `text` to the webhook with a valid X-Hub-Signature-256."""
    return Client().post(
        f"/connectors/github/{connection.pk}/webhook", text, content_type="application/json",
        HTTP_X_GITHUB_EVENT=event, HTTP_X_HUB_SIGNATURE_256=sign(connection.webhook_secret, text.encode()),
    )  # fmt: skip


def nested_body(lists: int) -> str:
    """An event of a repository the connection does not read, with `lists` nested lists inside its
    top-level object."""
    return json.dumps({"repository": {"full_name": "someone/else"}, "deep": "DEEP"}).replace(
        '"DEEP"', deep_text(lists)
    )


@pytest.mark.parametrize("lists", [MAX_JSON_DEPTH, 1000, 5000])
def test_a_signed_body_nested_too_deep_is_a_400(github, connection, lists):
    response = signed_post(connection, nested_body(lists))
    assert response.status_code == 400
    assert response.json() == {"detail": f"The body nests deeper than {MAX_JSON_DEPTH} levels."}
    assert not github.requests


def test_a_signed_body_exactly_as_deep_as_allowed_is_accepted(github, connection):
    response = signed_post(connection, nested_body(MAX_JSON_DEPTH - 1))
    assert response.status_code == 202 and response.json() == {"queued": []}


def test_a_signed_body_that_is_not_json_is_a_400(github, connection):
    response = signed_post(connection, "nope")
    assert response.status_code == 400 and response.json() == {"detail": "The body is not JSON."}


@pytest.fixture
def admin_client(connection):
    client = Client()
    client.force_login(UserFactory(organization=connection.organization, is_staff=True, is_superuser=True))
    return client


def test_admin_never_shows_the_token_and_keeps_it_when_left_empty(admin_client, connection, github):
    url = f"/admin/github_connector/githubconnection/{connection.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200 and github.token.encode() not in page.content
    assert connection.webhook_secret.encode() not in page.content

    form = {
        "organization": connection.organization_id, "name": connection.name, "enabled": "on",
        "sync_interval_minutes": 30, "api_url": github.url, "token": "", "repositories": REPOSITORY,
        "deployment_source": "workflow_runs", "deployment_workflow_pattern": "deploy*",
        "deployment_branches": "main", "deployment_environment": "production", "ticket_project_key": "",
        "in_progress_label": "", "webhook_secret": "",
    }  # fmt: skip
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content
    saved = GitHubConnection.objects.get(pk=connection.pk)
    assert saved.token == github.token and saved.sync_interval_minutes == 30
    assert saved.webhook_secret == connection.webhook_secret

    bad = admin_client.post(url, {**form, "repositories": "not a repository"})
    assert bad.status_code == 200 and b"owner/name" in bad.content


def test_admin_test_connection_reports_the_answer_in_words(admin_client, connection, github):
    bad = make_connection(github, organization=connection.organization, name="bad", token="nope")
    response = admin_client.post(
        "/admin/github_connector/githubconnection/",
        {"action": "test_connection", "_selected_action": [connection.pk, bad.pk]},
        follow=True,
    )
    text = " ".join(str(message) for message in response.context["messages"])
    assert f"ants: connected to {github.url} as saved-files; can read {REPOSITORY}." in text
    assert "bad: GET /user: HTTP 401" in text


@pytest.mark.parametrize("event", ["pull_request", "workflow_run"])
def test_a_webhook_with_the_broker_unreachable_is_a_quick_503_that_writes_nothing(github, connection, event):
    started = time.monotonic()
    with celery_broker(UNREACHABLE_BROKER):
        response = webhook(connection, pull_request_event(1), event=event)

    assert response.status_code == 503 and int(response["Retry-After"]) > 0, response.content
    assert time.monotonic() - started < 2
    assert not PullRequest.objects.exists()
