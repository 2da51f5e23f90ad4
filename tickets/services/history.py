"""Writes of a ticket's history: one event appended, the ticket's current fields kept in step."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from accounts.models import Person
from tickets.models import Sprint, Status, Ticket, TicketEvent
from tickets.services.helpdesk import helpdesk_facts_apply
from tickets.signals import history_changed

Kind = TicketEvent.Kind


@transaction.atomic
def ticket_event_append(
    *,
    ticket: Ticket,
    kind: str,
    at: datetime,
    actor: Person | None = None,
    to_status: Status | None = None,
    to_person: Person | None = None,
    to_value: str = "",
    sprint: Sprint | None = None,
    sprint_action: str = "",
    body: str = "",
    is_public: bool = True,
    resolution: str = "",
) -> TicketEvent:
    """Append one entry to a ticket's history and bring the ticket's current fields in step (status
    and state, assignee, story points, updated time, help-desk facts). The ticket row is locked
    first, so concurrent appends serialize and none is lost. Sends `history_changed`, on which the
    derived metrics are refreshed after commit."""
    locked = Ticket.objects.select_for_update(of=("self",), no_key=True).select_related("status").get(pk=ticket.pk)
    event = TicketEvent(
        organization_id=locked.organization_id, ticket=locked, kind=kind, at=at, actor=actor, body=body,
        is_public=is_public, resolution=resolution, sprint=sprint, sprint_action=sprint_action,
    )  # fmt: skip
    changed = ["updated_at"]
    if kind == Kind.STATUS:
        if to_status is None or to_status.project_id != locked.project_id:
            raise ValueError("A status change needs a status of the ticket's project")
        event.from_status, event.to_status = locked.status, to_status
        locked.status, locked.state = to_status, to_status.mapped.display_state
        if resolution:
            locked.resolution = resolution
        changed += ["status", "state", "resolution"]
    elif kind == Kind.ASSIGNEE:
        event.from_person_id, event.to_person = locked.assignee_id, to_person
        locked.assignee = to_person
        changed.append("assignee")
    elif kind == Kind.STORY_POINTS:
        event.from_value = "" if locked.story_points is None else str(locked.story_points)
        event.to_value = to_value
        locked.story_points = Decimal(to_value) if to_value != "" else None
        changed.append("story_points")
    elif kind == Kind.SPRINT and sprint_action not in TicketEvent.SprintAction.values:
        raise ValueError("A sprint event needs sprint_action 'add' or 'remove'")
    event.save()
    changed += helpdesk_facts_apply(ticket=locked)
    locked.updated_at = max(locked.updated_at, at)
    locked.save(update_fields=changed)
    history_changed.send(sender=Ticket, ticket_id=locked.id)
    ticket.refresh_from_db()
    return event
