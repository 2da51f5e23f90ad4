"""Help desks with tickets whose history is written through the real write path."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from tests.factories import PersonFactory, ProjectFactory, TicketFactory
from tests.ticketing.conftest import helpdesk_workflow
from tickets.models import Helper, TicketEvent
from tickets.services import ticket_event_append

NOW = datetime(2024, 6, 10, 12, tzinfo=UTC)
STATUS, COMMENT, ASSIGNEE = TicketEvent.Kind.STATUS, TicketEvent.Kind.COMMENT, TicketEvent.Kind.ASSIGNEE


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


class Desk:
    """A help desk: its project, workflow statuses by name, and people."""

    def __init__(self, organization, key="HD"):
        self.project = ProjectFactory(organization=organization, key=key, name=f"Desk {key}", kind="helpdesk")
        self.statuses = helpdesk_workflow(self.project)

    def helper(self, name, slack_id=""):
        person = PersonFactory(organization=self.project.organization, name=name, slack_id=slack_id)
        Helper.objects.create(organization=self.project.organization, project=self.project, person=person)
        return person

    def ticket(self, *, created, reporter=None, history=(), **fields):
        """`history`: (time, kind, value, actor) with kind status (a status name), comment (body) or
        assignee (a person)."""
        ticket = TicketFactory(
            project=self.project, created_at=created, updated_at=created, status=self.statuses["Open"],
            state="not_started", reporter=reporter, **fields,
        )  # fmt: skip
        for at, kind, value, actor in history:
            extra = {}
            if kind == STATUS:
                extra["to_status"] = self.statuses[value]
            elif kind == COMMENT:
                extra["body"] = value
            else:
                extra["to_person"] = value
            ticket_event_append(ticket=ticket, kind=kind, at=at, actor=actor, **extra)
        ticket.refresh_from_db()
        return ticket
