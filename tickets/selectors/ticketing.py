"""Reads of the Ticketing surface: an instance's tickets with what an item shows, in a fixed
number of queries whatever the page size (the page, its people, its tags)."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import Person, PersonAlias
from tickets.models import Project, Status, Ticket, TicketEvent, TicketTag
from tickets.services.ticketing import external_user_id

STATUS, COMMENT = TicketEvent.Kind.STATUS, TicketEvent.Kind.COMMENT


def _events():
    return TicketEvent.objects.filter(organization_id=OuterRef("organization_id"), ticket_id=OuterRef("pk"))


def instance_tickets(*, project: Project) -> QuerySet[Ticket]:
    """The instance's tickets, annotated with the history facts an item shows: first and last
    resolution (entry into a done state, done or canceled), the comment of the last resolution,
    and who acted last. Each is an indexed subquery per row of the page."""
    resolutions = _events().filter(kind=STATUS, to_status__state=Status.State.DONE)
    return (
        Ticket.objects.filter(organization_id=project.organization_id, project=project)
        .select_related("status")
        .annotate(
            first_resolution_at=Subquery(resolutions.order_by("at", "id").values("at")[:1]),
            last_resolution_at=Subquery(resolutions.order_by("-at", "-id").values("at")[:1]),
            last_resolution_comment=Subquery(resolutions.order_by("-at", "-id").values("body")[:1]),
            last_actor_id=Subquery(
                _events().filter(actor__isnull=False).order_by("-at", "-id").values("actor_id")[:1]
            ),
        )
    )


def people_by_id(person_ids: Iterable[int | None]) -> dict[int, dict]:
    """Ticketing users (`{id, name, email}`) of the given people, in two queries."""
    ids = {person_id for person_id in person_ids if person_id is not None}
    if not ids:
        return {}
    aliases: dict[int, list[str]] = defaultdict(list)
    for person_id, value in PersonAlias.objects.filter(person_id__in=ids).values_list("person_id", "value"):
        aliases[person_id].append(value)
    return {
        person.id: {"id": external_user_id(person, aliases[person.id]), "name": person.name, "email": person.email}
        for person in Person.objects.filter(id__in=ids).only("id", "name", "email")
    }


def tags_by_ticket(ticket_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Each ticket's tags as `{tagCategoryId, text}`, in one query."""
    tags: dict[int, list[dict]] = defaultdict(list)
    rows = (
        TicketTag.objects.filter(ticket_id__in=list(ticket_ids))
        .order_by("ticket_id", "tag__category_id", "tag__text", "id")
        .values_list("ticket_id", "tag__category_id", "tag__text")
    )
    for ticket_id, category_id, text in rows:
        tags[ticket_id].append({"tagCategoryId": str(category_id), "text": text})
    return tags


def ticket_people_ids(tickets: Iterable[Ticket]) -> set[int]:
    ids = set()
    for ticket in tickets:
        ids.update(
            (ticket.reporter_id, ticket.assignee_id, ticket.created_by_id, getattr(ticket, "last_actor_id", None))
        )
    ids.discard(None)
    return ids


def activities(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    """A ticket's activities: its status changes and comments, oldest first."""
    return (
        TicketEvent.objects.filter(organization_id=ticket.organization_id, ticket=ticket, kind__in=(STATUS, COMMENT))
        .select_related("to_status")
        .order_by("at", "id")
    )
