"""Build tickets with history through the real write service."""

from datetime import UTC, datetime, timedelta

from django.test import TestCase

from tickets.models import TicketEvent
from tickets.services import ticket_event_append

from .factories import TicketFactory

BASE = datetime(2024, 6, 1, 10, tzinfo=UTC)


def at(hours: float) -> datetime:
    return BASE + timedelta(hours=hours)


def ticket_with_history(*, project, history=(), initial=None, **fields):
    """`history`: (hours after BASE, kind, value) with kind status (a Status), assignee (a Person
    or None), comment / description_edit (value ignored)."""
    ticket = TicketFactory(project=project, created_at=BASE, updated_at=BASE, **fields)
    if initial is not None:
        ticket.status, ticket.state = initial, initial.mapped.display_state
        ticket.save()
    else:
        ticket.state = ticket.status.mapped.display_state
        ticket.save()
    # Tests run inside a transaction; run the after-commit metric refreshes as a commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        for hours, kind, value in history:
            extra = {}
            if kind == TicketEvent.Kind.STATUS:
                extra["to_status"] = value
            elif kind == TicketEvent.Kind.ASSIGNEE:
                extra["to_person"] = value
            ticket_event_append(ticket=ticket, kind=kind, at=at(hours), **extra)
    ticket.refresh_from_db()
    return ticket
