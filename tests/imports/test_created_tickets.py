"""Tickets an import creates get their derived values from the history the import has in hand:
the same values a refresh derives from the stored history, without reading that history back."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.demo.bundle import demo_bundle
from imports.services import bundle_import
from metrics.models import StatusInterval, StatusTransition, TicketCredit, TicketMetrics
from metrics.services import ticket_metrics_refresh
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

DERIVED_COLUMNS = {
    TicketMetrics: [field.attname for field in TicketMetrics._meta.concrete_fields if field.attname != "id"],
    StatusInterval: ["ticket_id", "status_id", "started_at", "ended_at"],
    StatusTransition: ["ticket_id", "from_status_id", "to_status_id", "at", "is_backflow"],
    TicketCredit: ["ticket_id", "person_id"],
}


def derived_rows() -> dict:
    rows = {model: sorted(model.objects.values_list(*columns), key=repr) for model, columns in DERIVED_COLUMNS.items()}
    rows[Ticket] = sorted(Ticket.objects.values_list("id", "state", "sprint_id"))
    return rows


def test_the_values_of_created_tickets_are_those_a_refresh_derives():
    summary = bundle_import(data=demo_bundle(tickets=300, seed=7, slug="created", today=date(2026, 6, 1)))
    assert summary.tickets_refreshed == 300
    imported = derived_rows()
    assert len(imported[TicketMetrics]) == 300
    assert all(len(imported[model]) > 300 for model in (StatusInterval, StatusTransition))
    (computed_at,) = set(TicketMetrics.objects.values_list("computed_at", flat=True))

    ticket_metrics_refresh(ticket_ids=Ticket.objects.values_list("id", flat=True), now=computed_at)

    assert derived_rows() == imported


def test_created_tickets_are_derived_without_reading_their_history_back():
    bundle = demo_bundle(tickets=50, seed=3, slug="unread", today=date(2026, 6, 1))
    table = f'FROM "{TicketEvent._meta.db_table}"'

    with CaptureQueriesContext(connection) as queries:
        bundle_import(data=bundle)

    assert TicketMetrics.objects.count() == 50
    assert [query["sql"] for query in queries.captured_queries if table in query["sql"]] == []
