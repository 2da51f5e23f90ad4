"""Help-desk facts of tickets (first helper response, closed at / by, reopened by, last message at /
by, resolved at), kept in step with history.

`tickets.services.history.ticket_event_append` calls `helpdesk_facts_apply` on the ticket it has locked,
so every history write (Ticketing API, staff pages, scripts) leaves the facts current in the same
transaction. `helpdesk_facts_refresh` re-derives stored tickets in batches (after helpers change,
or to repair). Both derive with `formulas.helpdesk.derive_helpdesk_facts`, the rule the
bundle import applies too. This module must not import `tickets.services.history` (which imports it)."""

from collections import defaultdict
from collections.abc import Iterable
from itertools import islice

from django.db import transaction

from formulas.helpdesk import FactEvent, HelpdeskFacts, derive_helpdesk_facts
from tickets.models import Helper, Status, Ticket, TicketEvent

BATCH_SIZE = 1000
FACT_FIELDS = [
    "first_helper_response_at", "closed_at", "closed_by", "reopened_by", "last_message_at", "last_message_by",
    "resolved_at",
]  # fmt: skip
_KINDS = (TicketEvent.Kind.STATUS, TicketEvent.Kind.COMMENT)
_DONE = Status.State.DONE


def _facts_by_ticket(tickets: list[Ticket]) -> dict[int, HelpdeskFacts]:
    """Derive the facts of the given tickets: two queries whatever their number."""
    ids = [ticket.id for ticket in tickets]
    events: dict[int, list] = defaultdict(list)
    rows = (
        TicketEvent.objects.filter(ticket_id__in=ids, kind__in=_KINDS)
        .order_by("ticket_id", "at", "id")
        .values_list("ticket_id", "kind", "at", "actor_id", "from_status__state", "to_status__state")
    )
    for ticket_id, kind, at, actor_id, from_state, to_state in rows:
        events[ticket_id].append((kind, at, actor_id, from_state, to_state))
    helpers: dict[int, set[int]] = defaultdict(set)
    project_ids = {ticket.project_id for ticket in tickets}
    for project_id, person_id in Helper.objects.filter(project_id__in=project_ids).values_list(
        "project_id", "person_id"
    ):
        helpers[project_id].add(person_id)
    facts = {}
    for ticket in tickets:
        history = events[ticket.id]
        first_status = next((row for row in history if row[0] == TicketEvent.Kind.STATUS), None)
        initial_state = first_status[3] if first_status else ticket.status.state
        facts[ticket.id] = derive_helpdesk_facts(
            created_at=ticket.created_at,
            initially_done=initial_state == _DONE,
            events=[
                FactEvent(at=at, kind=kind, actor_id=actor_id, to_done=to_state == _DONE)
                for kind, at, actor_id, _from_state, to_state in history
            ],
            helper_ids=helpers[ticket.project_id],
        )
    return facts


def _assign(ticket: Ticket, facts: HelpdeskFacts) -> list[str]:
    changed = []
    for name, value in facts.as_fields().items():
        if getattr(ticket, name) != value:
            setattr(ticket, name, value)
            changed.append(name.removesuffix("_id"))
    return changed


def helpdesk_facts_apply(*, ticket: Ticket) -> list[str]:
    """Re-derive the facts of one ticket from its stored history and set them on `ticket` (not
    saved). Returns the names of the fields that changed, for `save(update_fields=...)`. The
    caller holds the ticket row lock (`ticket_event_append` does)."""
    return _assign(ticket, _facts_by_ticket([ticket])[ticket.id])


def helpdesk_facts_refresh(*, ticket_ids: Iterable[int]) -> int:
    """Re-derive and store the facts of the given tickets, BATCH_SIZE at a time, each batch in one
    transaction. Returns the number of tickets whose facts changed."""
    changed_count = 0
    iterator = iter(sorted(set(ticket_ids)))
    while batch := list(islice(iterator, BATCH_SIZE)):
        with transaction.atomic():
            tickets = list(
                Ticket.objects.select_for_update(of=("self",))
                .filter(id__in=batch)
                .select_related("status")
                .order_by("id")
            )
            facts = _facts_by_ticket(tickets)
            changed = [ticket for ticket in tickets if _assign(ticket, facts[ticket.id])]
            Ticket.objects.bulk_update(changed, FACT_FIELDS)
            changed_count += len(changed)
    return changed_count
