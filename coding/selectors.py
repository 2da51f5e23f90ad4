"""Reads behind the Flow coding routes: the coding metrics of `period_metrics`, aggregated in the
database from the per-person-per-day rollups, and the Teams and Users lookups."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, IntegerField, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Concat, TruncWeek

from accounts.models import Organization, Person, PersonAlias, Team, TeamMembership
from coding.models import Commit, PersonCodingDay
from formulas.coding import CodingMetrics, CodingTotals, coding_metrics, monday

WEEK, PERIOD = "week", "period"


# --- coding metrics ---------------------------------------------------------------------------


def coding_days(*, organization: Organization) -> QuerySet[PersonCodingDay]:
    """The organization's per-person-per-day rollups of included commits, people hidden from
    reports left out."""
    return PersonCodingDay.objects.filter(organization=organization, person__hidden_from_reports=False)


@dataclass(frozen=True)
class CodingWeeks:
    """Per Monday week: the sums of `CodingTotals`; and over the whole query, the number of
    engineers (people with at least one included commit) and the last day with data."""

    weeks: list[tuple[date, CodingTotals]]
    engineers: int
    last_day: date | None


def _as_date(value) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def coding_weeks(*, queryset: QuerySet[PersonCodingDay]) -> CodingWeeks:
    """Aggregate filtered rollups per Monday week, in one query whatever the number of rows: per
    (week, person) the distinct coding days and sums (a common table expression built by the ORM,
    computed once), then per week the engineer-weeks with a commit and the totals, with the number
    of distinct engineers beside them."""
    person_weeks = (
        queryset.order_by()
        .annotate(week=TruncWeek("day"))
        .values("week", "person_id")
        .annotate(
            n_days=Count("day", distinct=True),
            n_commits=Sum("commits"),
            n_haloc=Sum("haloc"),
            n_rework=Sum("rework_lines"),
            n_impact=Sum("impact"),
            n_last_day=Max("day"),
        )
    )
    inner, params = person_weeks.query.sql_with_params()
    sql = (
        f"WITH pw AS ({inner}) "
        "SELECT pw.week, COUNT(*), SUM(pw.n_days), SUM(pw.n_commits), SUM(pw.n_haloc), SUM(pw.n_rework), "
        "SUM(pw.n_impact), MAX(pw.n_last_day), (SELECT COUNT(DISTINCT e.person_id) FROM pw e) "
        "FROM pw GROUP BY pw.week ORDER BY pw.week"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    weeks, engineers, last_day = [], 0, None
    for week, active_weeks, days, commits, haloc, rework, impact, week_last_day, distinct_engineers in rows:
        weeks.append(
            (
                monday(_as_date(week)),
                CodingTotals(
                    coding_days=int(days), commits=int(commits or 0), haloc=int(haloc or 0),
                    rework_lines=int(rework or 0), impact=float(impact or 0), active_engineer_weeks=int(active_weeks),
                ),
            )
        )  # fmt: skip
        engineers = int(distinct_engineers)
        week_last_day = _as_date(week_last_day)
        last_day = week_last_day if last_day is None else max(last_day, week_last_day)
    return CodingWeeks(weeks=weeks, engineers=engineers, last_day=last_day)


def _days_between(start: date, end: date) -> int:
    return max((end - start).days + 1, 0)


def period_metrics(
    *, queryset: QuerySet[PersonCodingDay], start: date, end: date, resolution: str, today: date
) -> list[tuple[date | None, CodingMetrics]]:
    """The coding metrics of each Monday week with data (`resolution=week`), or of the range
    (`resolution=period`, its week None; nothing without data), unrounded.

    Days are counted from `start` to `end`, but not past today (or past the last day with data,
    when a commit's local date is already tomorrow): days that have not happened yet are not
    engineer-weeks. A week counts the days of its week inside that span."""
    data = coding_weeks(queryset=queryset.filter(day__range=(start, end)))
    if not data.weeks:
        return []
    last = min(end, max(today, data.last_day))
    if resolution == PERIOD:
        totals = sum((totals for _week, totals in data.weeks), CodingTotals())
        return [(None, coding_metrics(totals=totals, engineers=data.engineers, days=_days_between(start, last)))]
    values = []
    for week, totals in data.weeks:
        days = _days_between(max(week, start), min(week + timedelta(days=6), last))
        values.append((week, coding_metrics(totals=totals, engineers=data.engineers, days=days)))
    return values


# --- Teams and Users lookups (Flow core API) --------------------------------------------------


def _count(queryset: QuerySet, column: str, *, distinct: bool = False):
    """A correlated subquery counting `column` over `queryset` (rows of one organization), 0 when none."""
    counted = queryset.order_by().values("organization_id").annotate(n=Count(column, distinct=distinct)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def teams_with_counts(*, organization: Organization) -> QuerySet[Team]:
    """Teams with `nested_teams` (teams below, at any depth), `all_users` (distinct members of the
    team and of every team below) and `unnested_users` (direct members), all in one query."""
    below = Concat(OuterRef("path"), Value("."))
    nested = Team.objects.filter(organization=organization, path__startswith=below)
    everyone = TeamMembership.objects.filter(organization=organization).filter(
        Q(team_id=OuterRef("id")) | Q(team__path__startswith=below)
    )
    direct = TeamMembership.objects.filter(organization=organization, team_id=OuterRef("id"))
    return Team.objects.filter(organization=organization).annotate(
        nested_teams=_count(nested, "id"),
        all_users=_count(everyone, "person_id", distinct=True),
        unnested_users=_count(direct, "person_id", distinct=True),
    )


def team_ancestor_names(*, organization: Organization, teams: list[Team]) -> dict[int, str]:
    """Names of every team on the paths of `teams` (themselves included), in one query."""
    ids = {int(part) for team in teams for part in team.path.split(".") if part.isdigit()}
    return dict(Team.objects.filter(organization=organization, id__in=ids).values_list("id", "name"))


def people_with_activity(*, organization: Organization) -> QuerySet[Person]:
    """People with `alias_count`, `first_activity_at` / `last_activity_at` (their first and last
    authored commit), their login user, and their teams with counts, in three queries a page."""
    commits = Commit.objects.filter(organization=organization, author_id=OuterRef("id")).order_by().values("author_id")
    return (
        Person.objects.filter(organization=organization)
        .select_related("user")
        .annotate(
            alias_count=_count(PersonAlias.objects.filter(organization=organization, person_id=OuterRef("id")), "id"),
            first_activity_at=Subquery(commits.annotate(at=Min("authored_at")).values("at")),
            last_activity_at=Subquery(commits.annotate(at=Max("authored_at")).values("at")),
        )
        .prefetch_related(Prefetch("teams", queryset=teams_with_counts(organization=organization).order_by("id")))
    )
