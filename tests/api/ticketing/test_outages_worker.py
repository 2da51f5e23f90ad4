"""Outages with a real Celery worker: the test's own Redis (broker and the worker's cache) on a
port of its own, the worker a `celery -A config worker` process on the test's PostgreSQL database.

- The broker stopped during 20 Ticketing writes (after the fifth): 20 answers 2xx, each write
  stored once, and the refresh is done by the worker after the broker returns.
- The worker SIGKILLed in the middle of the nightly rebuild: the message was not acknowledged, so
  the restarted worker gets it again and the rebuild completes.
"""

import psycopg
import pytest
from django.db import connection

from accounts.models import Organization
from metrics.models import RefreshRequest, TicketMetrics
from metrics.services import DERIVED_VALUES_LOCK
from metrics.tasks import drain_refresh_requests, rebuild_organization_metrics
from tests.api.ticketing.conftest import HELPER, TICKETS, create
from tests.conftest import require_service
from tests.metrics.test_tasks_worker import _database_url
from tests.support.processes import CeleryWorker, celery_broker, redis_server, redis_server_available, wait_until
from tickets.models import Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
WRITES = 20
WORKER_TIMEOUT = 60


@pytest.fixture
def outage_services(transactional_db, tmp_path):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    require_service(redis_server_available(), "redis-server")
    with redis_server(tmp_path) as server:
        worker = CeleryWorker(
            broker_url=server.url(), database_url=_database_url(), log_path=tmp_path / "worker.log",
            extra_env={"CELERY_VISIBILITY_TIMEOUT": "1"},
        )  # fmt: skip
        try:
            with celery_broker(server.url()):
                yield server, worker
        finally:
            worker.stop()


def test_writes_during_a_broker_outage_are_refreshed_when_it_returns(outage_services, ticketing, instance, helper):
    server, worker = outage_services
    worker.start()
    ticket_id = create(ticketing).json()["item"]["id"]
    assert (
        ticketing.post(
            f"{TICKETS}/{ticket_id}/status", {"status": "Started", "user": HELPER}, format="json"
        ).status_code
        == 200
    )
    ticket = Ticket.objects.get(uuid=ticket_id)
    wait_until(
        lambda: not RefreshRequest.objects.exists() and TicketMetrics.objects.filter(ticket=ticket).exists(),
        timeout=WORKER_TIMEOUT, what="the worker drains the outbox", worker=worker,
    )  # fmt: skip

    def comment(number: int) -> int:
        body = {"comment": f"note {number}", "user": HELPER}
        return ticketing.post(f"{TICKETS}/{ticket_id}/comments", body, format="json").status_code

    statuses = [comment(number) for number in range(5)]
    server.stop()  # mid-sequence: the worker may be draining the first writes' requests
    statuses += [comment(number) for number in range(5, WRITES)]
    assert statuses == [201] * WRITES
    assert ticket.events.filter(kind="comment").count() == WRITES
    assert RefreshRequest.objects.filter(kind="ticket", target_id=ticket.id).exists()

    server.start()  # the broker returns (empty: the outbox, not the queue, holds the request)
    drain_refresh_requests.apply_async(ignore_result=True)  # what beat sends every minute
    # Celery's worker sometimes exits on the lost broker connection ("Unrecoverable error" in
    # kombu's Redis transport); a supervisor restarts it (docs/operations.md), as here.
    wait_until(
        lambda: not RefreshRequest.objects.exists(),
        timeout=WORKER_TIMEOUT, what="the worker drains the outbox after the outage", worker=worker, supervised=True,
    )  # fmt: skip
    assert TicketMetrics.objects.get(ticket=ticket).jitter_comments == WRITES


def _waiting_on_an_advisory_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0] > 0


def test_a_rebuild_killed_with_its_worker_completes_after_restart(outage_services, ticketing, instance, helper):
    _, worker = outage_services
    for _ in range(3):
        create(ticketing, {"assignee": HELPER, "status": "Started"})
    organization = instance.organization
    TicketMetrics.objects.all().delete()
    RefreshRequest.objects.all().delete()

    # Another session holds the organization's derived values, so the worker's rebuild waits inside
    # its transaction: the worker is killed mid-rebuild.
    blocker = psycopg.connect(_database_url(), autocommit=True)
    try:
        blocker.execute("SELECT pg_advisory_lock(%s, %s)", [DERIVED_VALUES_LOCK, organization.id])
        worker.start()
        rebuild_organization_metrics.apply_async(args=[organization.id], ignore_result=True)
        wait_until(_waiting_on_an_advisory_lock, timeout=WORKER_TIMEOUT, what="the rebuild starts", worker=worker)
        worker.kill()
    finally:
        blocker.close()

    worker.start()  # the unacknowledged message is delivered again (after the visibility time-out)
    wait_until(
        lambda: Organization.objects.get(id=organization.id).metrics_computed_at is not None,
        timeout=WORKER_TIMEOUT, what="the rebuild completes after the restart", worker=worker,
    )  # fmt: skip
    assert TicketMetrics.objects.filter(ticket__project=instance).count() == 3
