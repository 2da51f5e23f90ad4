"""The scope of a Haystack delivery metrics request (docs/haystack-delivery-metrics.md): the validated
query, what each groupBy and filter field means on each type, and the organization, team and
filters as one condition on the type's rows.

Everything belongs to the request's organization. A team confines the rows to the team's people and
the people of its nested teams (people hidden from reports left out): issues by assignee, pull
requests by author, deployments to those shipping a commit authored by one of them (and lead time
to those commits), sprints to the issues assigned to them.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    Exists,
    OuterRef,
    Q,
)

from accounts.models import Organization, Team, TeamMembership
from accounts.selectors import team_member_ids
from coding.models import DeploymentCommit
from formulas import delivery as calc
from tickets.models import Project


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


def team_members(query: DeliveryQuery, teams: list[Team]):
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


def filter_condition(spec: FilterSpec, lookup: str, name_lookups: tuple[str, ...], prefix: str) -> Q:
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
        return filter_condition(spec, lookup, name_lookups, prefix)
    if spec not in query.resolved:
        teams = Team.objects.filter(organization=query.organization)
        if spec.operator == calc.CONTAINS:
            teams = teams.filter(filter_condition(spec, "id", ("name",), ""))
        else:
            teams = teams.filter(id__in=list(spec.values))
        query.resolved[spec] = list(teams)
    condition = _people_condition(query, prefix, team_members(query, query.resolved[spec]))
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
        condition &= _people_condition(query, prefix, team_members(query, [query.team]))
    for spec in query.filters:
        if ticket_filters_only and spec.field in ("project", "sprint"):
            continue
        condition &= _filter_q(query, spec, prefix)
    return condition
