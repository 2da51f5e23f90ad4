"""Reads of tickets shared by the API and the staff pages."""

from django.db.models import Exists, F, OuterRef, QuerySet

from accounts.models import Organization
from metrics.models import TicketCredit
from tickets.models import Ticket

# Public column name -> ORM path of the sortable ticket-log columns.
TICKET_LOG_ORDERING = {
    "id": "id",
    "key": "key",
    "title": "title",
    "project": "project__key",
    "work_type": "work_type",
    "status": "status__name",
    "state": "state",
    "priority": "priority",
    "story_points": "story_points",
    "assignee": "assignee__name",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "first_active_at": "metrics__first_active_at",
    "done_at": "metrics__done_at",
    "cycle_time": "metrics__cycle_time_seconds",
    "queue_time": "metrics__queue_time_seconds",
    "transitions": "metrics__transitions",
    "backflows": "metrics__backflows",
    "backflow_rate": "metrics__backflow_rate",
    "jitter": "metrics__jitter",
    "sprint": "sprint__name",
    "epic": "epic",
}


def order_ticket_log(*, queryset: QuerySet[Ticket], ordering: list[str]) -> QuerySet[Ticket]:
    """Order by public column names (`-` for descending), nulls last either way, ending on `id`."""
    expressions = []
    for name in ordering:
        descending = name.startswith("-")
        path = TICKET_LOG_ORDERING[name.lstrip("-")]
        expressions.append(F(path).desc(nulls_last=True) if descending else F(path).asc(nulls_last=True))
        if path == "id":
            break
    else:
        expressions.append(F("id").asc())
    return queryset.order_by(*expressions)


def ticket_log(*, organization: Organization) -> QuerySet[Ticket]:
    """Every ticket of the organization with what a ticket-log row shows, joined in one query."""
    return Ticket.objects.filter(organization=organization).select_related(
        "project", "status", "assignee", "sprint", "metrics"
    )


def attributed_to(*, queryset: QuerySet[Ticket], person_ids: QuerySet, current_assignee: bool) -> QuerySet[Ticket]:
    """Tickets credited to one of `person_ids` (assignee at some time while active, docs/flow-ticket-log.md), or,
    with `current_assignee`, whose current assignee is one of them. `person_ids` is a one-column
    values() queryset of person ids.

    Written as EXISTS (a credit of the ticket) within EXISTS (its person among `person_ids`), which
    PostgreSQL turns into semi-joins and plans either way: for tickets other conditions narrow to
    few (completed in a week), each ticket's credits are looked up by its id and each credit's
    person by that id, at the cost of those tickets; for many, the people's credits are hashed."""
    if current_assignee:
        return queryset.filter(assignee_id__in=person_ids)
    (column,) = person_ids.query.values_select
    is_counted = Exists(person_ids.filter(**{column: OuterRef("person_id")}))
    return queryset.filter(Exists(TicketCredit.objects.filter(is_counted, ticket_id=OuterRef("id"))))
