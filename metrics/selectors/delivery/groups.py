"""Grouping and bucketing for the Haystack delivery metrics: the database groups rows by (bucket,
group) and returns partial aggregates; `Grouper` reads each row's group and resolves the groups
(names, hidden people, teams) once all rows are in, in one more query at most (team memberships);
`Collector` gathers the partials into a `SeriesResult`.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import Trunc

from accounts.models import TeamMembership
from formulas import delivery as calc
from formulas.delivery import Measure, Partial
from metrics.selectors.delivery.scope import DIMENSIONS, DeliveryQuery

NONE_KEY, NONE_NAME = "none", "None"
ALL_KEY = "all"


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


# --- grouping -------------------------------------------------------------------------------


def as_seconds(value) -> float:
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


def bucket_of(moment: datetime, granularity: str) -> date:
    return calc.bucket_start(moment.astimezone(UTC).date(), granularity)


def bucketed(
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
    return [(grouper.raw_key(row, prefix), bucket_of(row["delivery_bucket"], query.granularity), row) for row in rows]


def duration(later: str, earlier) -> ExpressionWrapper:
    earlier = F(earlier) if isinstance(earlier, str) else earlier
    return ExpressionWrapper(F(later) - earlier, output_field=DurationField())
