"""The webhook (shared secret, refresh of the changed issue) and the admin (token never shown,
test-connection action)."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from common.api.parsers import MAX_JSON_DEPTH
from connectors.jira.models import JiraConnection
from connectors.services import connection_run
from tests.common.test_parsers import deep_text
from tests.connectors.jira.conftest import make_connection
from tests.support.factories import UserFactory
from tests.support.processes import UNREACHABLE_BROKER, celery_broker
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def webhook(connection, body: dict, **extra):
    payload = json.dumps(body)
    return Client().post(
        f"/connectors/jira/{connection.pk}/webhook", payload, content_type="application/json", **extra
    )


def test_webhook_refreshes_the_changed_issue_at_once(jira, connection):
    connection_run(source_name="jira", connection_id=connection.pk)
    jira.move("K5-3", to_status={"id": "3", "name": "In Progress"}, at="2030-01-02T10:00:00.000+0800",
              author_id="5e9711ba34f7b90c0fbc37d3")  # fmt: skip
    before = TicketEvent.objects.count()
    body = {"webhookEvent": "jira:issue_updated", "issue": {"id": jira.issue("K5-3")["id"], "key": "K5-3"}}

    response = webhook(connection, body, HTTP_X_TALLY_WEBHOOK_SECRET=connection.webhook_secret)

    assert response.status_code == 202 and response.json() == {"queued": ["K5-3"]}
    assert TicketEvent.objects.count() == before + 1
    assert Ticket.objects.get(key="K5-3").state == "active"
    searched = [r for r in jira.requests if r.path.endswith("/search/jql")][-1]
    assert f"id in ({jira.issue('K5-3')['id']})" in searched.query["jql"][0]
    connection.refresh_from_db()
    assert connection.locked_until is None


def test_webhook_accepts_jira_cloud_signatures(jira, connection):
    body = {"webhookEvent": "jira:issue_deleted", "issue": {"id": "1", "key": "EE-1"}}
    signature = hmac.new(connection.webhook_secret.encode(), json.dumps(body).encode(), hashlib.sha256).hexdigest()
    assert webhook(connection, body, HTTP_X_HUB_SIGNATURE=f"sha256={signature}").status_code == 202
    assert webhook(connection, body, HTTP_X_HUB_SIGNATURE="sha256=00").status_code == 403


@pytest.mark.parametrize("secret", [None, "wrong"])
def test_webhook_rejects_a_missing_or_wrong_secret(jira, connection, secret):
    extra = {"HTTP_X_TALLY_WEBHOOK_SECRET": secret} if secret else {}
    response = webhook(connection, {"issue": {"id": "10063"}}, **extra)
    assert response.status_code == 403
    assert not jira.requests


def test_webhook_rejects_bodies_that_are_not_json_objects(jira, connection):
    url = f"/connectors/jira/{connection.pk}/webhook?secret={connection.webhook_secret}"
    assert Client().post(url, "nope", content_type="application/json").status_code == 400
    assert Client().post(url, "[1]", content_type="application/json").status_code == 400


def signed_post(connection, text: str):
    """POSTs `text` to the webhook with a valid Jira Cloud X-Hub-Signature."""
    signature = hmac.new(connection.webhook_secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    return Client().post(
        f"/connectors/jira/{connection.pk}/webhook", text, content_type="application/json",
        HTTP_X_HUB_SIGNATURE=f"sha256={signature}",
    )  # fmt: skip


def nested_body(lists: int) -> str:
    """An ignored issue event with `lists` nested lists inside its top-level object."""
    body = {"webhookEvent": "jira:issue_deleted", "issue": {"id": "1", "key": "EE-1"}, "deep": "DEEP"}
    return json.dumps(body).replace('"DEEP"', deep_text(lists))


@pytest.mark.parametrize("lists", [MAX_JSON_DEPTH, 1000, 5000])
def test_webhook_answers_400_for_a_signed_body_nested_too_deep(jira, connection, lists):
    response = signed_post(connection, nested_body(lists))
    assert response.status_code == 400
    assert response.json() == {"detail": f"The body nests deeper than {MAX_JSON_DEPTH} levels."}
    assert not jira.requests


def test_webhook_accepts_a_signed_body_exactly_as_deep_as_allowed(jira, connection):
    response = signed_post(connection, nested_body(MAX_JSON_DEPTH - 1))
    assert response.status_code == 202 and response.json() == {"queued": []}


def test_webhook_answers_400_for_a_signed_body_that_is_not_json(jira, connection):
    response = signed_post(connection, "nope")
    assert response.status_code == 400 and response.json() == {"detail": "The body is not JSON."}


def test_webhook_secret_is_encrypted_too(connection):
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute("SELECT webhook_secret FROM jira_connector_jiraconnection WHERE id = %s", [connection.pk])
        (stored,) = cursor.fetchone()
    assert connection.webhook_secret and connection.webhook_secret not in stored


@pytest.fixture
def admin_client(connection):
    client = Client()
    client.force_login(UserFactory(organization=connection.organization, is_staff=True, is_superuser=True))
    return client


def test_admin_never_shows_the_token_and_keeps_it_when_left_empty(admin_client, connection, jira):
    url = f"/admin/jira_connector/jiraconnection/{connection.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert jira.token.encode() not in page.content
    assert page.content.count(connection.webhook_secret.encode()) == 1  # only inside the webhook URL to give Jira

    form = {
        "organization": connection.organization_id, "name": connection.name, "enabled": "on",
        "sync_interval_minutes": 30, "flavour": "cloud", "site_url": jira.url, "email": jira.email, "token": "",
        "jql": "", "project_keys": "EE", "board_ids": "8", "overlap_minutes": 10, "story_points_field": "",
        "cancel_resolutions": '["Won\'t Do"]', "webhook_secret": "",
    }  # fmt: skip
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content
    saved = JiraConnection.objects.get(pk=connection.pk)
    assert saved.token == jira.token and saved.sync_interval_minutes == 30
    assert saved.webhook_secret == connection.webhook_secret


def test_admin_test_connection_reports_the_answer_in_words(admin_client, connection, jira):
    bad = make_connection(jira, organization=connection.organization, name="bad", token="nope")
    response = admin_client.post(
        "/admin/jira_connector/jiraconnection/",
        {"action": "test_connection", "_selected_action": [connection.pk, bad.pk]},
        follow=True,
    )
    text = " ".join(str(message) for message in response.context["messages"])
    assert f"{connection.name}: connected to {jira.url} as Sync Bot." in text
    assert "bad: GET /rest/api/3/myself: HTTP 401" in text


def test_admin_lists_unmapped_statuses(admin_client, connection):
    connection_run(source_name="jira", connection_id=connection.pk)
    page = admin_client.get(f"/admin/jira_connector/jiraconnection/{connection.pk}/change/").content.decode()
    assert "EE · Resolved (id 5)" in page and "EE · To Do (id 10000)" in page


def test_webhook_with_the_broker_unreachable_is_a_quick_503_that_writes_nothing(jira, connection):
    body = {"webhookEvent": "jira:issue_updated", "issue": {"id": jira.issue("K5-3")["id"], "key": "K5-3"}}
    started = time.monotonic()
    with celery_broker(UNREACHABLE_BROKER):
        response = webhook(connection, body, HTTP_X_TALLY_WEBHOOK_SECRET=connection.webhook_secret)

    assert response.status_code == 503 and int(response["Retry-After"]) > 0, response.content
    assert time.monotonic() - started < 2
    assert not Ticket.objects.exists()
