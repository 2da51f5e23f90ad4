"""The broker down while Ticketing writes arrive: each write answers as usual (its refresh request
commits with it, in the outbox) and the refresh is done once a worker drains the outbox. In this
process, against a broker address nothing listens on; tests/metrics/test_outages_worker.py does the
same with a real Redis stopped and started again and a real worker."""

import pytest

from metrics.models import RefreshRequest, TicketMetrics
from metrics.tasks import drain_refresh_requests
from tests.api.ticketing.conftest import HELPER, TICKETS, create
from tests.support.processes import celery_broker, free_port
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
WRITES = 20


def test_writes_answer_while_the_broker_is_down_and_are_refreshed_after(
    ticketing, instance, helper, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # Celery is eager here: refreshed at once
        ticket_id = create(ticketing).json()["item"]["id"]
        ticketing.post(f"{TICKETS}/{ticket_id}/status", {"status": "Started", "user": HELPER}, format="json")
    ticket = Ticket.objects.get(uuid=ticket_id)
    assert TicketMetrics.objects.get(ticket=ticket).jitter_comments == 0

    statuses = []
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        for number in range(WRITES):
            clock.advance(minutes=1)
            with django_capture_on_commit_callbacks(execute=True):  # the commit's publish, which fails
                response = ticketing.post(
                    f"{TICKETS}/{ticket_id}/comments", {"comment": f"note {number}", "user": HELPER}, format="json"
                )
            statuses.append(response.status_code)

    assert statuses == [201] * WRITES
    assert ticket.events.filter(kind="comment").count() == WRITES  # each write once
    assert list(RefreshRequest.objects.values_list("kind", "target_id")) == [("ticket", ticket.id)]
    assert TicketMetrics.objects.get(ticket=ticket).jitter_comments == 0  # not refreshed yet

    drain_refresh_requests.apply()  # the broker is back: beat's sweep (or the next write's kick)

    assert not RefreshRequest.objects.exists()
    assert TicketMetrics.objects.get(ticket=ticket).jitter_comments == WRITES
