"""Reads of the Retrospective ticket metrics (SPEC §3) over a scope of tickets and date ranges.

Each function answers for several date ranges (the date range and its comparison periods) in one
query, whatever the number of ranges. A ticket counts in a range when it is completed (done, not
canceled) and its last entry into done falls inside the half-open range.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Aggregate, Avg, Count, FloatField, Q, QuerySet, Sum

from common.dateranges import DateRange
from tickets.models import Ticket

from .calculations.aggregates import median, percentile
from .calculations.tickets import JITTER_KINDS
from .models import StatusInterval, StatusTransition

CYCLE_TIME_PERCENTILE = 0.85


class PercentileCont(Aggregate):
    """PostgreSQL's PERCENTILE_CONT(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _in_range(date_range: DateRange, prefix: str = "metrics__") -> Q:
    return Q(**{f"{prefix}done_at__gte": date_range.start, f"{prefix}done_at__lt": date_range.end})


def ranges_containing(ranges: list[DateRange], instant) -> list[int]:
    """Indexes of the ranges that contain `instant` (periods may overlap one another)."""
    return [index for index, date_range in enumerate(ranges) if date_range.contains(instant)]


def completed_in_any(ranges: list[DateRange], prefix: str = "metrics__") -> Q:
    condition = Q()
    for date_range in ranges:
        condition |= _in_range(date_range, prefix)
    return condition


@dataclass
class RetrospectiveValues:
    """The Retrospective metrics of one date range. Durations in seconds."""

    date_range: DateRange
    tickets_completed: int = 0
    velocity: float = 0.0
    cycle_time_sample: int = 0
    cycle_time_median: float | None = None
    cycle_time_mean: float | None = None
    cycle_time_p85: float | None = None
    backflows: int = 0
    transitions: int = 0
    queue_time_median: float | None = None
    jitter: float = 0.0


def _uses_percentile_cont(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _percentile_aggregates(ranges: list[DateRange]) -> dict:
    aggregates = {}
    for index, date_range in enumerate(ranges):
        condition = _in_range(date_range)
        aggregates[f"cycle_median_{index}"] = PercentileCont("metrics__cycle_time_seconds", 0.5, filter=condition)
        aggregates[f"cycle_p85_{index}"] = PercentileCont(
            "metrics__cycle_time_seconds", CYCLE_TIME_PERCENTILE, filter=condition
        )
        aggregates[f"queue_median_{index}"] = PercentileCont("metrics__queue_time_seconds", 0.5, filter=condition)
    return aggregates


def _percentiles_from(row: dict, count: int) -> list[dict]:
    return [
        {
            "cycle_time_median": row[f"cycle_median_{index}"],
            "cycle_time_p85": row[f"cycle_p85_{index}"],
            "queue_time_median": row[f"queue_median_{index}"],
        }
        for index in range(count)
    ]


def duration_percentiles_sql(*, tickets: QuerySet[Ticket], ranges: list[DateRange]) -> list[dict]:
    """Median and p85 cycle time and median queue time per range, by PostgreSQL PERCENTILE_CONT."""
    row = tickets.filter(completed_in_any(ranges)).aggregate(**_percentile_aggregates(ranges))
    return _percentiles_from(row, len(ranges))


def duration_percentiles_python(*, tickets: QuerySet[Ticket], ranges: list[DateRange]) -> list[dict]:
    """The same numbers as `duration_percentiles_sql`, computed in Python from one query's rows
    (the fallback for databases without PERCENTILE_CONT)."""
    cycle_times: dict[int, list[int]] = defaultdict(list)
    queue_times: dict[int, list[int]] = defaultdict(list)
    rows = tickets.filter(completed_in_any(ranges)).values_list(
        "metrics__done_at", "metrics__cycle_time_seconds", "metrics__queue_time_seconds"
    )
    for done_at, cycle_time, queue_time in rows:
        for index in ranges_containing(ranges, done_at):
            if cycle_time is not None:
                cycle_times[index].append(cycle_time)
            queue_times[index].append(queue_time)
    return [
        {
            "cycle_time_median": median(cycle_times[index]),
            "cycle_time_p85": percentile(cycle_times[index], CYCLE_TIME_PERCENTILE),
            "queue_time_median": median(queue_times[index]),
        }
        for index in range(len(ranges))
    ]


def retrospective_metrics(*, tickets: QuerySet[Ticket], ranges: list[DateRange]) -> list[RetrospectiveValues]:
    """Tickets completed, velocity (Σ story points, missing = 0), cycle time (median, mean, p85
    over completed tickets that were ever active), backflows and transitions (pooled), queue time
    (median over completed tickets) and jitter (Σ) for each range."""
    aggregates = {}
    for index, date_range in enumerate(ranges):
        condition = _in_range(date_range)
        aggregates[f"completed_{index}"] = Count("id", filter=condition)
        aggregates[f"velocity_{index}"] = Sum("story_points", filter=condition)
        aggregates[f"backflows_{index}"] = Sum("metrics__backflows", filter=condition)
        aggregates[f"transitions_{index}"] = Sum("metrics__transitions", filter=condition)
        aggregates[f"jitter_{index}"] = Sum("metrics__jitter", filter=condition)
        aggregates[f"cycle_n_{index}"] = Count("metrics__cycle_time_seconds", filter=condition)
        aggregates[f"cycle_mean_{index}"] = Avg("metrics__cycle_time_seconds", filter=condition)
    in_database = _uses_percentile_cont(tickets)
    if in_database:
        aggregates.update(_percentile_aggregates(ranges))
    row = tickets.filter(completed_in_any(ranges)).aggregate(**aggregates)
    if in_database:
        percentiles = _percentiles_from(row, len(ranges))
    else:
        percentiles = duration_percentiles_python(tickets=tickets, ranges=ranges)
    return [
        RetrospectiveValues(
            date_range=date_range,
            tickets_completed=row[f"completed_{index}"],
            velocity=float(row[f"velocity_{index}"] or 0),
            cycle_time_sample=row[f"cycle_n_{index}"],
            cycle_time_mean=row[f"cycle_mean_{index}"],
            backflows=row[f"backflows_{index}"] or 0,
            transitions=row[f"transitions_{index}"] or 0,
            jitter=float(row[f"jitter_{index}"] or 0),
            **percentiles[index],
        )
        for index, date_range in enumerate(ranges)
    ]


@dataclass
class TicketRef:
    id: int
    key: str
    title: str


@dataclass
class Source:
    """One source of a metric in one range, with the tickets behind it (in id order)."""

    key: tuple
    label: dict
    incidents: int = 0
    weight: float = 0.0
    durations: list[float] = field(default_factory=list)
    tickets: dict[int, TicketRef] = field(default_factory=dict)

    def add(self, ticket: TicketRef, *, incidents: int = 1, weight: float = 0.0) -> None:
        self.incidents += incidents
        self.weight += weight
        self.tickets.setdefault(ticket.id, ticket)

    @property
    def ticket_list(self) -> list[TicketRef]:
        return [self.tickets[i] for i in sorted(self.tickets)]


def _sorted_sources(sources: dict) -> list[Source]:
    return sorted(sources.values(), key=lambda s: (-s.weight, -s.incidents, s.key))


def backflow_sources(*, tickets: QuerySet[Ticket], ranges: list[DateRange]) -> list[list[Source]]:
    """Per range, per (from status, to status): the backflow transitions of completed tickets
    (weight = number of backflows), heaviest first."""
    per_range: list[dict] = [{} for _ in ranges]
    rows = (
        StatusTransition.objects.filter(
            completed_in_any(ranges, "ticket__metrics__"), is_backflow=True, ticket__in=tickets
        )
        .values_list(
            "ticket__metrics__done_at", "ticket_id", "ticket__key", "ticket__title",
            "from_status__external_id", "from_status__name", "to_status__external_id", "to_status__name",
        )
        .order_by("ticket_id", "at", "id")
    )  # fmt: skip
    for done_at, ticket_id, key, title, from_id, from_name, to_id, to_name in rows:
        ticket = TicketRef(ticket_id, key, title)
        label = {"from_status": {"id": from_id, "name": from_name}, "to_status": {"id": to_id, "name": to_name}}
        for index in ranges_containing(ranges, done_at):
            source = per_range[index].setdefault(
                (from_name, to_name, from_id, to_id), Source((from_name, to_name), label)
            )
            source.add(ticket, weight=1)
    return [_sorted_sources(sources) for sources in per_range]


def jitter_sources(*, tickets: QuerySet[Ticket], ranges: list[DateRange]) -> list[list[Source]]:
    """Per range, per event type (comment, description edit, assignee change while active): the
    incidents and the jitter they contribute (count × weight / Σ weights × 100 with each ticket's
    project weights), heaviest first."""
    per_range: list[dict] = [{} for _ in ranges]
    rows = tickets.filter(completed_in_any(ranges)).values_list(
        "metrics__done_at", "id", "key", "title",
        "metrics__jitter_comments", "metrics__jitter_description_edits", "metrics__jitter_assignee_changes",
        "project__comment_weight", "project__description_edit_weight", "project__assignee_change_weight",
    ).order_by("id")  # fmt: skip
    for done_at, ticket_id, key, title, *counts_and_weights in rows:
        counts, weights = counts_and_weights[:3], counts_and_weights[3:]
        weight_sum = sum(weights)
        ticket = TicketRef(ticket_id, key, title)
        for index in ranges_containing(ranges, done_at):
            for kind, count, weight in zip(JITTER_KINDS, counts, weights, strict=True):
                if count:
                    source = per_range[index].setdefault(kind, Source((kind,), {"source": kind}))
                    source.add(ticket, incidents=count, weight=count * weight / weight_sum * 100 if weight_sum else 0)
    return [_sorted_sources(sources) for sources in per_range]


def queue_time_sources(*, tickets: QuerySet[Ticket], ranges: list[DateRange]) -> list[list[Source]]:
    """Per range, per waiting status: its incidents (entries into it) by completed tickets, and
    their durations (weight = total seconds), heaviest first."""
    per_range: list[dict] = [{} for _ in ranges]
    rows = (
        StatusInterval.objects.filter(
            completed_in_any(ranges, "ticket__metrics__"), status__is_waiting=True, ticket__in=tickets
        )
        .values_list(
            "ticket__metrics__done_at", "ticket_id", "ticket__key", "ticket__title",
            "status__external_id", "status__name", "started_at", "ended_at",
        )
        .order_by("ticket_id", "started_at", "id")
    )  # fmt: skip
    for done_at, ticket_id, key, title, status_id, status_name, started_at, ended_at in rows:
        seconds = (ended_at - started_at).total_seconds()  # completed tickets have left every waiting status
        ticket = TicketRef(ticket_id, key, title)
        label = {"status": {"id": status_id, "name": status_name}}
        for index in ranges_containing(ranges, done_at):
            source = per_range[index].setdefault((status_name, status_id), Source((status_name,), label))
            source.add(ticket, weight=seconds)
            source.durations.append(seconds)
    return [_sorted_sources(sources) for sources in per_range]
