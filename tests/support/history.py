"""The one builder of tickets with history: every event goes through the real write service
(`ticket_event_append`), so the ticket's current fields and its derived metrics are the ones
production derives."""

from datetime import UTC, datetime, timedelta

from django.test import TestCase

from tests.support.factories import TicketFactory
from tickets.models import Ticket, TicketEvent
from tickets.services.history import ticket_event_append

Kind = TicketEvent.Kind
BASE = datetime(2024, 6, 1, 10, tzinfo=UTC)


def at(hours: float) -> datetime:
    """`hours` after BASE."""
    return BASE + timedelta(hours=hours)


def _event_fields(kind: str, value, statuses: dict | None) -> dict:
    if kind == Kind.STATUS:
        return {"to_status": statuses[value] if isinstance(value, str) else value}
    if kind == Kind.ASSIGNEE:
        return {"to_person": value}
    if kind == Kind.STORY_POINTS:
        return {"to_value": value}
    if kind == Kind.SPRINT:
        sprint, action = value
        return {"sprint": sprint, "sprint_action": action}
    if kind == Kind.COMMENT and value is not None:
        return {"body": value}
    return {}


def ticket_with_history(*, project, created: datetime = BASE, history=(), initial=None, statuses=None, **fields):
    """A ticket of `project` created at `created` in status `initial` (else the factory's), then
    `history` appended in time order, with the derived metrics refreshed as after a commit.

    Each entry is `(when, kind, value)` or `(when, kind, value, actor)`: `when` a datetime, or hours
    after `created`; `value` by kind: a Status, or its name in `statuses` (status); a Person or
    None (assignee); a points string (story_points); `(Sprint, "add" | "remove")` (sprint); a body
    or None (comment); ignored for the other kinds."""
    ticket = TicketFactory(project=project, created_at=created, updated_at=created, **fields)
    if initial is not None:
        ticket.status = initial
    ticket.state = ticket.status.mapped.display_state
    ticket.save()
    entries = [
        (when if isinstance(when, datetime) else created + timedelta(hours=when), kind, value, *actor)
        for when, kind, value, *actor in history
    ]
    with TestCase.captureOnCommitCallbacks(execute=True):
        for when, kind, value, *actor in sorted(entries, key=lambda entry: entry[0]):
            fields = _event_fields(kind, value, statuses)
            ticket_event_append(ticket=ticket, kind=kind, at=when, actor=actor[0] if actor else None, **fields)
    ticket.refresh_from_db()
    return ticket


def append(ticket: Ticket, kind: str, at: datetime, **fields) -> None:
    """One more history entry, derived metrics refreshed as after a commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        ticket_event_append(ticket=ticket, kind=kind, at=at, **fields)
