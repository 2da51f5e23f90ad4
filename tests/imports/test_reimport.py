"""Re-importing: a ticket an import wrote from the same bundle ticket, untouched since, is skipped
by its digest; a ticket changed since, by the bundle or by anything else, is compared in full."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.services import bundle_import
from tickets.models import Ticket, TicketEvent
from tickets.services.history import ticket_event_append

pytestmark = pytest.mark.django_db

EXAMPLE_BUNDLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "example-bundle.json"


def spec_bundle() -> dict:
    return json.loads(EXAMPLE_BUNDLE.read_text())


def history_reads(queries: CaptureQueriesContext) -> list[str]:
    """Queries that read history rows (not those that only name the table, such as its row estimate)."""
    table = f'FROM "{TicketEvent._meta.db_table}"'
    return [query["sql"] for query in queries.captured_queries if table in query["sql"]]


def test_an_unchanged_ticket_is_skipped_without_reading_its_history():
    bundle_import(data=spec_bundle())

    with CaptureQueriesContext(connection) as queries:
        summary = bundle_import(data=spec_bundle())

    assert not summary.changed
    assert str(summary.counts["tickets"]) == "0 created, 0 updated, 1 unchanged"
    assert str(summary.counts["ticket events"]) == "0 created, 0 updated, 7 unchanged"
    assert history_reads(queries) == []


def test_a_ticket_changed_in_the_bundle_is_compared_and_its_digest_follows():
    bundle = spec_bundle()
    bundle_import(data=bundle)
    first_digest = Ticket.objects.get(id=9001).import_digest
    bundle["tickets"][0]["title"] = "Renamed"

    summary = bundle_import(data=bundle)

    ticket = Ticket.objects.get(id=9001)
    assert summary.counts["tickets"].updated == 1 and ticket.title == "Renamed"
    assert ticket.import_digest not in ("", first_digest)
    assert not bundle_import(data=bundle).changed


def test_a_ticket_changed_outside_the_import_gets_the_bundle_values_back():
    bundle_import(data=spec_bundle())
    ticket = Ticket.objects.get(id=9001)
    ticket_event_append(ticket=ticket, kind=TicketEvent.Kind.COMMENT, at=datetime(2024, 7, 1, tzinfo=UTC), body="hi")
    assert Ticket.objects.get(id=9001).import_digest == ""

    summary = bundle_import(data=spec_bundle())

    assert (summary.counts["ticket events"].created, summary.counts["ticket events"].deleted) == (0, 1)
    assert TicketEvent.objects.filter(ticket_id=9001).count() == 7
    assert Ticket.objects.get(id=9001).import_digest != ""


def test_a_save_of_a_ticket_clears_its_digest():
    bundle_import(data=spec_bundle())
    ticket = Ticket.objects.get(id=9001)

    ticket.title = "Edited in the admin"
    ticket.save(update_fields=["title"])

    assert Ticket.objects.get(id=9001).import_digest == ""
    bundle_import(data=spec_bundle())
    assert Ticket.objects.get(id=9001).title == spec_bundle()["tickets"][0]["title"]


def test_a_changed_project_helper_list_makes_its_tickets_compared_again():
    bundle = spec_bundle()
    bundle_import(data=bundle)
    digest = Ticket.objects.get(id=9001).import_digest
    bundle["projects"][0]["helpers"] = [1001]

    bundle_import(data=bundle)

    assert Ticket.objects.get(id=9001).import_digest != digest
