"""Delivery metrics (docs/haystack-delivery-metrics.md): the measures of each
type, the buckets of a series, and how the partial aggregates the database returns become a
series value and an average. Plain data in, plain data out.

A range is whole UTC days, `[start, end]` inclusive. Buckets are Monday weeks (`week`) or calendar
months (`month`), each named by its first day (the week's Monday, the month's 1st) even when the
range starts later in it; every bucket that meets the range is present, empty ones included.

Kinds of measure, and what a bucket's value and the range's average are:

- count: items in the bucket (0 when none); average = mean per bucket (total / buckets).
- sum: sum of a value over the bucket's items (0 when none); average = mean per bucket.
- mean: mean of a value over the bucket's items (None when none); average = the mean over every
  item of the range (pooled, not a mean of bucket means).
- median: median of a value over the bucket's items (None when none); average = the median over
  every item of the range.
- ratio: Σ numerator / Σ denominator over the bucket's items (None when no denominator); average
  pooled over the range.
- per_week: items per week, the bucket's days inside the range / 7 being its weeks; average =
  items in the range / the range's weeks.

Durations are measured in seconds and reported in hours (2 decimals).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from formulas.aggregates import median

WEEK, MONTH, CYCLE = "week", "month", "cycle"
GRANULARITIES = (WEEK, MONTH, CYCLE)
ISSUE, PULL_REQUEST, CYCLE_TYPE, DEPLOYMENT = "issue", "pull_request", "cycle", "deployment"
TYPES = (ISSUE, PULL_REQUEST, CYCLE_TYPE, DEPLOYMENT)
COUNT, SUM, MEAN, MEDIAN, RATIO, PER_WEEK = "count", "sum", "mean", "median", "ratio", "per_week"
SECONDS_PER_HOUR = 3600
DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class Measure:
    """One measure of a type: `entity.name` is its key (`jiraIssue.count`)."""

    entity: str
    name: str
    title: str
    kind: str
    unit: str
    description: str

    @property
    def path(self) -> str:
        return f"{self.entity}.{self.name}"


MEASURES: dict[str, tuple[Measure, ...]] = {
    ISSUE: (
        Measure("jiraIssue", "count", "Issues created", COUNT, "issues", "Issues created in the bucket."),
        Measure("jiraIssue", "completedCount", "Issues completed", COUNT, "issues",
                "Issues whose last entry into a done state (not canceled) falls in the bucket."),
        Measure("jiraIssue", "cycleTime", "Cycle time", MEAN, "hours",
                "Time in active (in-progress, waiting included) statuses, summed over the intervals, of the issues "
                "completed in the bucket that were ever active; mean."),
        Measure("jiraIssue", "leadTime", "Lead time", MEAN, "hours",
                "Creation to completion of the issues completed in the bucket; mean."),
        Measure("jiraIssue", "completedStoryPoints", "Story points completed", SUM, "points",
                "Story points of the issues completed in the bucket (missing points count as 0)."),
    ),
    PULL_REQUEST: (
        Measure("pullRequest", "count", "Pull requests opened", COUNT, "pull requests",
                "Pull requests opened in the bucket."),
        Measure("pullRequest", "mergedCount", "Pull requests merged", COUNT, "pull requests",
                "Pull requests merged in the bucket."),
        Measure("pullRequest", "cycleTime", "Cycle time", MEAN, "hours",
                "First commit (else opening) to merge of the pull requests merged in the bucket; mean."),
        Measure("pullRequest", "reviewTime", "Review time", MEAN, "hours",
                "Opening to merge of the pull requests merged in the bucket; mean."),
        Measure("pullRequest", "pickupTime", "Pickup time", MEAN, "hours",
                "Opening to first review of the pull requests first reviewed in the bucket; mean."),
        Measure("pullRequest", "size", "Pull request size", MEAN, "lines",
                "Lines added plus lines deleted of the pull requests merged in the bucket; mean."),
    ),
    DEPLOYMENT: (
        Measure("deployment", "count", "Deployments", COUNT, "deployments",
                "Successful deployments in the bucket."),
        Measure("deployment", "frequency", "Deployment frequency", PER_WEEK, "deployments per week",
                "Successful deployments per week: the bucket's count / its weeks inside the range."),
        Measure("deployment", "leadTime", "Lead time for changes", MEDIAN, "hours",
                "Commit (committed time, else authored time) to the successful deployment that shipped it, over "
                "the (deployment, commit) pairs of the bucket; median."),
        Measure("deployment", "changeFailureRate", "Change failure rate", RATIO, "ratio",
                "Deployments that failed or caused an incident / all deployments of the bucket, in [0, 1]."),
    ),
}  # fmt: skip


# What each type can be grouped by and filtered on. Kinds: `person` and `entity` fields hold ids
# (`contains` matches the name), `team` a team id (its members and nested teams' members),
# `text` a string.
PERSON, ENTITY, TEAM, TEXT = "person", "entity", "team", "text"
GROUP_BY: dict[str, tuple[str, ...]] = {
    ISSUE: ("team", "author", "assignee", "reporter", "epic", "project", "work_type", "priority"),
    PULL_REQUEST: ("team", "author", "repository"),
    DEPLOYMENT: ("repository", "environment"),
    CYCLE_TYPE: (),
}
FILTER_FIELDS: dict[str, dict[str, str]] = {
    ISSUE: {
        "team": TEAM, "author": PERSON, "assignee": PERSON, "reporter": PERSON, "epic": TEXT, "project": ENTITY,
        "work_type": TEXT, "priority": TEXT,
    },
    PULL_REQUEST: {"team": TEAM, "author": PERSON, "repository": ENTITY},
    DEPLOYMENT: {"team": TEAM, "repository": ENTITY, "environment": TEXT},
    CYCLE_TYPE: {
        "team": TEAM, "assignee": PERSON, "epic": TEXT, "project": ENTITY, "work_type": TEXT, "sprint": ENTITY,
    },
}  # fmt: skip
IN, NOT_IN, EQUALS, NOT_EQUALS, CONTAINS = "in", "not_in", "equals", "not_equals", "contains"
OPERATORS = (IN, NOT_IN, EQUALS, NOT_EQUALS, CONTAINS)
ALL_GROUP_BY = tuple(dict.fromkeys(name for names in GROUP_BY.values() for name in names))
ALL_FILTER_FIELDS = tuple(dict.fromkeys(name for fields in FILTER_FIELDS.values() for name in fields))


# --- buckets --------------------------------------------------------------------------------


def bucket_start(day: date, granularity: str) -> date:
    """The first day of the bucket holding `day`: its week's Monday, or its month's 1st."""
    if granularity == WEEK:
        return day - timedelta(days=day.weekday())
    if granularity == MONTH:
        return day.replace(day=1)
    raise ValueError(f"no buckets for granularity {granularity!r}")


def next_bucket(start: date, granularity: str) -> date:
    if granularity == WEEK:
        return start + timedelta(days=DAYS_PER_WEEK)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket_starts(start: date, end: date, granularity: str) -> list[date]:
    """Every bucket that meets `[start, end]` (inclusive), by its first day, in order."""
    buckets, current = [], bucket_start(start, granularity)
    while current <= end:
        buckets.append(current)
        current = next_bucket(current, granularity)
    return buckets


def days_in_range(bucket: date, granularity: str, start: date, end: date) -> int:
    """How many days of the bucket lie inside `[start, end]` (inclusive)."""
    first = max(bucket, start)
    last = min(next_bucket(bucket, granularity) - timedelta(days=1), end)
    return max((last - first).days + 1, 0)


# --- partial aggregates ---------------------------------------------------------------------


@dataclass
class Partial:
    """What the database returns for one measure over one bucket (or the range) and one group:
    `count` items (the denominator of a mean or a ratio), `total` (their sum, or the numerator of
    a ratio), and for a median either its `samples` or the `value` the database computed."""

    count: int = 0
    total: float = 0.0
    samples: list[float] = field(default_factory=list)
    value: float | None = None

    def merge(self, other: "Partial") -> None:
        """Add another group's partial into this one (for counts, sums, means and ratios, or for
        medians given as samples)."""
        if self.value is not None or other.value is not None:
            raise ValueError("medians computed by the database cannot be merged")
        self.count += other.count
        self.total += other.total
        self.samples.extend(other.samples)


def merged(partials: Iterable[Partial | None]) -> Partial:
    result = Partial()
    for partial in partials:
        if partial is not None:
            result.merge(partial)
    return result


def json_number(value) -> int | float | None:
    """A number as the API writes it: whole numbers as integers (60, not 60.0)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _in_unit(measure: Measure, value: float | None) -> float | None:
    if value is None:
        return None
    if measure.unit == "hours":
        return round(value / SECONDS_PER_HOUR, 2)
    if measure.kind == RATIO:
        return round(value, 4)
    return round(value, 2)


def _central(measure: Measure, partial: Partial) -> float | None:
    """The mean, median or ratio of a partial, in the measure's unit."""
    if measure.kind == MEDIAN:
        value = partial.value if partial.value is not None else median(partial.samples)
    else:
        value = partial.total / partial.count if partial.count else None
    return _in_unit(measure, value)


def series_value(measure: Measure, partial: Partial | None, *, days: int) -> int | float | None:
    """The value of one bucket: `partial` is the bucket's (None when it has no items) and `days`
    the bucket's days inside the range."""
    partial = partial or Partial()
    if measure.kind == COUNT:
        return partial.count
    if measure.kind == SUM:
        return json_number(round(partial.total, 2))
    if measure.kind == PER_WEEK:
        return json_number(round(partial.count / (days / DAYS_PER_WEEK), 2)) if days else 0
    return json_number(_central(measure, partial))


def average_value(
    measure: Measure, bucket_partials: list[Partial | None], *, range_partial: Partial | None, days: int
) -> int | float | None:
    """The value over the whole range (Haystack's "averages"): `bucket_partials` are the buckets'
    partials, `range_partial` the range's own (needed for medians only) and `days` the range's days."""
    if measure.kind in (COUNT, SUM):
        if not bucket_partials:
            return None
        pooled = merged(bucket_partials)
        return json_number((pooled.count if measure.kind == COUNT else pooled.total) / len(bucket_partials))
    if measure.kind == PER_WEEK:
        return json_number(round(merged(bucket_partials).count / (days / DAYS_PER_WEEK), 2)) if days else 0
    if measure.kind == MEDIAN:
        return json_number(_central(measure, range_partial or Partial()))
    return json_number(_central(measure, merged(bucket_partials)))
