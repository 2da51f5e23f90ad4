"""Reads of Haystack's sprint analytics (docs/haystack-delivery-metrics.md, "Sprint analytics",
`granularity: cycle`): the sprints of the range and, from sprint membership history, each one's
analytics, in four queries whatever the number of sprints. The math is `formulas.sprints`.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import (
    Q,
)
from django.utils import timezone

from formulas.sprints import (
    MembershipChange,
    PointsChange,
    SprintAnalytics,
    SprintTicket,
    exclusion_rules,
    is_excluded,
    membership,
    points_at,
    sprint_analytics,
)
from metrics.models import StatusInterval
from metrics.selectors.delivery.scope import SPRINT_FILTERS, DeliveryQuery, filter_condition, scope_q
from tickets.models import Sprint, TicketEvent

# --- sprints --------------------------------------------------------------------------------


@dataclass
class SprintRow:
    id: int
    name: str
    state: str
    start: datetime
    end: datetime
    analytics: SprintAnalytics


def sprint_end(sprint: Sprint, now: datetime) -> datetime:
    """t1: the sprint's completed time, else its planned end, else now."""
    return sprint.completed_at or sprint.planned_end_at or now


def _points(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text not in ("", None) else None
    except InvalidOperation:
        return None


def _sprints(query: DeliveryQuery) -> list[Sprint]:
    """Started sprints (active or closed) whose [start, end] meets the range, in start order."""
    sprints = Sprint.objects.filter(
        Q(completed_at__gte=query.start_at)
        | Q(completed_at__isnull=True, planned_end_at__gte=query.start_at)
        | Q(completed_at__isnull=True, planned_end_at__isnull=True),
        organization=query.organization,
        state__in=[Sprint.State.ACTIVE, Sprint.State.CLOSED],
        start_at__isnull=False,
        start_at__lt=query.end_at,
    )
    for spec in query.filters:
        if spec.field in SPRINT_FILTERS:
            lookup, name_lookups = SPRINT_FILTERS[spec.field]
            sprints = sprints.filter(filter_condition(spec, lookup, name_lookups, ""))
    return list(sprints.order_by("start_at", "id").only("id", "name", "state", "start_at", "planned_end_at",
                                                         "completed_at"))  # fmt: skip


def sprint_rows(*, query: DeliveryQuery) -> list[SprintRow]:
    """Every sprint of the range with its analytics, from membership history: four queries
    (sprints, their add/remove events, the tickets' status intervals around the sprints' ends,
    their story point changes). With a team or ticket filters, only the sprints that held one of
    the tickets in scope between their start and end."""
    now = timezone.now()
    sprints = _sprints(query)
    if not sprints:
        return []
    ends = {sprint.id: sprint_end(sprint, now) for sprint in sprints}
    events = TicketEvent.objects.filter(
        scope_q(query, "ticket__", ticket_filters_only=True),
        organization=query.organization,
        kind=TicketEvent.Kind.SPRINT,
        sprint_id__in=[sprint.id for sprint in sprints],
    )
    changes: dict[int, dict[int, list[MembershipChange]]] = defaultdict(lambda: defaultdict(list))
    tickets: dict[int, tuple[str, Decimal | None]] = {}
    rows = events.values_list("sprint_id", "ticket_id", "at", "sprint_action", "ticket__work_type",
                              "ticket__story_points").order_by("sprint_id", "ticket_id", "at", "id")  # fmt: skip
    for sprint_id, ticket_id, at, action, work_type, story_points in rows:
        changes[sprint_id][ticket_id].append(MembershipChange(at, action))
        tickets[ticket_id] = (work_type, story_points)
    ticket_ids = events.values("ticket_id")
    done_intervals = _done_intervals(
        query.organization, ticket_ids, earliest=min(ends.values()), latest=max(ends.values())
    )
    point_changes: dict[int, list[PointsChange]] = defaultdict(list)
    point_rows = TicketEvent.objects.filter(
        organization=query.organization, kind=TicketEvent.Kind.STORY_POINTS, ticket_id__in=ticket_ids
    ).values_list("ticket_id", "at", "from_value", "to_value")
    for ticket_id, at, before, after in point_rows.order_by("ticket_id", "at", "id"):
        point_changes[ticket_id].append(PointsChange(at, _points(before), _points(after)))
    rules = exclusion_rules(query.organization.sprint_excluded_work_types)
    only_touched = query.team is not None or any(s.field not in ("project", "sprint") for s in query.filters)
    result = []
    for sprint in sprints:
        start, end = sprint.start_at, max(ends[sprint.id], sprint.start_at)
        members = []
        for ticket_id, ticket_changes in changes[sprint.id].items():
            work_type, current_points = tickets[ticket_id]
            role = membership(ticket_changes, start=start, end=end)
            if not role.touched:
                continue
            members.append(
                SprintTicket(
                    membership=role,
                    done_at_end=_done_at(done_intervals.get(ticket_id, ()), end),
                    points_at_end=points_at(point_changes.get(ticket_id, []), current=current_points, at=end),
                    excluded=is_excluded(work_type, rules),
                )
            )
        if only_touched and not members:
            continue
        result.append(SprintRow(sprint.id, sprint.name, sprint.state, start, end, sprint_analytics(members)))
    return result


def _done_intervals(organization, ticket_ids, *, earliest: datetime, latest: datetime) -> dict[int, list[tuple]]:
    """Per ticket, its status intervals that may hold one of the sprint ends, as (start, end,
    completed) in start order; completed = a done state, not canceled."""
    rows = (
        StatusInterval.objects.filter(organization=organization, ticket_id__in=ticket_ids, started_at__lte=latest)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=earliest))
        .values_list("ticket_id", "started_at", "ended_at", "status__state", "status__is_canceled")
        .order_by("ticket_id", "started_at", "id")
    )
    intervals: dict[int, list[tuple]] = defaultdict(list)
    for ticket_id, started_at, ended_at, state, canceled in rows:
        intervals[ticket_id].append((started_at, ended_at, state == "done" and not canceled))
    return intervals


def _done_at(intervals, at: datetime) -> bool:
    """Whether the interval holding `at` is a completed (done, not canceled) status."""
    index = bisect_right([interval[0] for interval in intervals], at) - 1
    if index < 0:
        return False
    _started, ended, completed = intervals[index]
    return completed and (ended is None or at < ended)
