"""Help-desk facts and statistics (docs/nephthys-stats.md, "Definitions").

Plain data in, plain data out; times are aware datetimes. The database aggregates in
`tickets.selectors.helpdesk` compute the same numbers over many tickets at once; these functions
are their definition (and the reference the tests compare them with).

- Hang time: first helper response minus creation, in minutes. Tickets without a helper response
  are left out of means.
- Resolution time: close minus creation, in minutes, for tickets that are closed now.
- Windows are rolling and half-open: `past_24h = [now − 24h, now)`, `past_24h_previous =
  [now − 48h, now − 24h)`, likewise 7 days. Window means are over tickets created in the window.
- Nephthys statuses are views of states: not started (and unmapped) → `open`; active and waiting
  → `in_progress`; done and canceled → `closed`.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean

OPEN, IN_PROGRESS, CLOSED = "open", "in_progress", "closed"
NEPHTHYS_STATUSES = (OPEN, IN_PROGRESS, CLOSED)
_STATE_TO_NEPHTHYS = {
    "unmapped": OPEN,
    "not_started": OPEN,
    "active": IN_PROGRESS,
    "waiting": IN_PROGRESS,
    "done": CLOSED,
    "canceled": CLOSED,
}
DONE_STATES = ("done", "canceled")
"""Ticket states (`Ticket.state`) that close a ticket: a move into one closes it, out of one reopens it."""

WINDOWS = ("past_24h", "past_24h_previous", "past_7d", "past_7d_previous")


def nephthys_status(state: str) -> str:
    """The Nephthys status (`open`, `in_progress`, `closed`) of a ticket state."""
    return _STATE_TO_NEPHTHYS[state]


def states_of(status: str) -> list[str]:
    """The ticket states a Nephthys status stands for."""
    return [state for state, view in _STATE_TO_NEPHTHYS.items() if view == status]


def minutes_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def hang_time_minutes(*, created_at: datetime, first_helper_response_at: datetime | None) -> float | None:
    """Minutes from creation to the first helper response; None without a helper response."""
    if first_helper_response_at is None:
        return None
    return minutes_between(created_at, first_helper_response_at)


def resolution_time_minutes(*, created_at: datetime, closed_at: datetime | None) -> float | None:
    """Minutes from creation to close; None for a ticket that is not closed (`closed_at` is
    cleared when a ticket is reopened, so a reopened and re-closed ticket counts to its last close)."""
    if closed_at is None:
        return None
    return minutes_between(created_at, closed_at)


def mean_or_none(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def rolling_windows(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """The four half-open windows of `stats_v2`, each `(start, end)` with start included, end excluded."""
    day, week = timedelta(days=1), timedelta(days=7)
    return {
        "past_24h": (now - day, now),
        "past_24h_previous": (now - 2 * day, now - day),
        "past_7d": (now - week, now),
        "past_7d_previous": (now - 2 * week, now - week),
    }


def in_window(moment: datetime | None, window: tuple[datetime, datetime]) -> bool:
    return moment is not None and window[0] <= moment < window[1]


# --- Help-desk facts of one ticket, derived from its history ------------------------------------


@dataclass(frozen=True)
class FactEvent:
    """A history entry as the help-desk facts see it: a status change (`to_done`: whether the new
    status is in a done state, done or canceled) or a comment."""

    at: datetime
    kind: str  # "status" or "comment"
    actor_id: int | None
    to_done: bool = False


@dataclass(frozen=True)
class HelpdeskFacts:
    first_helper_response_at: datetime | None
    closed_at: datetime | None
    closed_by_id: int | None
    reopened_by_id: int | None
    last_message_at: datetime | None
    last_message_by_id: int | None
    resolved_at: datetime | None

    def as_fields(self) -> dict:
        """The Ticket columns these facts are stored in."""
        return {
            "first_helper_response_at": self.first_helper_response_at,
            "closed_at": self.closed_at,
            "closed_by_id": self.closed_by_id,
            "reopened_by_id": self.reopened_by_id,
            "last_message_at": self.last_message_at,
            "last_message_by_id": self.last_message_by_id,
            "resolved_at": self.resolved_at,
        }


def derive_helpdesk_facts(
    *, created_at: datetime, initially_done: bool, events: Iterable[FactEvent], helper_ids: Collection[int]
) -> HelpdeskFacts:
    """A ticket's help-desk facts from its history (events in any order; equal times keep the given
    order):

    - first helper response: the first comment by one of `helper_ids` (never reset by a reopen);
    - last message: the last comment, and its author;
    - closed at / by: the move from a not-done state into a done one (done or canceled) that the
      ticket is still in, and who made it; None while the ticket is not done;
    - reopened by: who last moved the ticket out of a done state;
    - resolved at: when the ticket entered the done state it is in now (its creation when it was
      created done and never left), None while not done.

    This is the rule the bundle import applies (`imports.timeline.ticket_history`), so an imported
    ticket and one written through the API carry the same facts for the same history."""
    first_helper_response_at = last_message_at = closed_at = None
    last_message_by = closed_by = reopened_by = None
    done = initially_done
    for event in sorted(events, key=lambda e: e.at):
        if event.kind == "status":
            if event.to_done and not done:
                closed_at, closed_by = event.at, event.actor_id
            elif done and not event.to_done:
                reopened_by = event.actor_id
            done = event.to_done
        elif event.kind == "comment":
            last_message_at, last_message_by = event.at, event.actor_id
            if first_helper_response_at is None and event.actor_id in helper_ids:
                first_helper_response_at = event.at
    if done:
        resolved_at = closed_at if closed_at is not None else created_at
    else:
        closed_at = closed_by = resolved_at = None
    return HelpdeskFacts(
        first_helper_response_at=first_helper_response_at,
        closed_at=closed_at,
        closed_by_id=closed_by,
        reopened_by_id=reopened_by,
        last_message_at=last_message_at,
        last_message_by_id=last_message_by,
        resolved_at=resolved_at,
    )


# --- Reference statistics over plain rows (what the database aggregates compute) --------------


@dataclass(frozen=True)
class HelpdeskTicket:
    """What the statistics read of one ticket. `closed_by_is_helper`: the person credited with the
    close is a current helper of the ticket's help desk."""

    created_at: datetime
    status: str  # open, in_progress or closed
    first_helper_response_at: datetime | None
    closed_at: datetime | None
    closed_by_id: int | None = None
    closed_by_is_helper: bool = False


def _means(tickets: list[HelpdeskTicket]) -> dict[str, float | None]:
    return {
        "mean_hang_time_minutes_unresolved": mean_or_none(
            hang_time_minutes(created_at=t.created_at, first_helper_response_at=t.first_helper_response_at)
            for t in tickets
            if t.status != CLOSED
        ),
        "mean_hang_time_minutes_all": mean_or_none(
            hang_time_minutes(created_at=t.created_at, first_helper_response_at=t.first_helper_response_at)
            for t in tickets
        ),
        "mean_resolution_time_minutes": mean_or_none(
            resolution_time_minutes(created_at=t.created_at, closed_at=t.closed_at)
            for t in tickets
            if t.status == CLOSED
        ),
    }


def leaderboard(tickets: Iterable[HelpdeskTicket]) -> list[tuple[int, int]]:
    """(person id, tickets closed) for current helpers, most first, ties by person id; zero counts left out."""
    counts: dict[int, int] = {}
    for ticket in tickets:
        if ticket.status == CLOSED and ticket.closed_by_is_helper and ticket.closed_by_id is not None:
            counts[ticket.closed_by_id] = counts.get(ticket.closed_by_id, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def overall_stats(tickets: list[HelpdeskTicket]) -> dict:
    """The `all_time` numbers (without the oldest unanswered ticket, which needs more than these rows)."""
    return {
        "tickets_total": len(tickets),
        "tickets_open": sum(t.status == OPEN for t in tickets),
        "tickets_closed": sum(t.status == CLOSED for t in tickets),
        "tickets_in_progress": sum(t.status == IN_PROGRESS for t in tickets),
        "helpers_leaderboard": leaderboard(tickets),
        **_means(tickets),
    }


def window_stats(tickets: list[HelpdeskTicket], window: tuple[datetime, datetime]) -> dict:
    """The numbers of one window (a `TimeBoundStats`). "Assigned" is the first helper response, as
    in Nephthys, where the first helper reply assigns the ticket."""
    new = [t for t in tickets if in_window(t.created_at, window)]
    closed_in = [t for t in tickets if t.status == CLOSED and in_window(t.closed_at, window)]
    return {
        "new_tickets_total": len(new),
        "new_tickets_now_closed": sum(t.status == CLOSED for t in new),
        "new_tickets_still_open": sum(t.status == OPEN for t in new),
        "new_tickets_in_progress": sum(t.status == IN_PROGRESS for t in new),
        "closed_today": len(closed_in),
        "closed_today_from_today": sum(in_window(t.created_at, window) for t in closed_in),
        "assigned_today_in_progress": sum(
            t.status == IN_PROGRESS and in_window(t.first_helper_response_at, window) for t in tickets
        ),
        "helpers_leaderboard": leaderboard(closed_in),
        **_means(new),
    }
