"""Ticket counts by state, shared by the Flow ticket log and the staff pages."""

from django.db.models import Count, QuerySet

from tickets.models import Ticket, TicketState


def ticket_counts_by_state(*, queryset: QuerySet[Ticket]) -> dict[str, int]:
    """The total and the number of tickets in each state (every state present, zero when none)."""
    counts = dict.fromkeys(TicketState.values, 0)
    for row in queryset.order_by().values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return {"total": sum(counts.values()), **counts}
