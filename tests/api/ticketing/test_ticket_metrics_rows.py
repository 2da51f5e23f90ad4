"""Every ticket gets its per-ticket metrics row, whichever Ticketing write made or changed it: a
ticket created without assignee or status (no history at all) included. The refresh runs after
commit; the test runs the commit callbacks (Celery is eager under test)."""

import pytest

from metrics.models import TicketMetrics
from tests.api.ticketing.conftest import HELPER, TICKETS, create
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _metrics(ticket_uuid) -> TicketMetrics:
    return TicketMetrics.objects.get(ticket=Ticket.objects.get(uuid=ticket_uuid))


@pytest.mark.parametrize(
    "fields",
    [{}, {"assignee": HELPER}, {"status": "Started"}, {"assignee": HELPER, "status": "Started"}],
    ids=["bare", "assigned", "with status", "assigned with status"],
)
def test_a_created_ticket_has_its_metrics_row(
    ticketing, instance, helper, clock, django_capture_on_commit_callbacks, fields
):
    with django_capture_on_commit_callbacks(execute=True):
        response = create(ticketing, fields)
    assert response.status_code == 201, response.content

    metrics = _metrics(response.json()["item"]["id"])
    assert metrics.transitions == (1 if "status" in fields else 0)
    if not fields:  # what the ticket log showed as null for such a ticket
        assert (metrics.transitions, metrics.jitter, metrics.queue_time_seconds) == (0, 0, 0)


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("put", "", {"ticket": {"description": "More detail"}}),
        ("post", "/status", {"status": "Started"}),
        ("post", "/comments", {"comment": "On it", "user": HELPER}),
        ("post", "/activities", {"comment": "On it", "user": HELPER}),
    ],
    ids=["update", "status change", "comment", "activity"],
)
def test_every_write_leaves_the_ticket_with_its_metrics_row(
    ticketing, instance, helper, clock, django_capture_on_commit_callbacks, method, suffix, body
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = create(ticketing).json()["item"]["id"]
    TicketMetrics.objects.all().delete()  # as if the creation's refresh never ran

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(ticketing, method)(f"{TICKETS}/{ticket}{suffix}", body, format="json")
    assert response.status_code in (200, 201), response.content

    assert _metrics(ticket).computed_at is not None
