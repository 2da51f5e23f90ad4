"""Reads of the help-desk (Nephthys) surface: support statistics and help-desk tickets.

The numbers follow `formulas.helpdesk` (docs/nephthys-stats.md) and are computed by the database in a
fixed number of queries whatever the number of tickets: one aggregate for the all-time numbers,
one for the four rolling windows, one for every leaderboard, one for the oldest unanswered ticket.
Durations come from `SecondsBetween`: `EXTRACT(EPOCH ...)` on PostgreSQL, `julianday` on SQLite."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, Exists, F, FloatField, Func, OuterRef, Q, QuerySet

from accounts.models import Organization
from formulas.helpdesk import CLOSED, IN_PROGRESS, OPEN, nephthys_status, rolling_windows, states_of
from tickets.models import Helper, Project, Ticket, TicketTag

HELPDESK = Project.Kind.HELPDESK
OPEN_STATES, IN_PROGRESS_STATES, CLOSED_STATES = states_of(OPEN), states_of(IN_PROGRESS), states_of(CLOSED)


class SecondsBetween(Func):
    """`end − start` in seconds (a float; null when either is null)."""

    output_field = FloatField()
    arg_joiner = " - "
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"

    def __init__(self, end, start):
        super().__init__(F(end) if isinstance(end, str) else end, F(start) if isinstance(start, str) else start)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)", arg_joiner=") - julianday("
        )


def helpdesk_projects(*, organization: Organization) -> QuerySet[Project]:
    return Project.objects.filter(organization=organization, kind=HELPDESK)


def helpdesk_tickets(*, organization: Organization, project: Project | None = None) -> QuerySet[Ticket]:
    """The tickets of the organization's help desks (of one help desk with `project`)."""
    tickets = Ticket.objects.filter(organization=organization, project__kind=HELPDESK)
    return tickets.filter(project=project) if project is not None else tickets


def _is_helper(person_field: str) -> Exists:
    """The person in `person_field` is a (current) helper of the ticket's help desk."""
    return Exists(Helper.objects.filter(project_id=OuterRef("project_id"), person_id=OuterRef(person_field)))


def _means(condition: Q) -> dict:
    hang = SecondsBetween("first_helper_response_at", "created_at")
    resolution = SecondsBetween("closed_at", "created_at")
    closed = Q(state__in=CLOSED_STATES)
    return {
        "mean_hang_time_minutes_unresolved": Avg(hang, filter=condition & ~closed),
        "mean_hang_time_minutes_all": Avg(hang, filter=condition),
        "mean_resolution_time_minutes": Avg(resolution, filter=condition & closed),
    }


def _in(field: str, window: tuple[datetime, datetime]) -> Q:
    return Q(**{f"{field}__gte": window[0], f"{field}__lt": window[1]})


def _window_aggregates(name: str, window: tuple[datetime, datetime]) -> dict:
    created = _in("created_at", window)
    closed_in = Q(state__in=CLOSED_STATES) & _in("closed_at", window)
    counts = {
        "new_tickets_total": Count("id", filter=created),
        "new_tickets_now_closed": Count("id", filter=created & Q(state__in=CLOSED_STATES)),
        "new_tickets_still_open": Count("id", filter=created & Q(state__in=OPEN_STATES)),
        "new_tickets_in_progress": Count("id", filter=created & Q(state__in=IN_PROGRESS_STATES)),
        "closed_today": Count("id", filter=closed_in),
        "closed_today_from_today": Count("id", filter=closed_in & created),
        "assigned_today_in_progress": Count(
            "id", filter=Q(state__in=IN_PROGRESS_STATES) & _in("first_helper_response_at", window)
        ),
        **_means(created),
    }
    return {f"{name}__{key}": aggregate for key, aggregate in counts.items()}


MEAN_KEYS = ("mean_hang_time_minutes_unresolved", "mean_hang_time_minutes_all", "mean_resolution_time_minutes")


def _leaderboards(tickets: QuerySet[Ticket], windows: dict) -> dict[str, list[dict]]:
    """Per current helper, the tickets they closed (closed now and credited to them): all time and
    per window (closed inside it), most first, ties by person id, zero counts left out."""
    closed = tickets.filter(state__in=CLOSED_STATES, closed_by__isnull=False).filter(_is_helper("closed_by_id"))
    counts = {"all_time": Count("id")}
    counts.update({name: Count("id", filter=_in("closed_at", window)) for name, window in windows.items()})
    rows = list(closed.order_by().values("closed_by_id", "closed_by__slack_id").annotate(**counts))
    boards = {}
    for name in counts:
        entries = [
            {"id": row["closed_by_id"], "slack_id": row["closed_by__slack_id"], "count": row[name]}
            for row in rows
            if row[name] > 0
        ]
        boards[name] = sorted(entries, key=lambda entry: (-entry["count"], entry["id"]))
    return boards


def oldest_unanswered(tickets: QuerySet[Ticket]) -> dict | None:
    """The open ticket waiting longest for a helper: open now, its last message not by a helper of
    its help desk (or no message at all); the oldest by creation."""
    return (
        tickets.filter(state__in=OPEN_STATES)
        .exclude(_is_helper("last_message_by_id"))
        .order_by("created_at", "id")
        .values("id", "created_at")
        .first()
    )


@dataclass(frozen=True)
class HelpdeskStats:
    """The figures behind `stats_v2` (docs/nephthys-stats.md), durations in seconds: the all-time
    counts and means, the same per rolling window (by window name), the helper leaderboards (all
    time and per window) and the oldest unanswered open ticket (`{"id", "created_at"}`, or None)."""

    overall: dict
    windows: dict[str, dict]
    leaderboards: dict[str, list[dict]]
    oldest_unanswered: dict | None


def helpdesk_stats(*, tickets: QuerySet[Ticket], now: datetime) -> HelpdeskStats:
    """`stats_v2`'s figures: all time and the four rolling windows (see formulas.helpdesk)."""
    tickets = tickets.order_by()
    windows = rolling_windows(now)
    overall = tickets.aggregate(
        tickets_total=Count("id"),
        tickets_open=Count("id", filter=Q(state__in=OPEN_STATES)),
        tickets_closed=Count("id", filter=Q(state__in=CLOSED_STATES)),
        tickets_in_progress=Count("id", filter=Q(state__in=IN_PROGRESS_STATES)),
        **_means(Q()),
    )
    earliest = min(start for start, _end in windows.values())
    recent = tickets.filter(
        Q(created_at__gte=earliest) | Q(closed_at__gte=earliest) | Q(first_helper_response_at__gte=earliest)
    )
    aggregates = {}
    for name, window in windows.items():
        aggregates.update(_window_aggregates(name, window))
    windowed = recent.aggregate(**aggregates)
    per_window = {
        name: {key.split("__", 1)[1]: value for key, value in windowed.items() if key.startswith(f"{name}__")}
        for name in windows
    }
    return HelpdeskStats(
        overall=overall,
        windows=per_window,
        leaderboards=_leaderboards(tickets, windows),
        oldest_unanswered=oldest_unanswered(tickets),
    )


def nephthys_tickets(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Help-desk tickets with the people a Nephthys ticket object names."""
    return queryset.select_related("reporter", "closed_by", "assignee", "reopened_by")


def tag_names_by_ticket(tickets: list[Ticket]) -> dict[int, list[str]]:
    """Each ticket's tag texts, then its labels (one query)."""
    names: dict[int, list[str]] = {ticket.id: [] for ticket in tickets}
    rows = (
        TicketTag.objects.filter(ticket_id__in=list(names))
        .order_by("ticket_id", "tag__text", "id")
        .values_list("ticket_id", "tag__text")
    )
    for ticket_id, text in rows:
        names[ticket_id].append(text)
    for ticket in tickets:
        labels = ticket.labels if isinstance(ticket.labels, list) else []
        names[ticket.id] = list(dict.fromkeys([*names[ticket.id], *(str(label) for label in labels)]))
    return names


def nephthys_ticket_status(ticket: Ticket) -> str:
    return nephthys_status(ticket.state)
