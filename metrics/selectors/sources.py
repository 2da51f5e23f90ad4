"""Reads of the sources behind the Retrospective metrics (docs/flow-ticket-metrics.md, "Sources"):
backflows by status pair, jitter by event type, queue time by waiting status, each with the
completed tickets behind it.

Grouping happens in the database: one query per route, one row per source, with a column per
range (the date range and each period) holding that range's incidents and its tickets as a JSON
array, so the rows shipped to Python are as few as the sources, whatever the number of tickets.
A ticket counts in a range when its last entry into done falls inside the half-open range.
"""

import json
from dataclasses import dataclass, field

from django.db.models import Aggregate, Count, F, FloatField, Func, JSONField, Q, QuerySet, Sum, Value
from django.db.models.functions import JSONArray, NullIf

from common.dateranges import DateRange
from formulas.tickets import JITTER_KINDS
from metrics.selectors.retrospective import _in_range, completed_in_any
from tickets.models import Ticket


class JSONArrayAgg(Aggregate):
    """The group's values as one JSON array: PostgreSQL's JSONB_AGG, SQLite's JSON_GROUP_ARRAY."""

    function = "JSONB_AGG"
    name = "JSONArrayAgg"
    allow_distinct = True
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


class DurationSeconds(Func):
    """`ended - started` in seconds, to the microsecond, on PostgreSQL and SQLite."""

    arity = 2
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django registers django_timestamp_diff (microseconds) on every SQLite connection.
        return self.as_sql(compiler, connection, template="django_timestamp_diff(%(expressions)s) / 1000000.0")


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
    ticket_list: list[TicketRef] = field(default_factory=list)


def _ticket_refs(column) -> list[TicketRef]:
    """The [id, key, title] triples of a JSON column as TicketRefs in id order, without repeats."""
    if not column:
        return []
    triples = {}
    for triple in column:
        if isinstance(triple, str):  # SQLite's DISTINCT drops the JSON subtype: the array arrives as text
            triple = json.loads(triple)
        triples[triple[0]] = triple
    return [TicketRef(*triples[ticket_id]) for ticket_id in sorted(triples)]


def _tickets_json(*, prefix: str, distinct: bool, condition: Q) -> JSONArrayAgg:
    triple = JSONArray(F(f"{prefix}id"), F(f"{prefix}key"), F(f"{prefix}title"))
    return JSONArrayAgg(triple, distinct=distinct, filter=condition)


def _sorted_sources(sources: list[Source]) -> list[Source]:
    return sorted(sources, key=lambda s: (-s.weight, -s.incidents, s.key))


def backflow_sources(*, tickets: QuerySet[Ticket], ranges: list[DateRange]) -> list[list[Source]]:
    """Per range, per (from status, to status): the backflow transitions of completed tickets
    (weight = number of backflows), heaviest first."""
    aggregates = {}
    for index, date_range in enumerate(ranges):
        condition = _in_range(date_range)
        aggregates[f"incidents_{index}"] = Count("transitions__id", filter=condition)
        aggregates[f"tickets_{index}"] = _tickets_json(prefix="", distinct=True, condition=condition)
    rows = (
        tickets.filter(completed_in_any(ranges), transitions__is_backflow=True)
        .order_by()
        .values(
            "transitions__from_status__external_id", "transitions__from_status__name",
            "transitions__to_status__external_id", "transitions__to_status__name",
        )
        .annotate(**aggregates)
    )  # fmt: skip
    per_range: list[list[Source]] = [[] for _ in ranges]
    for row in rows:
        from_id, from_name = row["transitions__from_status__external_id"], row["transitions__from_status__name"]
        to_id, to_name = row["transitions__to_status__external_id"], row["transitions__to_status__name"]
        label = {"from_status": {"id": from_id, "name": from_name}, "to_status": {"id": to_id, "name": to_name}}
        for index in range(len(ranges)):
            if incidents := row[f"incidents_{index}"]:
                per_range[index].append(
                    Source(
                        key=(from_name, to_name, str(from_id), str(to_id)),
                        label=label,
                        incidents=incidents,
                        weight=incidents,
                        ticket_list=_ticket_refs(row[f"tickets_{index}"]),
                    )
                )
    return [_sorted_sources(sources) for sources in per_range]


_JITTER_COUNT_COLUMNS = {
    "comment": ("metrics__jitter_comments", "project__comment_weight"),
    "description_edit": ("metrics__jitter_description_edits", "project__description_edit_weight"),
    "assignee_change": ("metrics__jitter_assignee_changes", "project__assignee_change_weight"),
}


def jitter_sources(*, tickets: QuerySet[Ticket], ranges: list[DateRange]) -> list[list[Source]]:
    """Per range, per event type (comment, description edit, assignee change while active): the
    incidents and the jitter they contribute (count × weight / Σ weights × 100 with each ticket's
    project weights), heaviest first."""
    weight_sum = NullIf(
        F("project__comment_weight") + F("project__description_edit_weight") + F("project__assignee_change_weight"),
        0,
    )
    aggregates = {}
    for index, date_range in enumerate(ranges):
        condition = _in_range(date_range)
        for kind in JITTER_KINDS:
            count, weight = _JITTER_COUNT_COLUMNS[kind]
            contribution = F(count) * F(weight) * Value(100.0) / weight_sum
            aggregates[f"{kind}_incidents_{index}"] = Sum(count, filter=condition)
            aggregates[f"{kind}_jitter_{index}"] = Sum(contribution, output_field=FloatField(), filter=condition)
            aggregates[f"{kind}_tickets_{index}"] = _tickets_json(
                prefix="", distinct=False, condition=condition & Q(**{f"{count}__gt": 0})
            )
    row = tickets.filter(completed_in_any(ranges)).order_by().aggregate(**aggregates)
    per_range: list[list[Source]] = [[] for _ in ranges]
    for index in range(len(ranges)):
        for kind in JITTER_KINDS:
            if incidents := row[f"{kind}_incidents_{index}"]:
                per_range[index].append(
                    Source(
                        key=(kind,),
                        label={"source": kind},
                        incidents=incidents,
                        weight=row[f"{kind}_jitter_{index}"] or 0.0,
                        ticket_list=_ticket_refs(row[f"{kind}_tickets_{index}"]),
                    )
                )
    return [_sorted_sources(sources) for sources in per_range]


def queue_time_sources(*, tickets: QuerySet[Ticket], ranges: list[DateRange]) -> list[list[Source]]:
    """Per range, per waiting status: its incidents (entries into it) by completed tickets, and
    their durations (weight = total seconds), heaviest first."""
    seconds = DurationSeconds(F("status_intervals__ended_at"), F("status_intervals__started_at"))
    aggregates = {}
    for index, date_range in enumerate(ranges):
        condition = _in_range(date_range)
        aggregates[f"durations_{index}"] = JSONArrayAgg(seconds, filter=condition)
        aggregates[f"tickets_{index}"] = _tickets_json(prefix="", distinct=True, condition=condition)
    rows = (
        tickets.filter(completed_in_any(ranges), status_intervals__status__is_waiting=True)
        .order_by()
        .values("status_intervals__status__external_id", "status_intervals__status__name")
        .annotate(**aggregates)
    )
    per_range: list[list[Source]] = [[] for _ in ranges]
    for row in rows:
        status_id, status_name = row["status_intervals__status__external_id"], row["status_intervals__status__name"]
        for index in range(len(ranges)):
            # completed tickets have left every waiting status: every interval has an end
            if durations := [float(d) for d in row[f"durations_{index}"] or []]:
                per_range[index].append(
                    Source(
                        key=(status_name, str(status_id)),
                        label={"status": {"id": status_id, "name": status_name}},
                        incidents=len(durations),
                        weight=sum(durations),
                        durations=durations,
                        ticket_list=_ticket_refs(row[f"tickets_{index}"]),
                    )
                )
    return [_sorted_sources(sources) for sources in per_range]
