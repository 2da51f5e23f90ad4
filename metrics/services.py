"""Writes of derived values: per-ticket metrics, status intervals, transitions and credits,
rebuilt from history in batches (each batch in one transaction, so readers never see a ticket
half-derived). History is read as tuples and derived rows written as tuples: at 10,000,000
events, model instances would cost more than the database does."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from common.db import advisory_lock, insert_rows, statistics_refresh
from common.progress import SILENT, Progress
from common.references import referenced_rows_hold
from formulas.sprints import current_sprint
from formulas.tickets import Change, MappedStatus, TicketValues, derive_ticket_values
from metrics.models import StatusInterval, StatusTransition, TicketCredit, TicketMetrics
from tickets.models import Project, Sprint, Status, Ticket, TicketEvent

BATCH_SIZE = 2000
# Advisory lock namespace of an organization's derived values: refreshes share it, the nightly
# rebuild holds it alone (so a refresh never inserts beside a rebuild's uncommitted rows).
DERIVED_VALUES_LOCK = 7_001
DERIVED_MODELS = (TicketMetrics, StatusInterval, StatusTransition, TicketCredit)
Kind = TicketEvent.Kind
_ACTIVITY_KINDS = {
    Kind.COMMENT: "comment",
    Kind.DESCRIPTION_EDIT: "description_edit",
    Kind.ASSIGNEE: "assignee_change",
}
HISTORY_COLUMNS = ("ticket_id", "kind", "at", "from_status_id", "to_status_id", "from_person_id", "to_person_id",
                  "sprint_id", "sprint_action")  # fmt: skip
_METRICS_COLUMNS = ("ticket_id", "organization_id", "first_active_at", "done_at", "cycle_time_seconds",
                   "queue_time_seconds", "transitions", "backflows", "backflow_rate", "jitter", "jitter_comments",
                   "jitter_description_edits", "jitter_assignee_changes", "computed_at")  # fmt: skip


_INTERVAL_COLUMNS = ("organization_id", "ticket_id", "status_id", "started_at", "ended_at")
_TRANSITION_COLUMNS = ("organization_id", "ticket_id", "from_status_id", "to_status_id", "at", "is_backflow")


def _batched(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(ids)
    while batch := list(islice(iterator, size)):
        yield batch


def mapped_statuses(*, project_ids: Iterable[int]) -> dict[int, MappedStatus]:
    """The workflow mapping of the given projects, keyed by Status row id."""
    return {status.id: status.mapped for status in Status.objects.filter(project_id__in=set(project_ids))}


def _derive(ticket: tuple, events: list[tuple], *, statuses, weights, count_intra_lane, now) -> TicketValues:
    _, _, created_at, status_id, *_ = ticket
    status_events = [e for e in events if e[1] == Kind.STATUS]
    assignee_events = [e for e in events if e[1] == Kind.ASSIGNEE]
    return derive_ticket_values(
        created_at=created_at,
        initial_status_id=status_events[0][3] if status_events else status_id,
        status_changes=[Change(e[2], e[4]) for e in status_events],
        assignee_changes=[Change(e[2], e[6]) for e in assignee_events],
        initial_assignee_id=assignee_events[0][5] if assignee_events else None,
        activity=[Change(e[2], _ACTIVITY_KINDS[e[1]]) for e in events if e[1] in _ACTIVITY_KINDS],
        statuses=statuses,
        jitter_weights=weights,
        count_intra_lane=count_intra_lane,
        now=now,
    )


TICKET_COLUMNS = ("id", "organization_id", "created_at", "status_id", "state", "sprint_id", "project_id")
"""What deriving reads of a ticket (and of each of its events, HISTORY_COLUMNS), as tuples in this order."""


def _derived_values_shared_lock(organization_ids: Iterable[int]) -> None:
    """A shared lock on these organizations' derived values, taken in id order."""
    for organization_id in sorted(set(organization_ids)):
        advisory_lock(namespace=DERIVED_VALUES_LOCK, key=organization_id, shared=True)


def _locked_tickets(ticket_ids: list[int]) -> list[tuple]:
    """The tickets, locked in id order for the rest of the transaction (history appends lock the
    same rows, so the history read next is complete and no other refresh of them runs meanwhile),
    after a shared lock on their organizations' derived values."""
    _derived_values_shared_lock(Ticket.objects.filter(id__in=ticket_ids).values_list("organization_id", flat=True))
    locked = Ticket.objects.select_for_update(of=("self",), no_key=True).filter(id__in=ticket_ids).order_by("id")
    return list(locked.values_list(*TICKET_COLUMNS))


def _refresh_batch(ticket_ids: list[int], *, now: datetime, replace: bool = True) -> None:
    """Derive and store the values of one batch in one transaction. `replace` (a refresh) locks
    the tickets and deletes their old rows first; without it (inside the rebuild, which holds the
    organization alone) the batch's rows are known to be gone."""
    with transaction.atomic():
        if replace:
            tickets = _locked_tickets(ticket_ids)
        else:
            tickets = list(Ticket.objects.filter(id__in=ticket_ids).order_by("id").values_list(*TICKET_COLUMNS))
        _stored_history_derive(tickets, now=now, replace=replace)


def _stored_history_derive(tickets: list[tuple], *, now: datetime, replace: bool) -> None:
    ticket_ids = [ticket[0] for ticket in tickets]
    events_by_ticket: dict[int, list[tuple]] = defaultdict(list)
    for event in (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids)
        .order_by("ticket_id", "at", "id")
        .values_list(*HISTORY_COLUMNS)
    ):
        events_by_ticket[event[0]].append(event)
    _derive_and_store(tickets, events_by_ticket, now=now, replace=replace)


def _derive_and_store(
    tickets: list[tuple], events_by_ticket: dict[int, list[tuple]], *, now: datetime, replace: bool
) -> None:
    ticket_ids = [ticket[0] for ticket in tickets]
    project_ids = {t[6] for t in tickets}
    statuses = mapped_statuses(project_ids=project_ids)
    weights = {p.id: p.jitter_weights for p in Project.objects.filter(id__in=project_ids)}
    intra_lane = dict(
        Organization.objects.filter(id__in={t[1] for t in tickets}).values_list(
            "id", "backflow_counts_intra_lane_changes"
        )
    )

    metrics, intervals, transitions, credits, changed = [], [], [], [], []
    for ticket in tickets:
        ticket_id, org_id, _, _, state, sprint_id, project_id = ticket
        events = events_by_ticket.get(ticket_id, [])
        values = _derive(
            ticket,
            events,
            statuses=statuses,
            weights=weights[project_id],
            count_intra_lane=intra_lane[org_id],
            now=now,
        )
        counts = values.jitter_counts
        metrics.append((
            ticket_id, org_id, values.first_active_at, values.done_at, values.cycle_time_seconds,
            values.queue_time_seconds, len(values.transitions), values.backflows, values.backflow_rate,
            values.jitter, counts["comment"], counts["description_edit"], counts["assignee_change"], now,
        ))  # fmt: skip
        intervals += [(org_id, ticket_id, i.status_id, i.start, i.end) for i in values.intervals]
        transitions += [
            (org_id, ticket_id, t.from_status_id, t.to_status_id, t.at, t.is_backflow) for t in values.transitions
        ]
        credits += [(org_id, ticket_id, person_id) for person_id in sorted(values.credited_person_ids)]
        sprint_now = current_sprint((e[2], e[8], e[7]) for e in events if e[1] == Kind.SPRINT)
        if (state, sprint_id) != (values.state, sprint_now):
            changed.append(Ticket(id=ticket_id, state=values.state, sprint_id=sprint_now))

    if replace:
        for model in DERIVED_MODELS:
            model.objects.filter(ticket_id__in=ticket_ids).delete()
    insert_rows(model=TicketMetrics, columns=_METRICS_COLUMNS, rows=metrics)
    insert_rows(model=StatusInterval, columns=_INTERVAL_COLUMNS, rows=intervals)
    insert_rows(model=StatusTransition, columns=_TRANSITION_COLUMNS, rows=transitions)
    insert_rows(model=TicketCredit, columns=["organization_id", "ticket_id", "person_id"], rows=credits)
    referenced_rows_hold(model=Sprint, ids=[ticket.sprint_id for ticket in changed], column="sprint")
    Ticket.objects.bulk_update(changed, ["state", "sprint"])


def created_tickets_derive(*, tickets: list[tuple], histories: dict[int, list[tuple]], now: datetime) -> int:
    """Derive and store the values of tickets the current transaction has just created, from the
    history it wrote for them: `tickets` as TICKET_COLUMNS tuples, `histories` each ticket's
    events as HISTORY_COLUMNS tuples in the order they were inserted (time, then id). The values
    are those a refresh would derive; nothing is read back, locked or deleted, since no other
    transaction sees these tickets yet. Returns the count."""
    if not tickets:
        return 0
    _derived_values_shared_lock(ticket[1] for ticket in tickets)
    _derive_and_store(tickets, histories, now=now, replace=False)
    return len(tickets)


def ticket_metrics_refresh(
    *, ticket_ids: Iterable[int], now: datetime | None = None, progress: Progress = SILENT
) -> int:
    """Re-derive every stored value of the given tickets from their history, BATCH_SIZE tickets at
    a time, each batch locked in id order. `ticket_ids` may be a stream (it is never held whole):
    give each id once. Returns the count."""
    now = now or timezone.now()
    count = 0
    for batch in _batched(ticket_ids, BATCH_SIZE):
        batch = sorted(set(batch))
        _refresh_batch(batch, now=now)
        count += len(batch)
        progress.advance(len(batch))
    return count


def project_metrics_refresh(*, project_id: int, now: datetime | None = None) -> int:
    """Re-derive every ticket of a project (after its mapping or jitter weights changed)."""
    ids = Ticket.objects.filter(project_id=project_id).order_by("id").values_list("id", flat=True)
    return ticket_metrics_refresh(ticket_ids=ids.iterator(chunk_size=BATCH_SIZE), now=now)


def organization_metrics_rebuild(
    *, organization_id: int, now: datetime | None = None, progress: Progress = SILENT
) -> int:
    """Re-derive every ticket of an organization from history (the nightly job), then record when.

    Runs in one transaction: readers keep seeing the previous values until it commits, and then
    see all the new ones at once; a failure rolls everything back, so the job can simply run again.
    Memory stays bounded: tickets are read and written in batches of BATCH_SIZE by keyset on id.
    The advisory lock makes concurrent rebuilds of one organization run one after the other, and
    refreshes of its tickets wait for the rebuild to commit and then re-derive them."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        advisory_lock(namespace=DERIVED_VALUES_LOCK, key=organization_id)
        for model in DERIVED_MODELS:
            model.objects.filter(organization_id=organization_id).delete()
        last_id = 0
        tickets = Ticket.objects.filter(organization_id=organization_id).order_by("id")
        while batch := list(tickets.filter(id__gt=last_id).values_list("id", flat=True)[:BATCH_SIZE]):
            _refresh_batch(batch, now=now, replace=False)
            count += len(batch)
            progress.advance(len(batch))
            last_id = batch[-1]
        Organization.objects.filter(id=organization_id).update(metrics_computed_at=now)
        statistics_refresh(*DERIVED_MODELS)  # the planner sees the new rows as soon as they commit
    return count
