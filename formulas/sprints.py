"""Sprint analytics (docs/haystack-delivery-metrics.md, "Sprint analytics", Haystack's
`type=cycle`), rebuilt from sprint membership history. Plain data in, plain data out; times are
aware datetimes.

For a sprint S with start t0 and end t1 (its completed time, else its planned end):

- in S at t: the ticket's last add/remove event for S at or before t is an add;
- committed: in S at t0 (an add at exactly t0 is committed work);
- injected: not in S at t0, and added to S after t0, at or before t1;
- removed: in S at some time in [t0, t1] (so committed or injected) but not in S at t1;
- issueCount: in S at t1. Every ticket in S at t1 was committed or injected, and every committed
  or injected ticket is in S at t1 unless removed, so issueCount = committed + injected − removed
  holds for every sprint, for counts and for story points alike;
- completed: of those in S at t1, the ones done (a done state, not canceled) at t1;
- excluded: tickets matched by the organization's exclusion rules (by work type) are left out of
  every set above and reported beside them: excludedIssueCount counts those in S at t1;
- story points: each ticket's points at t1 (missing = 0), summed over a set; the sum of an empty
  set is None, as SQL's SUM is (the Haystack document shows `"removedStoryPoints": null` beside
  `"removedIssueCount": "0"`);
- completionRate = completed / issueCount and storyPointCompletionRate = completed points / total
  points, in [0, 1], None when the denominator is 0.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

ADD, REMOVE = "add", "remove"


@dataclass(frozen=True)
class MembershipChange:
    """A ticket added to or removed from a sprint."""

    at: datetime
    action: str


def in_sprint_at(changes: Sequence[MembershipChange], at: datetime) -> bool:
    """Whether the ticket is in the sprint at `at`: its last change at or before `at` is an add.
    `changes` are one ticket's changes for one sprint, in time order."""
    member = False
    for change in changes:
        if change.at > at:
            break
        member = change.action == ADD
    return member


def current_sprint(changes: Iterable[tuple[datetime, str, int]]) -> int | None:
    """The sprint a ticket is in now (its `sprint` field): of the sprints it was added to and not
    removed from since, the one it joined last (the larger id on a tie). `changes` are the
    ticket's (at, action, sprint id) over all sprints, in time order."""
    members: dict[int, datetime] = {}
    for at, action, sprint_id in changes:
        if action == ADD:
            members[sprint_id] = at
        else:
            members.pop(sprint_id, None)
    return max(members, key=lambda sprint_id: (members[sprint_id], sprint_id)) if members else None


@dataclass(frozen=True)
class Membership:
    """A ticket's place in one sprint between its start and its end."""

    committed: bool
    injected: bool
    at_end: bool

    @property
    def removed(self) -> bool:
        return (self.committed or self.injected) and not self.at_end

    @property
    def touched(self) -> bool:
        """In the sprint at some time between its start and its end."""
        return self.committed or self.injected


def membership(changes: Sequence[MembershipChange], *, start: datetime, end: datetime) -> Membership:
    """Committed (in at `start`), injected (not in at `start`, added in (start, end]) and in at
    `end`, from one ticket's changes for one sprint in time order. An end before the start is
    taken as the start."""
    end = max(end, start)
    committed = in_sprint_at(changes, start)
    injected = not committed and any(c.action == ADD and start < c.at <= end for c in changes)
    return Membership(committed=committed, injected=injected, at_end=in_sprint_at(changes, end))


@dataclass(frozen=True)
class PointsChange:
    """A change of a ticket's story points (None = no points)."""

    at: datetime
    before: Decimal | None
    after: Decimal | None


def points_at(changes: Sequence[PointsChange], *, current: Decimal | None, at: datetime) -> Decimal | None:
    """A ticket's story points at `at`: after its last change at or before `at`; before its first
    change, what that change replaced; with no changes, its current points."""
    if not changes:
        return current
    value = changes[0].before
    for change in changes:
        if change.at > at:
            break
        value = change.after
    return value


def exclusion_rules(raw) -> frozenset[str]:
    """The organization's excluded work types (`Organization.sprint_excluded_work_types`, free
    JSON set in the admin) as case-folded names: a list of names, or a single name; anything else
    (a number, an object, blank names) excludes nothing rather than breaking every sprint report."""
    names = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return frozenset(name.strip().casefold() for name in names if isinstance(name, str) and name.strip())


def is_excluded(work_type: str | None, rules: frozenset[str]) -> bool:
    """Whether a ticket of `work_type` is excluded: its name matches a rule, ignoring case and
    surrounding spaces ("Sub-task" matches "sub-task")."""
    return bool(work_type) and work_type.strip().casefold() in rules


@dataclass(frozen=True)
class SprintTicket:
    """What the analytics need of one ticket in one sprint."""

    membership: Membership
    done_at_end: bool
    points_at_end: Decimal | None
    excluded: bool = False


@dataclass
class TicketSet:
    """A number of tickets and the sum of their story points (None for no tickets)."""

    count: int = 0
    points: Decimal | None = None

    def add(self, points: Decimal | None) -> None:
        self.count += 1
        self.points = (self.points or Decimal(0)) + (points or Decimal(0))


@dataclass
class SprintAnalytics:
    """The analytics of one sprint: the sets of docs/haystack-delivery-metrics.md with their counts
    and story points."""

    total: TicketSet = field(default_factory=TicketSet)
    committed: TicketSet = field(default_factory=TicketSet)
    injected: TicketSet = field(default_factory=TicketSet)
    removed: TicketSet = field(default_factory=TicketSet)
    completed: TicketSet = field(default_factory=TicketSet)
    excluded: TicketSet = field(default_factory=TicketSet)

    @property
    def completion_rate(self) -> float | None:
        return self.completed.count / self.total.count if self.total.count else None

    @property
    def story_point_completion_rate(self) -> float | None:
        if not self.total.points:
            return None
        return float(self.completed.points or 0) / float(self.total.points)


def sprint_analytics(tickets: Iterable[SprintTicket]) -> SprintAnalytics:
    """Committed, injected, removed, total (in the sprint at its end), completed and excluded
    work of one sprint, counts and story points."""
    analytics = SprintAnalytics()
    for ticket in tickets:
        role = ticket.membership
        if ticket.excluded:
            if role.at_end:
                analytics.excluded.add(ticket.points_at_end)
            continue
        if role.committed:
            analytics.committed.add(ticket.points_at_end)
        if role.injected:
            analytics.injected.add(ticket.points_at_end)
        if role.removed:
            analytics.removed.add(ticket.points_at_end)
        if role.at_end:
            analytics.total.add(ticket.points_at_end)
            if ticket.done_at_end:
                analytics.completed.add(ticket.points_at_end)
    return analytics


# The fields of the analytics, in the order of the Haystack document, as (name, attribute, what):
# what is "count" or "points" of a TicketSet, or "rate" for a property.
ANALYTICS_FIELDS = (
    ("completionRate", "completion_rate", "rate"),
    ("storyPointCompletionRate", "story_point_completion_rate", "rate"),
    ("issueCount", "total", "count"),
    ("totalStoryPoints", "total", "points"),
    ("injectedIssueCount", "injected", "count"),
    ("injectedStoryPoints", "injected", "points"),
    ("completedIssueCount", "completed", "count"),
    ("completedStoryPoints", "completed", "points"),
    ("committedIssueCount", "committed", "count"),
    ("committedStoryPoints", "committed", "points"),
    ("excludedIssueCount", "excluded", "count"),
    ("excludedStoryPoints", "excluded", "points"),
    ("removedIssueCount", "removed", "count"),
    ("removedStoryPoints", "removed", "points"),
)


def analytics_value(analytics: SprintAnalytics, attribute: str, what: str):
    """One field of ANALYTICS_FIELDS: a rate (float or None), a count (int) or points (Decimal or None)."""
    value = getattr(analytics, attribute)
    if what == "rate":
        return value
    return value.count if what == "count" else value.points


def analytics_averages(sprints: Sequence[SprintAnalytics]) -> dict[str, float | None]:
    """The mean of every field over the sprints, keyed by field name: counts and story points
    with an empty set's points as 0; rates over the sprints that have one. None when no sprint
    has a value."""
    averages: dict[str, float | None] = {}
    for name, attribute, what in ANALYTICS_FIELDS:
        raw = [analytics_value(s, attribute, what) for s in sprints]
        values = [v for v in raw if v is not None] if what == "rate" else [float(v or 0) for v in raw]
        averages[name] = sum(values) / len(values) if values else None
    return averages


# PostgreSQL's numeric division (select_div_scale in src/backend/utils/adt/numeric.c): at least
# 16 significant digits, in base-10000 digit groups of 4 decimal digits.
_NUMERIC_MIN_SIG_DIGITS, _DEC_DIGITS, _NBASE, _MAX_DISPLAY_SCALE = 16, 4, 10_000, 1000


def _weight_and_first_digit(number: int) -> tuple[int, int]:
    """Weight (index of the leading base-10000 digit) and that digit; (0, 0) for zero."""
    weight = 0
    while number >= _NBASE:
        number //= _NBASE
        weight += 1
    return weight, number


def numeric_division_text(numerator: int, denominator: int) -> str | None:
    """`numerator::numeric / denominator` as PostgreSQL writes it (and as the Haystack document
    shows completionRate: 16 / 22 → "0.72727272727272727273"), for non-negative integers; None
    when the denominator is 0."""
    if denominator == 0:
        return None
    if numerator < 0 or denominator < 0:
        raise ValueError("numeric_division_text takes non-negative integers")
    weight1, first1 = _weight_and_first_digit(numerator)
    weight2, first2 = _weight_and_first_digit(denominator)
    quotient_weight = weight1 - weight2 - (1 if first1 <= first2 else 0)
    scale = min(max(_NUMERIC_MIN_SIG_DIGITS - quotient_weight * _DEC_DIGITS, 0), _MAX_DISPLAY_SCALE)
    with localcontext() as context:
        context.prec = scale + 40
        quotient = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1).scaleb(-scale), ROUND_HALF_UP)
    return f"{quotient:f}"
