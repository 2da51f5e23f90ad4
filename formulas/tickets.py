"""Per-ticket values derived from a ticket's history and its project's workflow mapping
(docs/flow-ticket-log.md, "Ticket-log rows").

Everything here is plain data in, plain data out; times are aware datetimes, durations seconds.
"""

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

NOT_STARTED, ACTIVE, DONE = "not_started", "active", "done"
JITTER_KINDS = ("comment", "description_edit", "assignee_change")


@dataclass(frozen=True)
class MappedStatus:
    """How a project maps one raw status: lane and state (both None when unmapped), flags."""

    lane: int | None
    state: str | None
    waiting: bool = False
    canceled: bool = False

    @property
    def is_mapped(self) -> bool:
        return self.state is not None

    @property
    def is_active(self) -> bool:
        return self.state == ACTIVE

    @property
    def is_completed(self) -> bool:
        return self.state == DONE and not self.canceled

    @property
    def display_state(self) -> str:
        """The ticket-log state: unmapped, not_started, active, waiting, done or canceled."""
        if self.state is None:
            return "unmapped"
        if self.waiting:
            return "waiting"
        if self.canceled:
            return "canceled"
        return self.state


@dataclass(frozen=True)
class Change:
    """A timestamped change: a status (value = status id), an assignee (value = person id or
    None), or an activity event (value = one of JITTER_KINDS)."""

    at: datetime
    value: object


@dataclass(frozen=True)
class Interval:
    status_id: int
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class Transition:
    from_status_id: int
    to_status_id: int
    at: datetime
    is_backflow: bool


@dataclass
class TicketValues:
    intervals: list[Interval]
    transitions: list[Transition]
    first_active_at: datetime | None
    done_at: datetime | None
    cycle_time_seconds: int | None
    queue_time_seconds: int
    jitter: float
    jitter_counts: dict[str, int] = field(default_factory=dict)
    credited_person_ids: set[int] = field(default_factory=set)
    state: str = "unmapped"

    @property
    def backflows(self) -> int:
        return sum(1 for t in self.transitions if t.is_backflow)

    @property
    def backflow_rate(self) -> float | None:
        return self.backflows / len(self.transitions) if self.transitions else None


def status_intervals(
    *, created_at: datetime, initial_status_id: int, status_changes: Sequence[Change]
) -> list[Interval]:
    """The statuses a ticket went through: the initial status from creation, then one interval per
    change to a different status. The last interval is open (end None)."""
    intervals: list[Interval] = []
    current, start = initial_status_id, created_at
    for change in status_changes:
        if change.value == current:
            continue
        intervals.append(Interval(current, start, change.at))
        current, start = change.value, change.at
    intervals.append(Interval(current, start, None))
    return intervals


def first_active_at(intervals: Sequence[Interval], statuses: Mapping[int, MappedStatus]) -> datetime | None:
    """First entry into an active state (waiting statuses are active)."""
    return next((i.start for i in intervals if statuses[i.status_id].is_active), None)


def final_done_at(intervals: Sequence[Interval], statuses: Mapping[int, MappedStatus]) -> datetime | None:
    """Last entry into done, for a ticket whose current status is done and not canceled: the start
    of the trailing run of completed statuses. None for a ticket not done now (reopened, canceled)."""
    done_at = None
    for interval in reversed(intervals):
        if not statuses[interval.status_id].is_completed:
            break
        done_at = interval.start
    return done_at


def cycle_time_seconds(first_active: datetime | None, done_at: datetime | None) -> int | None:
    """Last entry into done minus first entry into active, elapsed (waiting included). None for
    tickets not completed or never active."""
    if first_active is None or done_at is None or done_at < first_active:
        return None
    return int((done_at - first_active).total_seconds())


def queue_time_seconds(intervals: Sequence[Interval], statuses: Mapping[int, MappedStatus], *, now: datetime) -> int:
    """Total time spent in waiting statuses; an open waiting interval counts up to `now`."""
    total = 0.0
    for interval in intervals:
        if statuses[interval.status_id].waiting:
            total += ((interval.end or now) - interval.start).total_seconds()
    return int(total)


def transitions(
    intervals: Sequence[Interval], statuses: Mapping[int, MappedStatus], *, count_intra_lane: bool
) -> list[Transition]:
    """Status changes between mapped statuses. A change within one lane counts only when
    `count_intra_lane`; a backflow is a move to an earlier lane (a jump across several lanes is one
    backflow), except a move into a canceled status. Changes to or from unmapped statuses are ignored."""
    result = []
    for before, after in pairwise(intervals):
        source, target = statuses[before.status_id], statuses[after.status_id]
        if not (source.is_mapped and target.is_mapped):
            continue
        if source.lane == target.lane and not count_intra_lane:
            continue
        is_backflow = target.lane < source.lane and not target.canceled
        result.append(Transition(before.status_id, after.status_id, after.start, is_backflow))
    return result


def _status_at(intervals: Sequence[Interval], starts: Sequence[datetime], at: datetime) -> int:
    index = bisect_right(starts, at) - 1
    return intervals[max(index, 0)].status_id


def jitter(
    activity: Sequence[Change],
    intervals: Sequence[Interval],
    statuses: Mapping[int, MappedStatus],
    weights: Mapping[str, int],
) -> tuple[float, dict[str, int]]:
    """Jitter: events (comments, description edits, assignee changes) while the ticket is active.
    Per type: count × weight / (sum of the project's weights) × 100; the ticket's jitter is the sum
    over types. Returns (jitter, counts per type). Weights 3 comments / 2 edits / 1 reassignment
    with weights 2/1/1 give 150 + 50 + 25 = 225."""
    starts = [i.start for i in intervals]
    counts = dict.fromkeys(JITTER_KINDS, 0)
    for event in activity:
        if event.value in counts and statuses[_status_at(intervals, starts, event.at)].is_active:
            counts[event.value] += 1
    weight_sum = sum(weights.get(kind, 0) for kind in JITTER_KINDS)
    if weight_sum == 0:
        return 0.0, counts
    value = sum(counts[kind] * weights.get(kind, 0) for kind in JITTER_KINDS) / weight_sum * 100
    return value, counts


def credited_people(
    assignee_changes: Sequence[Change],
    intervals: Sequence[Interval],
    statuses: Mapping[int, MappedStatus],
    *,
    initial_assignee_id: int | None = None,
) -> set[int]:
    """People credited with the ticket: anyone who was its assignee at some time while it was in an
    active state (the assignee when an active interval began, and everyone assigned during it)."""
    change_times = [c.at for c in assignee_changes]
    credited: set[int] = set()
    for interval in intervals:
        if not statuses[interval.status_id].is_active:
            continue
        index = bisect_right(change_times, interval.start) - 1
        holder = assignee_changes[index].value if index >= 0 else initial_assignee_id
        if holder is not None:
            credited.add(holder)
        for change in assignee_changes[index + 1 :]:
            if interval.end is not None and change.at >= interval.end:
                break
            if change.value is not None:
                credited.add(change.value)
    return credited


def derive_ticket_values(
    *,
    created_at: datetime,
    initial_status_id: int,
    status_changes: Sequence[Change],
    assignee_changes: Sequence[Change],
    activity: Sequence[Change],
    statuses: Mapping[int, MappedStatus],
    jitter_weights: Mapping[str, int],
    count_intra_lane: bool,
    now: datetime,
    initial_assignee_id: int | None = None,
) -> TicketValues:
    """Every per-ticket value (docs/flow-ticket-log.md) from one ticket's history. Changes must be sorted by time."""
    intervals = status_intervals(
        created_at=created_at, initial_status_id=initial_status_id, status_changes=status_changes
    )
    first_active = first_active_at(intervals, statuses)
    done_at = final_done_at(intervals, statuses)
    jitter_value, jitter_counts = jitter(activity, intervals, statuses, jitter_weights)
    return TicketValues(
        intervals=intervals,
        transitions=transitions(intervals, statuses, count_intra_lane=count_intra_lane),
        first_active_at=first_active,
        done_at=done_at,
        cycle_time_seconds=cycle_time_seconds(first_active, done_at),
        queue_time_seconds=queue_time_seconds(intervals, statuses, now=now),
        jitter=jitter_value,
        jitter_counts=jitter_counts,
        credited_person_ids=credited_people(
            assignee_changes, intervals, statuses, initial_assignee_id=initial_assignee_id
        ),
        state=statuses[intervals[-1].status_id].display_state,
    )
