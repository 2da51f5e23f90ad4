"""Concurrent writers (PostgreSQL, real transactions): numbers stay unique, one Idempotency-Key
makes one ticket, no comment is lost."""

import threading

import pytest
from django.db import connection, connections

from tests.api.ticketing.conftest import HELPER, TICKETS, create
from tests.conftest import require_service
from tests.support.factories import bearer_client
from tickets.models import Ticket, TicketEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 6


@pytest.fixture(autouse=True)
def _postgres_only(settings):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    settings.RATELIMIT_ENABLE = False


def run_together(call) -> list:
    """Run `call()` in THREADS threads released at once; their results in thread order."""
    barrier, results = threading.Barrier(THREADS), [None] * THREADS

    def work(index):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_creates_get_distinct_numbers(instance, primary_key):
    responses = run_together(lambda: create(bearer_client(primary_key)))
    assert [r.status_code for r in responses] == [201] * THREADS
    assert sorted(Ticket.objects.values_list("number", flat=True)) == list(range(1, THREADS + 1))


def test_one_idempotency_key_sent_at_once_makes_one_ticket(instance, primary_key):
    responses = run_together(lambda: create(bearer_client(primary_key), HTTP_IDEMPOTENCY_KEY="same"))
    assert [r.status_code for r in responses] == [201] * THREADS
    assert len({r.json()["item"]["id"] for r in responses}) == 1
    assert Ticket.objects.count() == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == THREADS - 1


def test_concurrent_comments_are_all_kept(instance, primary_key, helper, monkeypatch):
    ticket_id = create(bearer_client(primary_key)).json()["item"]["id"]
    # History only: two metric refreshes of one ticket committing at once collide in
    # metrics.services (reported separately), which is not what this test is about.
    monkeypatch.setattr("metrics.signals.schedule_ticket_refresh", lambda ticket_id: None)
    comment = {"comment": "me too", "user": HELPER}
    responses = run_together(
        lambda: bearer_client(primary_key).post(f"{TICKETS}/{ticket_id}/comments", comment, format="json")
    )
    assert [r.status_code for r in responses] == [201] * THREADS
    assert TicketEvent.objects.filter(kind="comment").count() == THREADS
