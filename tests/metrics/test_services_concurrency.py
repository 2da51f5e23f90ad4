"""Concurrent refreshes (PostgreSQL, real transactions): refreshes of one ticket committing at once
and a refresh during the nightly rebuild neither collide nor leave stale values."""

import threading

import pytest
from django.db import connection, connections, transaction

from metrics.models import StatusInterval, TicketMetrics
from metrics.services import organization_metrics_rebuild, ticket_metrics_refresh
from tests.conftest import require_service
from tests.support.history import at, ticket_with_history
from tickets.models import TicketEvent
from tickets.services.history import ticket_event_append

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 6
STATUS = TicketEvent.Kind.STATUS


@pytest.fixture(autouse=True)
def _postgres_only():
    require_service(connection.vendor == "postgresql", "PostgreSQL")


def run_together(calls) -> list[BaseException | None]:
    """Run the calls in threads released at once; the exception each raised, or None."""
    barrier, errors = threading.Barrier(len(calls)), [None] * len(calls)

    def work(index):
        try:
            barrier.wait()
            calls[index]()
        except BaseException as error:  # reported to the test
            errors[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def ticket(project, workflow):
    return ticket_with_history(project=project, history=[(1, STATUS, workflow["In Progress"])])


def test_refreshes_of_one_ticket_at_once_all_succeed(ticket):
    errors = run_together([lambda: ticket_metrics_refresh(ticket_ids=[ticket.id])] * THREADS)
    assert errors == [None] * THREADS
    assert TicketMetrics.objects.filter(ticket=ticket).count() == 1
    assert StatusInterval.objects.filter(ticket=ticket).count() == 2  # the initial status, then In Progress


def test_a_refresh_during_the_rebuild_waits_and_sees_the_newest_history(ticket, organization, workflow):
    rebuilding, appended = threading.Event(), threading.Event()

    def rebuild():
        with transaction.atomic():
            organization_metrics_rebuild(organization_id=organization.id)
            rebuilding.set()
            appended.wait(timeout=10)  # the append commits while the rebuild is still open

    def append_then_refresh():
        rebuilding.wait(timeout=10)
        with transaction.atomic():
            transaction.on_commit(appended.set)  # before the refresh the append schedules on commit
            ticket_event_append(ticket=ticket, kind=STATUS, at=at(5), to_status=workflow["Done"])
        # the append's own refresh ran on commit: it waited for the rebuild, then re-derived

    assert run_together([rebuild, append_then_refresh]) == [None, None]
    metrics = TicketMetrics.objects.get(ticket=ticket)
    assert metrics.done_at == at(5)
    assert metrics.cycle_time_seconds == 4 * 3600
