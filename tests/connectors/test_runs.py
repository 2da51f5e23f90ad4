"""Running connections: the lock, the schedule (beat task), the recorded outcome."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors import registry
from connectors.jira.models import JiraConnection
from connectors.services import connection_lock_acquire, connection_lock_release, due_connections
from connectors.tasks import sync_due_connections
from tests.support.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def connection(name: str, **fields) -> JiraConnection:
    organization = OrganizationFactory()
    return JiraConnection.objects.create(
        organization=organization, name=name, site_url="https://x.invalid", email="a@b.c", project_keys="EE", **fields
    )


def test_jira_registers_itself():
    assert registry.source("jira").connection_model is JiraConnection
    with pytest.raises(LookupError, match="unknown connector source 'nope'"):
        registry.source("nope")


def test_the_lock_admits_one_run_and_expires():
    target = connection("one")
    assert connection_lock_acquire(connection=target)
    assert not connection_lock_acquire(connection=target)
    connection_lock_release(connection=target)
    assert connection_lock_acquire(connection=target, seconds=-1)  # a crashed run's lock has expired
    assert connection_lock_acquire(connection=target)


def test_due_connections_follow_their_interval():
    now = timezone.now()
    never = connection("never-run")
    recent = connection("recent", last_run_started_at=now - timedelta(minutes=5), sync_interval_minutes=15)
    overdue = connection("overdue", last_run_started_at=now - timedelta(minutes=16), sync_interval_minutes=15)
    connection("disabled", enabled=False)

    assert due_connections() == [("jira", never.id), ("jira", overdue.id)]
    assert recent.is_due(now=now + timedelta(minutes=11))


def test_beat_task_queues_a_run_per_due_connection(monkeypatch):
    ran = []
    monkeypatch.setattr(
        "connectors.services.connection_run",
        lambda **kwargs: ran.append(kwargs) or type("O", (), {"ran": True, "error": "", "counts": {}})(),
    )
    first, second = connection("a"), connection("b")
    assert sync_due_connections.delay().get() == 2
    assert [(r["source_name"], r["connection_id"]) for r in ran] == [("jira", first.id), ("jira", second.id)]


def test_an_unexpected_error_is_recorded_and_releases_the_lock(monkeypatch):
    from connectors.services import connection_run

    target = connection("crashing")

    def crash(**kwargs):
        raise RuntimeError("token=abc")

    monkeypatch.setitem(registry._SOURCES, "jira", registry.Source("jira", JiraConnection, crash))
    with pytest.raises(RuntimeError):
        connection_run(source_name="jira", connection_id=target.pk)
    target.refresh_from_db()
    assert target.last_error == "unexpected error (RuntimeError); see the server log"
    assert target.locked_until is None
