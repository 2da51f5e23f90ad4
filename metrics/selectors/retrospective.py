"""Reads of the Retrospective ticket metrics (docs/flow-ticket-metrics.md) over a scope of tickets and date ranges.

Each function answers for several date ranges (the date range and its comparison periods) in one
query, whatever the number of ranges. A ticket counts in a range when it is completed (done, not
canceled) and its last entry into done falls inside the half-open range.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connections
from django.db.models import Aggregate, Avg, Count, FloatField, Q, QuerySet, Sum

from common.dateranges import DateRange
from formulas.aggregates import median, percentile
from tickets.models import Ticket

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


def uses_percentile_cont(queryset: QuerySet) -> bool:
    """Whether `queryset`'s database computes percentiles itself (PostgreSQL's PERCENTILE_CONT);
    elsewhere the exact Python fallback of formulas.aggregates is used."""
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
    in_database = uses_percentile_cont(tickets)
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
