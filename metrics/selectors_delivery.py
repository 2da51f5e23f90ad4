"""Reads of the Haystack delivery metrics (SPEC §3 "Delivery metrics" and "Sprint analytics").

Each read answers for every bucket and every group at once, in a fixed number of queries (one per
date the type's measures are counted by, plus one for team memberships when grouping by team),
whatever the number of buckets or groups. The database groups rows by (bucket, group) and returns
partial aggregates (counts, sums); `metrics.calculations.delivery` turns them into values. Medians
are PERCENTILE_CONT on PostgreSQL, computed in Python from the samples elsewhere.

Scope: everything belongs to the request's organization. A team confines the rows to the team's
people and the people of its nested teams (people hidden from reports left out): issues by
assignee, pull requests by author, deployments to those shipping a commit authored by one of them
(and lead time to those commits), sprints to the issues assigned to them.
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connections
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone

from accounts.models import Organization, Team, TeamMembership
from accounts.selectors import team_member_ids
from coding.models import Deployment, DeploymentCommit, PullRequest
from tickets.models import Project, Sprint, Ticket, TicketEvent

from .calculations import delivery as calc
from .calculations.delivery import Measure, Partial
from .calculations.sprints import (
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
from .models import StatusInterval
from .selectors import PercentileCont

NONE_KEY, NONE_NAME = "none", "None"
ALL_KEY = "all"


@dataclass(frozen=True)
class FilterSpec:
    """One `{field, operator, values}` filter, already validated for its type."""

    field: str
    operator: str
    values: tuple


@dataclass(frozen=True)
class DeliveryQuery:
    """A validated request: the range is whole UTC days, `end` included."""

    organization: Organization
    type: str
    start: date
    end: date
    granularity: str
    team: Team | None = None
    group_by: str | None = None
    filters: tuple[FilterSpec, ...] = ()
    resolved: dict = field(default_factory=dict, compare=False, repr=False)  # rows a request reads once

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        """The first instant after the range."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Group:
    key: str
    name: str


@dataclass
class SeriesResult:
    """Partials by (measure name, group key, bucket) and, for medians, by (measure name, group key)
    over the whole range. Ungrouped results have the one group ALL_KEY."""

    measures: tuple[Measure, ...]
    buckets: list[date]
    groups: list[Group]
    cells: dict[tuple[str, str, date], Partial] = field(default_factory=dict)
    ranges: dict[tuple[str, str], Partial] = field(default_factory=dict)


# --- what each field means on each type -----------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """A field of a type's rows: its lookup, the lookup of its display name, whether it names a
    person (hidden people are never named) and whether grouping fans out to the person's teams."""

    lookup: str
    name_lookup: str | None = None
    person: bool = False
    teams: bool = False


_ISSUE_DIMENSIONS = {
    "team": Dimension("assignee_id", person=True, teams=True),
    "author": Dimension("assignee_id", "assignee__name", person=True),
    "assignee": Dimension("assignee_id", "assignee__name", person=True),
    "reporter": Dimension("reporter_id", "reporter__name", person=True),
    "epic": Dimension("epic"),
    "project": Dimension("project_id", "project__name"),
    "work_type": Dimension("work_type"),
    "priority": Dimension("priority"),
}
DIMENSIONS = {
    calc.ISSUE: _ISSUE_DIMENSIONS,
    calc.PULL_REQUEST: {
        "team": Dimension("author_id", person=True, teams=True),
        "author": Dimension("author_id", "author__name", person=True),
        "repository": Dimension("repository_id", "repository__name"),
    },
    calc.DEPLOYMENT: {
        "repository": Dimension("repository_id", "repository__name"),
        "environment": Dimension("environment"),
    },
    calc.CYCLE_TYPE: {name: _ISSUE_DIMENSIONS[name] for name in ("team", "assignee", "epic", "work_type")},
}


def _team_members(query: DeliveryQuery, teams: list[Team]):
    """The people of the teams and their nested teams (none for no teams), as a subquery."""
    if not teams:
        return TeamMembership.objects.none().values("person_id")
    return team_member_ids(organization=query.organization, teams=teams, include_nested=True)


# A filter field's id (or value) lookup and the lookups `contains` matches, per type. Team
# filters and the cycle type's project and sprint filters are handled apart.
_PERSON_FILTERS = {
    "author": ("assignee_id", ("assignee__name",)),
    "assignee": ("assignee_id", ("assignee__name",)),
    "reporter": ("reporter_id", ("reporter__name",)),
}
_TICKET_FILTERS = {
    **_PERSON_FILTERS,
    "epic": ("epic", ("epic",)),
    "project": ("project_id", ("project__name", "project__key")),
    "work_type": ("work_type", ("work_type",)),
    "priority": ("priority", ("priority",)),
}
_REPOSITORY_FILTER = ("repository_id", ("repository__name",))
FILTER_LOOKUPS = {
    calc.ISSUE: _TICKET_FILTERS,
    calc.PULL_REQUEST: {"author": ("author_id", ("author__name",)), "repository": _REPOSITORY_FILTER},
    calc.DEPLOYMENT: {"repository": _REPOSITORY_FILTER, "environment": ("environment", ("environment",))},
    calc.CYCLE_TYPE: _TICKET_FILTERS,
}
SPRINT_FILTERS = {"project": ("project_id", ("project__name", "project__key")), "sprint": ("id", ("name",))}


def _condition(spec: FilterSpec, lookup: str, name_lookups: tuple[str, ...], prefix: str) -> Q:
    """`in` / `equals` on the lookup, `not_in` / `not_equals` their negation, `contains` a
    case-insensitive substring of any of the name lookups, for any of the values."""
    if spec.operator == calc.CONTAINS:
        condition = Q()
        for value in spec.values:
            for name_lookup in name_lookups:
                condition |= Q(**{f"{prefix}{name_lookup}__icontains": value})
        return condition
    condition = Q(**{f"{prefix}{lookup}__in": list(spec.values)})
    return ~condition if spec.operator in (calc.NOT_IN, calc.NOT_EQUALS) else condition


def _filter_q(query: DeliveryQuery, spec: FilterSpec, prefix: str) -> Q:
    """One filter as a condition on the type's rows (`prefix` leads every lookup). A team filter
    matches the rows of the people of the teams it names (by id, or by name with `contains`) and
    of their nested teams."""
    if spec.field != "team":
        lookup, name_lookups = FILTER_LOOKUPS[query.type][spec.field]
        return _condition(spec, lookup, name_lookups, prefix)
    if spec not in query.resolved:
        teams = Team.objects.filter(organization=query.organization)
        if spec.operator == calc.CONTAINS:
            teams = teams.filter(_condition(spec, "id", ("name",), ""))
        else:
            teams = teams.filter(id__in=list(spec.values))
        query.resolved[spec] = list(teams)
    condition = _people_condition(query, prefix, _team_members(query, query.resolved[spec]))
    return ~condition if spec.operator in (calc.NOT_IN, calc.NOT_EQUALS) else condition


def _people_condition(query: DeliveryQuery, prefix: str, people) -> Q:
    """Rows of the given people: issues by assignee, pull requests by author, deployments shipping
    a commit authored by one of them."""
    if query.type in (calc.ISSUE, calc.CYCLE_TYPE):
        return Q(**{f"{prefix}assignee_id__in": people})
    if query.type == calc.PULL_REQUEST:
        return Q(**{f"{prefix}author_id__in": people})
    shipped = DeploymentCommit.objects.filter(deployment_id=OuterRef(f"{prefix}pk"), commit__author_id__in=people)
    return Q(Exists(shipped))


def scope_q(query: DeliveryQuery, prefix: str = "", *, ticket_filters_only: bool = False) -> Q:
    """The organization, the team and the filters, as one condition on the type's rows."""
    condition = Q(**{f"{prefix}organization": query.organization})
    if query.type in (calc.ISSUE, calc.CYCLE_TYPE):
        condition &= Q(**{f"{prefix}project__kind": Project.Kind.DELIVERY})
    if query.team is not None:
        condition &= _people_condition(query, prefix, _team_members(query, [query.team]))
    for spec in query.filters:
        if ticket_filters_only and spec.field in ("project", "sprint"):
            continue
        condition &= _filter_q(query, spec, prefix)
    return condition


# --- grouping -------------------------------------------------------------------------------


def _seconds(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


class Grouper:
    """Reads each row's group from its columns (`prefix` leads them when the rows are of a related
    model) and resolves the groups once all rows are in: people hidden from reports and missing
    values fall under NONE_KEY; grouping by team puts a person's rows under each of their teams
    (within the requested team's subtree)."""

    def __init__(self, query: DeliveryQuery):
        self.query = query
        self.dimension = DIMENSIONS[query.type][query.group_by] if query.group_by else None
        self._names: dict[object, str] = {}

    def columns(self, prefix: str = "") -> list[str]:
        if self.dimension is None:
            return []
        columns = [f"{prefix}{self.dimension.lookup}"]
        if self.dimension.name_lookup:
            columns.append(f"{prefix}{self.dimension.name_lookup}")
        if self.dimension.person:
            columns.append(f"{prefix}{self.dimension.lookup.removesuffix('_id')}__hidden_from_reports")
        return columns

    def raw_key(self, row: dict, prefix: str = ""):
        """The row's group value (an id, a string, or None for none and hidden people),
        remembering its name."""
        if self.dimension is None:
            return ALL_KEY
        columns = self.columns(prefix)
        value = row[columns[0]]
        if value in ("", None) or (self.dimension.person and row[columns[-1]]):
            return None
        if self.dimension.name_lookup:
            self._names[value] = row[columns[1]]
        return value

    def resolve(self, raw_keys: Iterable) -> dict[object, list[Group]]:
        """Each raw key's groups (one, or one per team for team grouping)."""
        raw_keys = set(raw_keys)
        if self.dimension is None:
            return {ALL_KEY: [Group(ALL_KEY, "All")]}
        none = [Group(NONE_KEY, NONE_NAME)]
        if self.dimension.teams:
            return self._teams_of(raw_keys, none)
        return {raw: none if raw is None else [Group(str(raw), self._names.get(raw, str(raw)))] for raw in raw_keys}

    def _teams_of(self, person_ids: set, none: list[Group]) -> dict[object, list[Group]]:
        memberships = TeamMembership.objects.filter(
            organization=self.query.organization, person_id__in=[p for p in person_ids if p is not None]
        )
        if self.query.team is not None:
            memberships = memberships.filter(
                Q(team_id=self.query.team.id) | Q(team__path__startswith=self.query.team.subtree_prefix())
            )
        teams: dict[object, list[Group]] = defaultdict(list)
        rows = memberships.values_list("person_id", "team_id", "team__name").order_by("team_id")
        for person_id, team_id, team_name in rows:
            teams[person_id].append(Group(str(team_id), team_name))
        return {person_id: teams.get(person_id) or none for person_id in person_ids}


class Collector:
    """Gathers partials by (measure, raw group, bucket) and resolves them into a SeriesResult."""

    def __init__(self, query: DeliveryQuery, grouper: Grouper):
        self.query, self.grouper = query, grouper
        self.cells: dict[tuple[str, object, date], Partial] = {}
        self.ranges: dict[tuple[str, object], Partial] = {}

    def add(self, measure: str, raw, bucket: date | None, partial: Partial) -> None:
        target = self.ranges if bucket is None else self.cells
        key = (measure, raw) if bucket is None else (measure, raw, bucket)
        if key in target:
            target[key].merge(partial)
        else:
            target[key] = partial

    def result(self) -> SeriesResult:
        raw_keys = {key[1] for key in self.cells} | {key[1] for key in self.ranges}
        groups_of = self.grouper.resolve(raw_keys)
        result = SeriesResult(
            measures=calc.MEASURES[self.query.type],
            buckets=calc.bucket_starts(self.query.start, self.query.end, self.query.granularity),
            groups=[],
        )
        seen: dict[str, Group] = {}
        for (measure, raw, bucket), partial in self.cells.items():
            for group in groups_of[raw]:
                seen[group.key] = group
                _merge_into(result.cells, (measure, group.key, bucket), partial)
        for (measure, raw), partial in self.ranges.items():
            for group in groups_of[raw]:
                seen[group.key] = group
                _merge_into(result.ranges, (measure, group.key), partial)
        if self.grouper.dimension is None:
            seen = {ALL_KEY: Group(ALL_KEY, "All")}
        result.groups = sorted(seen.values(), key=lambda g: (g.key == NONE_KEY, g.name.casefold(), g.key))
        return result


def _merge_into(target: dict, key, partial: Partial) -> None:
    if key in target:
        target[key].merge(partial)
    else:
        target[key] = Partial(partial.count, partial.total, list(partial.samples), partial.value)


def _bucket_of(moment: datetime, granularity: str) -> date:
    return calc.bucket_start(moment.astimezone(UTC).date(), granularity)


def _bucketed(
    queryset: QuerySet, query: DeliveryQuery, grouper: Grouper, date_lookup: str, prefix: str = "", **aggregates
) -> list[tuple]:
    """Rows of `queryset` whose `date_lookup` lies in the range, grouped by bucket and group, with
    the aggregates: [(raw group, bucket, row)]."""
    rows = (
        queryset.filter(**{f"{date_lookup}__gte": query.start_at, f"{date_lookup}__lt": query.end_at})
        .annotate(delivery_bucket=Trunc(date_lookup, query.granularity, output_field=DateTimeField(), tzinfo=UTC))
        .values("delivery_bucket", *grouper.columns(prefix))
        .annotate(**aggregates)
        .order_by()
    )
    return [(grouper.raw_key(row, prefix), _bucket_of(row["delivery_bucket"], query.granularity), row) for row in rows]


def _duration(later: str, earlier) -> ExpressionWrapper:
    earlier = F(earlier) if isinstance(earlier, str) else earlier
    return ExpressionWrapper(F(later) - earlier, output_field=DurationField())


def _uses_percentile_cont(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


class EpochSeconds(Func):
    """PostgreSQL: the seconds of an interval."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


# --- series: issues, pull requests, deployments ---------------------------------------------


def issue_series(query: DeliveryQuery) -> SeriesResult:
    """Issues created and completed, cycle time (summed active intervals), lead time and story
    points completed, per bucket and group: three queries."""
    grouper = Grouper(query)
    collect = Collector(query, grouper)
    tickets = Ticket.objects.filter(scope_q(query))
    for raw, bucket, row in _bucketed(tickets, query, grouper, "created_at", n=Count("id")):
        collect.add("count", raw, bucket, Partial(count=row["n"]))
    ordered = Q(metrics__done_at__gte=F("created_at"))  # a completion recorded before creation has no lead time
    completed = _bucketed(
        tickets, query, grouper, "metrics__done_at",
        n=Count("id"),
        lead=Sum(_duration("metrics__done_at", "created_at"), filter=ordered), lead_n=Count("id", filter=ordered),
        points=Sum(Coalesce("story_points", Value(Decimal(0)))),
    )  # fmt: skip
    for raw, bucket, row in completed:
        collect.add("completedCount", raw, bucket, Partial(count=row["n"]))
        collect.add("leadTime", raw, bucket, Partial(count=row["lead_n"], total=_seconds(row["lead"])))
        collect.add("completedStoryPoints", raw, bucket, Partial(count=row["n"], total=float(row["points"] or 0)))
    intervals = StatusInterval.objects.filter(
        scope_q(query, "ticket__"), status__state="active", ended_at__isnull=False
    )
    active = _bucketed(
        intervals, query, grouper, "ticket__metrics__done_at", "ticket__",
        total=Sum(_duration("ended_at", "started_at")), n=Count("ticket_id", distinct=True),
    )  # fmt: skip
    for raw, bucket, row in active:
        collect.add("cycleTime", raw, bucket, Partial(count=row["n"], total=_seconds(row["total"])))
    return collect.result()


def pull_request_series(query: DeliveryQuery) -> SeriesResult:
    """Pull requests opened and merged, cycle, review and pickup time and size, per bucket and
    group: three queries (by opening, merge and first review time)."""
    grouper = Grouper(query)
    collect = Collector(query, grouper)
    pulls = PullRequest.objects.filter(scope_q(query)).alias(
        started_at=Coalesce("first_commit_at", "created_at"),
    )
    for raw, bucket, row in _bucketed(pulls, query, grouper, "created_at", n=Count("id")):
        collect.add("count", raw, bucket, Partial(count=row["n"]))
    coded = Q(merged_at__gte=F("started_at"))
    reviewed = Q(merged_at__gte=F("created_at"))
    merged = _bucketed(
        pulls, query, grouper, "merged_at",
        n=Count("id"),
        cycle=Sum(_duration("merged_at", F("started_at")), filter=coded), cycle_n=Count("id", filter=coded),
        review=Sum(_duration("merged_at", "created_at"), filter=reviewed), review_n=Count("id", filter=reviewed),
        size=Sum(F("additions") + F("deletions")),
    )  # fmt: skip
    for raw, bucket, row in merged:
        collect.add("mergedCount", raw, bucket, Partial(count=row["n"]))
        collect.add("cycleTime", raw, bucket, Partial(count=row["cycle_n"], total=_seconds(row["cycle"])))
        collect.add("reviewTime", raw, bucket, Partial(count=row["review_n"], total=_seconds(row["review"])))
        collect.add("size", raw, bucket, Partial(count=row["n"], total=float(row["size"] or 0)))
    picked = Q(first_review_at__gte=F("created_at"))
    first_reviews = _bucketed(
        pulls, query, grouper, "first_review_at",
        pickup=Sum(_duration("first_review_at", "created_at"), filter=picked), pickup_n=Count("id", filter=picked),
    )  # fmt: skip
    for raw, bucket, row in first_reviews:
        collect.add("pickupTime", raw, bucket, Partial(count=row["pickup_n"], total=_seconds(row["pickup"])))
    return collect.result()


SUCCESS = "success"


def deployment_series(query: DeliveryQuery) -> SeriesResult:
    """Deployments (count, frequency, change failure rate) and lead time for changes (median),
    per bucket and group: two queries, three on PostgreSQL (the range's medians)."""
    grouper = Grouper(query)
    collect = Collector(query, grouper)
    deployments = Deployment.objects.filter(scope_q(query))
    counted = _bucketed(
        deployments, query, grouper, "deployed_at",
        ok=Count("id", filter=Q(status=SUCCESS)), n=Count("id"),
        failed=Count("id", filter=~Q(status=SUCCESS) | Q(caused_incident=True)),
    )  # fmt: skip
    for raw, bucket, row in counted:
        collect.add("count", raw, bucket, Partial(count=row["ok"]))
        collect.add("frequency", raw, bucket, Partial(count=row["ok"]))
        collect.add("changeFailureRate", raw, bucket, Partial(count=row["n"], total=row["failed"]))
    pairs = DeploymentCommit.objects.filter(scope_q(query, "deployment__"), deployment__status=SUCCESS)
    if query.team is not None:
        pairs = pairs.filter(commit__author_id__in=_team_members(query, [query.team]))
    lead = _duration("deployment__deployed_at", Coalesce("commit__committed_at", "commit__authored_at"))
    pairs = pairs.alias(lead=lead)
    prefix = "deployment__"
    if _uses_percentile_cont(pairs):
        positive = pairs.filter(lead__gt=timedelta(0))
        median = PercentileCont(EpochSeconds(lead), 0.5)
        for raw, bucket, row in _bucketed(
            positive, query, grouper, "deployment__deployed_at", prefix, n=Count("id"), median=median
        ):
            collect.add("leadTime", raw, bucket, Partial(count=row["n"], value=row["median"]))
        in_range = positive.filter(
            deployment__deployed_at__gte=query.start_at, deployment__deployed_at__lt=query.end_at
        )
        columns = grouper.columns(prefix)
        if columns:
            rows = list(in_range.values(*columns).annotate(n=Count("id"), median=median).order_by())
        else:
            rows = [in_range.aggregate(n=Count("id"), median=median)]
        for row in rows:
            if row["n"]:
                collect.add("leadTime", grouper.raw_key(row, prefix), None, Partial(row["n"], value=row["median"]))
    else:
        in_range = pairs.filter(
            deployment__deployed_at__gte=query.start_at, deployment__deployed_at__lt=query.end_at
        ).values("deployment__deployed_at", "commit__committed_at", "commit__authored_at", *grouper.columns(prefix))
        for row in in_range:
            committed = row["commit__committed_at"] or row["commit__authored_at"]
            seconds = (row["deployment__deployed_at"] - committed).total_seconds()
            if seconds <= 0:
                continue
            raw = grouper.raw_key(row, prefix)
            bucket = _bucket_of(row["deployment__deployed_at"], query.granularity)
            collect.add("leadTime", raw, bucket, Partial(count=1, samples=[seconds]))
            collect.add("leadTime", raw, None, Partial(count=1, samples=[seconds]))
    return collect.result()


SERIES = {calc.ISSUE: issue_series, calc.PULL_REQUEST: pull_request_series, calc.DEPLOYMENT: deployment_series}


def delivery_series(query: DeliveryQuery) -> SeriesResult:
    return SERIES[query.type](query)


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
            sprints = sprints.filter(_condition(spec, lookup, name_lookups, ""))
    return list(sprints.order_by("start_at", "id").only("id", "name", "state", "start_at", "planned_end_at",
                                                         "completed_at"))  # fmt: skip


def sprint_rows(query: DeliveryQuery) -> list[SprintRow]:
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
