"""Reads of tickets shared by the API and the staff pages."""

from django.db.models import F, OuterRef, QuerySet, Subquery

from accounts.models import Organization
from common.db import AnyOf
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


def attributed_to(
    *, queryset: QuerySet[Ticket], person_ids: QuerySet, current_assignee: bool, per_ticket: bool = False
) -> QuerySet[Ticket]:
    """Tickets credited to one of `person_ids` (assignee at some time while active, docs/flow-ticket-log.md), or,
    with `current_assignee`, whose current assignee is one of them.

    `per_ticket` is for a queryset that other conditions already narrow to few tickets (completed in
    a date range): the people are read first, and each ticket's credits are looked up by its id, so
    the cost follows those tickets, not every credit of the people. Without it the credits of the
    people are read as one set (the right plan when every ticket of the organization may be read)."""
    if current_assignee:
        return queryset.filter(assignee_id__in=person_ids)
    if not per_ticket:
        credited = TicketCredit.objects.filter(person_id__in=person_ids).values("ticket_id")
        return queryset.filter(id__in=credited)
    people = sorted({value for row in person_ids for value in row.values()})  # a one-column values() queryset
    # A correlated scalar subquery, which PostgreSQL runs per outer row (an EXISTS or IN would be
    # turned into a join that reads every credit of the people).
    first_credit = TicketCredit.objects.filter(AnyOf(F("person_id"), people), ticket_id=OuterRef("id"))
    first_credit = first_credit.order_by().values("ticket_id")[:1]
    return queryset.alias(credit=Subquery(first_credit)).filter(credit__isnull=False)
