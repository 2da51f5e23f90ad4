"""Tickets in the admin: a change made there (its creation time, its work type, ...) re-derives
the ticket's stored values, as every other write path does. Adding a ticket is not offered:
tickets come with their history, from an import, a connector or the Ticketing API."""

from datetime import UTC, datetime

import pytest

from metrics.models import TicketMetrics
from tests.support.factories import ProjectFactory, TicketFactory, UserFactory, standard_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, organization):
    client.force_login(UserFactory(organization=organization, is_staff=True, is_superuser=True))
    return client


def test_a_ticket_changed_in_the_admin_gets_its_derived_values(
    admin_client, organization, django_capture_on_commit_callbacks
):
    project = ProjectFactory(organization=organization, key="CORE")
    standard_workflow(project)
    ticket = TicketFactory(project=project, key="CORE-1")
    assert not TicketMetrics.objects.filter(ticket=ticket).exists()
    page = admin_client.get(f"/admin/tickets/ticket/{ticket.id}/change/")
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(
        {
            "project": project.id, "title": "Renamed", "labels": "[]", "custom_fields": "{}",
            "created_at_0": "2024-05-01", "created_at_1": "09:00:00",
            "updated_at_0": "2024-06-01", "updated_at_1": "10:00:00",
            "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
        }
    )  # fmt: skip
    for name in ("expected_at", "resolved_at", "first_helper_response_at", "closed_at", "last_message_at"):
        data.pop(name, None)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/tickets/ticket/{ticket.id}/change/", data)

    assert response.status_code == 302, response.context["errors"]
    ticket.refresh_from_db()
    assert ticket.created_at == datetime(2024, 5, 1, 9, tzinfo=UTC)
    assert TicketMetrics.objects.get(ticket=ticket).computed_at is not None


def test_adding_a_ticket_is_not_offered(admin_client):
    assert admin_client.get("/admin/tickets/ticket/add/").status_code == 403
