"""A ticket's computed values and where they come from: the stored per-ticket metrics beside the
status intervals, transitions and events they were derived from (`formulas.tickets`)."""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from formulas.tickets import JITTER_KINDS
from staff.charts import Span, Timeline, duration_text, timeline
from staff.selectors import TicketHistory
from tickets.models import Ticket, TicketEvent

Kind = TicketEvent.Kind
# Event kinds that count for jitter while the ticket is active, as metrics.services reads them.
JITTER_KIND_OF_EVENT = {Kind.COMMENT: "comment", Kind.DESCRIPTION_EDIT: "description_edit",
                        Kind.ASSIGNEE: "assignee_change"}  # fmt: skip
JITTER_LABELS = {"comment": "Comments", "description_edit": "Description edits", "assignee_change": "Assignee changes"}


@dataclass
class IntervalRow:
    status: str
    state: str
    start: datetime
    end: datetime | None
    duration: str
    seconds: float
    waiting: bool


@dataclass
class EventRow:
    at: datetime
    kind: str
    actor: str
    detail: str
    body: str = ""
    jitter: str | None = None  # the jitter type it counted as, if it did


@dataclass
class JitterRow:
    kind: str
    label: str
    count: int
    weight: int
    contribution: float


@dataclass
class Explanation:
    until: datetime
    intervals: list[IntervalRow]
    first_active: IntervalRow | None
    done: IntervalRow | None
    waiting: list[IntervalRow]
    jitter: list[JitterRow]
    weight_sum: int
    events: list[EventRow]
    timeline: Timeline
    credited: list[str] = field(default_factory=list)


def _display_state(status) -> str:
    return status.mapped.display_state


def _person(person) -> str:
    return person.name if person is not None else "unassigned"


def _event_detail(event: TicketEvent) -> tuple[str, str]:
    """(label of the kind, what changed)."""
    if event.kind == Kind.STATUS:
        source = event.from_status.name if event.from_status else "—"
        detail = f"{source} → {event.to_status.name if event.to_status else '—'}"
        return "Status", detail + (f" (resolution: {event.resolution})" if event.resolution else "")
    if event.kind == Kind.ASSIGNEE:
        return "Assignee", f"{_person(event.from_person)} → {_person(event.to_person)}"
    if event.kind == Kind.STORY_POINTS:
        return "Story points", f"{event.from_value or '—'} → {event.to_value or '—'}"
    if event.kind == Kind.COMMENT:
        return "Comment", "public" if event.is_public else "private"
    if event.kind == Kind.DESCRIPTION_EDIT:
        return "Description edit", ""
    if event.kind == Kind.SPRINT:
        sprint = event.sprint.name if event.sprint else "a sprint"
        return "Sprint", f"added to {sprint}" if event.sprint_action == "add" else f"removed from {sprint}"
    return event.kind, ""


def explain(*, ticket: Ticket, metrics, history: TicketHistory) -> Explanation:
    until = max([metrics.computed_at if metrics else timezone.now(), *(i.started_at for i in history.intervals)])
    rows = []
    for interval in history.intervals:
        end = interval.ended_at or until
        rows.append(
            IntervalRow(
                status=interval.status.name, state=_display_state(interval.status), start=interval.started_at,
                end=interval.ended_at, duration=duration_text(end - interval.started_at),
                seconds=(end - interval.started_at).total_seconds(), waiting=interval.status.is_waiting,
            )
        )  # fmt: skip
    first_active = next((r for r, i in zip(rows, history.intervals, strict=True) if i.status.mapped.is_active), None)
    done_at = metrics.done_at if metrics else None
    done = next((r for r in rows if done_at is not None and r.start == done_at), None)

    # Which events counted for jitter: those of a jitter kind while the status then was active.
    starts = [i.started_at for i in history.intervals]
    events = []
    for event in history.events:
        label, detail = _event_detail(event)
        row = EventRow(at=event.at, kind=label, actor=event.actor.name if event.actor else "", detail=detail,
                       body=event.body if event.kind == Kind.COMMENT else "")  # fmt: skip
        jitter_kind = JITTER_KIND_OF_EVENT.get(event.kind)
        if jitter_kind and history.intervals:
            index = max(bisect_right(starts, event.at) - 1, 0)
            if history.intervals[index].status.mapped.is_active:
                row.jitter = jitter_kind
        events.append(row)

    project = ticket.project
    weights = project.jitter_weights
    weight_sum = sum(weights[kind] for kind in JITTER_KINDS)
    counts = {
        "comment": metrics.jitter_comments if metrics else 0,
        "description_edit": metrics.jitter_description_edits if metrics else 0,
        "assignee_change": metrics.jitter_assignee_changes if metrics else 0,
    }
    jitter = [
        JitterRow(kind, JITTER_LABELS[kind], counts[kind], weights[kind],
                  round(counts[kind] * weights[kind] / weight_sum * 100, 2) if weight_sum else 0.0)
        for kind in JITTER_KINDS
    ]  # fmt: skip
    spans = [
        Span(i.status_id, i.status.name, (i.status.position, i.status_id), _display_state(i.status), i.started_at,
             i.ended_at)
        for i in history.intervals
    ]  # fmt: skip
    return Explanation(
        until=until, intervals=rows, first_active=first_active, done=done,
        waiting=[r for r in rows if r.waiting], jitter=jitter, weight_sum=weight_sum, events=events,
        timeline=timeline(spans=spans, until=until), credited=[c.person.name for c in history.credits],
    )  # fmt: skip
