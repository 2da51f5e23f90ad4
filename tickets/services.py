"""Writes of tickets, their history and ticketing instances."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from accounts.models import Person
from metrics.scheduling import schedule_ticket_refresh

from .models import InstanceApiKey, Project, Sprint, Status, Ticket, TicketEvent
from .services_helpdesk import helpdesk_facts_apply

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
    first, so concurrent appends serialize and none is lost. Derived metrics are refreshed after commit."""
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
    schedule_ticket_refresh(locked.id)
    ticket.refresh_from_db()
    return event


@transaction.atomic
def instance_keys_revoke(*, project: Project, read_only: bool) -> int:
    """Revoke the instance's live keys of one kind (primary or secondary); returns how many."""
    return InstanceApiKey.objects.filter(project=project, read_only=read_only, revoked=False).update(revoked=True)


def instance_key_create(*, project: Project, read_only: bool, name: str = "") -> tuple[InstanceApiKey, str]:
    """Generate a ticketing instance key: primary (read/write) or secondary (read-only). Creating a
    new key of a kind revokes the previous keys of that kind (rotation). Returns the row and its
    plaintext, shown once."""
    instance_keys_revoke(project=project, read_only=read_only)
    return InstanceApiKey.objects.create_key(
        organization=project.organization,
        project=project,
        read_only=read_only,
        name=name or ("secondary (read-only)" if read_only else "primary (read/write)"),
    )
