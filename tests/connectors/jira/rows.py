"""Comparable dumps of what an import wrote, without ids (two organizations' imports of the same
data agree on everything else)."""

from accounts.models import Person
from tickets.models import Project, Sprint, Status, Ticket, TicketEvent

STATUS_COLUMNS = ("project__key", "external_id", "name", "position", "lane", "state", "is_waiting", "is_canceled")
SPRINT_COLUMNS = ("project__key", "name", "state", "start_at", "planned_end_at", "completed_at")
TICKET_COLUMNS = (
    "key", "title", "description", "work_type", "priority", "state", "story_points", "epic", "resolution",
    "created_at", "updated_at", "resolved_at",
)  # fmt: skip
EVENT_COLUMNS = ("kind", "at", "from_value", "to_value", "sprint_action", "body", "is_public", "resolution")


def written_rows(organization) -> dict:
    scope = {"organization": organization}
    people = dict(Person.objects.filter(**scope).values_list("id", "name"))
    statuses = dict(Status.objects.filter(**scope).values_list("id", "external_id"))
    sprints = dict(Sprint.objects.filter(**scope).values_list("id", "name"))
    tickets = dict(Ticket.objects.filter(**scope).values_list("id", "key"))
    ticket_rows = []
    for row in Ticket.objects.filter(**scope).values():
        references = (
            statuses[row["status_id"]], people.get(row["assignee_id"]), people.get(row["reporter_id"]),
            sprints.get(row["sprint_id"]), tuple(row["labels"]), str(row["custom_fields"]),
        )  # fmt: skip
        ticket_rows.append(tuple(row[name] for name in TICKET_COLUMNS) + references)
    event_rows = []
    for row in TicketEvent.objects.filter(**scope).values():
        references = (
            tickets[row["ticket_id"]], people.get(row["actor_id"]), statuses.get(row["from_status_id"]),
            statuses.get(row["to_status_id"]), people.get(row["from_person_id"]), people.get(row["to_person_id"]),
            sprints.get(row["sprint_id"]),
        )  # fmt: skip
        event_rows.append(tuple(str(row[name]) for name in EVENT_COLUMNS) + tuple(map(str, references)))
    return {
        "projects": sorted(Project.objects.filter(**scope).values_list("key", "name", "kind")),
        "statuses": sorted(Status.objects.filter(**scope).values_list(*STATUS_COLUMNS), key=str),
        "people": sorted(Person.objects.filter(**scope).values_list("name", "email", "needs_review")),
        "sprints": sorted(Sprint.objects.filter(**scope).values_list(*SPRINT_COLUMNS), key=str),
        "tickets": sorted(ticket_rows, key=str),
        "events": sorted(event_rows),
    }
