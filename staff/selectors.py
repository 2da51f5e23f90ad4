"""Reads that only the staff pages need: the choices of their filter forms and one ticket's
history. Ticket lists and metrics come from `metrics.selectors.ticket_log` and
`metrics.selectors.retrospective`, as in the API."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Max

from accounts.models import Organization, Person, Team
from metrics.models import StatusInterval, StatusTransition, TicketCredit, TicketMetrics
from tickets.models import Project, Ticket, TicketEvent

# A ticket page lists at most this many history events (a ticket with more says so).
MAX_EVENTS = 2000


def team_choices(*, organization: Organization) -> list[tuple[str, str]]:
    """Every team, parents before their children and siblings by name, indented by depth."""
    teams = list(Team.objects.filter(organization=organization).values_list("id", "name", "parent_id"))
    children: dict[int | None, list[tuple[int, str]]] = {}
    ids = {team_id for team_id, _, _ in teams}
    for team_id, name, parent_id in teams:
        children.setdefault(parent_id if parent_id in ids else None, []).append((team_id, name))
    choices: list[tuple[str, str]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for team_id, name in sorted(children.get(parent_id, []), key=lambda t: (t[1].lower(), t[0])):
            choices.append((str(team_id), "\u2003" * depth + name))  # em spaces survive <option> rendering
            walk(team_id, depth + 1)

    walk(None, 0)
    return choices


def person_choices(*, organization: Organization) -> list[tuple[str, str]]:
    """People who can be matched (not hidden from reports), by name."""
    people = Person.objects.filter(organization=organization, hidden_from_reports=False).order_by("name", "id")
    return [(str(person_id), name) for person_id, name in people.values_list("id", "name")]


def project_choices(*, organization: Organization) -> list[tuple[str, str]]:
    projects = Project.objects.filter(organization=organization).order_by("key", "id")
    return [
        (str(project_id), f"{key} · {name}") for project_id, key, name in projects.values_list("id", "key", "name")
    ]


def work_types(*, organization: Organization) -> list[str]:
    """The organization's distinct work types, by a loose index scan over the (organization,
    work_type, id) index: one index probe per work type instead of reading every ticket."""
    table = connection.ops.quote_name(Ticket._meta.db_table)
    sql = f"""
        WITH RECURSIVE types(work_type) AS (
            SELECT MIN(work_type) FROM {table} WHERE organization_id = %s
            UNION ALL
            SELECT (SELECT MIN(work_type) FROM {table} WHERE organization_id = %s AND work_type > types.work_type)
            FROM types WHERE types.work_type IS NOT NULL
        )
        SELECT work_type FROM types WHERE work_type IS NOT NULL
    """  # the table name is the model's; the values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization.id, organization.id])
        return [row[0] for row in cursor.fetchall()]


def latest_done_at(*, organization: Organization):
    """The last completion in the organization (on the (organization, done_at) index), or None."""
    return TicketMetrics.objects.filter(organization=organization).aggregate(latest=Max("done_at"))["latest"]


@dataclass
class TicketHistory:
    """What a ticket page shows besides the ticket-log row: the derived status intervals and
    transitions, the people credited, and the raw events (at most MAX_EVENTS, `truncated` if more)."""

    intervals: list[StatusInterval]
    transitions: list[StatusTransition]
    credits: list[TicketCredit]
    events: list[TicketEvent]
    truncated: bool


def ticket_detail(*, organization: Organization, ticket_id: int) -> Ticket | None:
    """One ticket of the organization with everything its ticket-log row shows, or None."""
    return (
        Ticket.objects.filter(organization=organization, id=ticket_id)
        .select_related("project", "status", "assignee", "reporter", "sprint", "metrics")
        .first()
    )


def ticket_history(*, ticket: Ticket) -> TicketHistory:
    """Four queries whatever the length of the history."""
    scope = {"organization_id": ticket.organization_id, "ticket": ticket}
    intervals = list(StatusInterval.objects.filter(**scope).select_related("status").order_by("started_at", "id"))
    transitions = list(
        StatusTransition.objects.filter(**scope).select_related("from_status", "to_status").order_by("at", "id")
    )
    credits = list(TicketCredit.objects.filter(**scope).select_related("person").order_by("person__name", "id"))
    events = list(
        TicketEvent.objects.filter(**scope)
        .select_related("actor", "from_status", "to_status", "from_person", "to_person", "sprint")
        .order_by("at", "id")[: MAX_EVENTS + 1]
    )
    return TicketHistory(intervals, transitions, credits, events[:MAX_EVENTS], len(events) > MAX_EVENTS)
