"""Writes of derived values: per-ticket metrics, status intervals, transitions and credits,
rebuilt from history in batches (each batch in one transaction, so readers never see a ticket
half-derived)."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from tickets.models import Status, Ticket, TicketEvent

from .calculations.tickets import Change, MappedStatus, derive_ticket_values
from .models import StatusInterval, StatusTransition, TicketCredit, TicketMetrics

BATCH_SIZE = 1000
DERIVED_MODELS = (TicketMetrics, StatusInterval, StatusTransition, TicketCredit)
_ACTIVITY_KINDS = {
    TicketEvent.Kind.COMMENT: "comment",
    TicketEvent.Kind.DESCRIPTION_EDIT: "description_edit",
    TicketEvent.Kind.ASSIGNEE: "assignee_change",
}


def _batched(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(ids)
    while batch := list(islice(iterator, size)):
        yield batch


def mapped_statuses(*, project_ids: Iterable[int]) -> dict[int, MappedStatus]:
    """The workflow mapping of the given projects, keyed by Status row id."""
    return {status.id: status.mapped for status in Status.objects.filter(project_id__in=set(project_ids))}


def _current_sprint_id(sprint_events: list[TicketEvent]) -> int | None:
    members: dict[int, datetime] = {}
    for event in sprint_events:
        if event.sprint_action == TicketEvent.SprintAction.ADD:
            members[event.sprint_id] = event.at
        else:
            members.pop(event.sprint_id, None)
    return max(members, key=lambda sprint_id: (members[sprint_id], sprint_id)) if members else None


def _refresh_batch(ticket_ids: list[int], *, now: datetime, replace: bool = True) -> None:
    """Derive and store the values of one batch; `replace` deletes the batch's old rows first."""
    tickets = list(
        Ticket.objects.filter(id__in=ticket_ids)
        .select_related("project", "organization")
        .only(
            "id", "organization_id", "created_at", "status_id", "state", "sprint_id",
            "project__comment_weight", "project__description_edit_weight", "project__assignee_change_weight",
            "organization__backflow_counts_intra_lane_changes",
        )
    )  # fmt: skip
    events_by_ticket: dict[int, list[TicketEvent]] = defaultdict(list)
    for event in TicketEvent.objects.filter(ticket_id__in=ticket_ids).order_by("ticket_id", "at", "id").only(
        "ticket_id", "kind", "at", "from_status_id", "to_status_id", "from_person_id", "to_person_id",
        "sprint_id", "sprint_action",
    ):  # fmt: skip
        events_by_ticket[event.ticket_id].append(event)
    statuses = mapped_statuses(project_ids={t.project_id for t in tickets})

    metrics, intervals, transitions, credits, changed_tickets = [], [], [], [], []
    for ticket in tickets:
        events = events_by_ticket[ticket.id]
        status_events = [e for e in events if e.kind == TicketEvent.Kind.STATUS]
        assignee_events = [e for e in events if e.kind == TicketEvent.Kind.ASSIGNEE]
        values = derive_ticket_values(
            created_at=ticket.created_at,
            initial_status_id=status_events[0].from_status_id if status_events else ticket.status_id,
            status_changes=[Change(e.at, e.to_status_id) for e in status_events],
            assignee_changes=[Change(e.at, e.to_person_id) for e in assignee_events],
            initial_assignee_id=assignee_events[0].from_person_id if assignee_events else None,
            activity=[Change(e.at, _ACTIVITY_KINDS[e.kind]) for e in events if e.kind in _ACTIVITY_KINDS],
            statuses=statuses,
            jitter_weights=ticket.project.jitter_weights,
            count_intra_lane=ticket.organization.backflow_counts_intra_lane_changes,
            now=now,
        )
        org_id = ticket.organization_id
        metrics.append(
            TicketMetrics(
                ticket_id=ticket.id,
                organization_id=org_id,
                first_active_at=values.first_active_at,
                done_at=values.done_at,
                cycle_time_seconds=values.cycle_time_seconds,
                queue_time_seconds=values.queue_time_seconds,
                transitions=len(values.transitions),
                backflows=values.backflows,
                backflow_rate=values.backflow_rate,
                jitter=values.jitter,
                jitter_comments=values.jitter_counts["comment"],
                jitter_description_edits=values.jitter_counts["description_edit"],
                jitter_assignee_changes=values.jitter_counts["assignee_change"],
                computed_at=now,
            )
        )
        intervals += [
            StatusInterval(
                organization_id=org_id, ticket_id=ticket.id, status_id=i.status_id, started_at=i.start, ended_at=i.end
            )
            for i in values.intervals
        ]
        transitions += [
            StatusTransition(
                organization_id=org_id,
                ticket_id=ticket.id,
                from_status_id=t.from_status_id,
                to_status_id=t.to_status_id,
                at=t.at,
                is_backflow=t.is_backflow,
            )
            for t in values.transitions
        ]
        credits += [
            TicketCredit(organization_id=org_id, ticket_id=ticket.id, person_id=person_id)
            for person_id in sorted(values.credited_person_ids)
        ]
        sprint_id = _current_sprint_id([e for e in events if e.kind == TicketEvent.Kind.SPRINT])
        if ticket.state != values.state or ticket.sprint_id != sprint_id:
            ticket.state, ticket.sprint_id = values.state, sprint_id
            changed_tickets.append(ticket)

    with transaction.atomic():
        if replace:
            for model in DERIVED_MODELS:
                model.objects.filter(ticket_id__in=ticket_ids).delete()
        TicketMetrics.objects.bulk_create(metrics)
        StatusInterval.objects.bulk_create(intervals)
        StatusTransition.objects.bulk_create(transitions)
        TicketCredit.objects.bulk_create(credits)
        Ticket.objects.bulk_update(changed_tickets, ["state", "sprint"])


def ticket_metrics_refresh(*, ticket_ids: Iterable[int], now: datetime | None = None) -> int:
    """Re-derive every stored value of the given tickets from their history. Returns the count."""
    now = now or timezone.now()
    count = 0
    for batch in _batched(sorted(set(ticket_ids)), BATCH_SIZE):
        _refresh_batch(batch, now=now)
        count += len(batch)
    return count


def project_metrics_refresh(*, project_id: int, now: datetime | None = None) -> int:
    """Re-derive every ticket of a project (after its mapping or jitter weights changed)."""
    ids = Ticket.objects.filter(project_id=project_id).order_by("id").values_list("id", flat=True)
    return ticket_metrics_refresh(ticket_ids=ids.iterator(chunk_size=BATCH_SIZE), now=now)


def organization_metrics_rebuild(*, organization_id: int, now: datetime | None = None) -> int:
    """Re-derive every ticket of an organization from history (the nightly job), then record when.

    Runs in one transaction: readers keep seeing the previous values until it commits, and then
    see all the new ones at once; a failure rolls everything back, so the job can simply run again.
    Memory stays bounded: tickets are read and written in batches of BATCH_SIZE by keyset on id.
    Concurrent rebuilds of one organization serialize on its row lock."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        Organization.objects.select_for_update().filter(id=organization_id).first()
        for model in DERIVED_MODELS:
            model.objects.filter(organization_id=organization_id).delete()
        last_id = 0
        tickets = Ticket.objects.filter(organization_id=organization_id).order_by("id")
        while batch := list(tickets.filter(id__gt=last_id).values_list("id", flat=True)[:BATCH_SIZE]):
            _refresh_batch(batch, now=now, replace=False)
            count += len(batch)
            last_id = batch[-1]
        Organization.objects.filter(id=organization_id).update(metrics_computed_at=now)
    return count
