"""Bundle writes for the tickets app: projects with their workflow statuses and helpers, sprints,
tickets and their history. Tickets are written in chunks, each compared with what is stored, so
memory stays bounded and an identical re-import writes no rows. A ticket whose stored digest is the
bundle ticket's (an import wrote it from the same ticket and nothing changed it since) is not
compared at all: a re-import of an unchanged bundle reads one column per ticket."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from accounts.models import Organization
from common.db import insert_rows
from common.progress import SILENT, Progress
from formulas.tickets import MappedStatus
from imports.parsing import batched, parse_timestamp_utc
from imports.sync import QUERY_CHUNK, Counts, id_sequences_reset, links_sync, rows_sync, stored_by_id, stored_rows
from imports.timeline import EVENT_FIELDS, ProjectContext, WorkflowStatus, ticket_digest, ticket_history
from metrics.models import TicketMetrics
from metrics.services import HISTORY_COLUMNS
from tickets.models import Helper, Project, Sprint, Status, Ticket, TicketEvent

PROJECT_FIELDS = ["key", "name", "kind", "comment_weight", "description_edit_weight", "assignee_change_weight"]
STATUS_FIELDS = ["name", "position", "lane", "state", "is_waiting", "is_canceled"]
SPRINT_FIELDS = ["project_id", "name", "state", "start_at", "planned_end_at", "completed_at"]
TICKET_FIELDS = [
    "organization_id", "project_id", "number", "key", "title", "description", "work_type", "priority", "status_id",
    "story_points", "assignee_id", "reporter_id", "epic", "labels", "custom_fields", "resolution", "expected_at",
    "created_at", "updated_at", "resolved_at", "first_helper_response_at", "closed_at", "closed_by_id",
    "reopened_by_id", "last_message_at", "last_message_by_id",
]  # fmt: skip
TICKET_CHUNK = 1000


@dataclass
class ProjectsWritten:
    """The stored workflow of every bundle project, and the projects whose stored tickets must be
    re-derived because their mapping or jitter weights changed."""

    contexts: dict[int, ProjectContext]
    changed_project_ids: set[int]
    counts: dict[str, Counts] = field(default_factory=dict)


def projects_upsert(*, organization: Organization, projects: list[dict]) -> ProjectsWritten:
    """Upsert projects by id, their statuses by (project, status id) with position = index in the
    list, and make their helpers exactly the bundle's. Statuses missing from the bundle are kept
    (history may point at them)."""
    desired = {}
    for project in projects:
        weights = project.get("jitter_weights") or {}
        desired[project["id"]] = {
            "id": project["id"],
            "organization_id": organization.id,
            "key": project["key"],
            "name": project["name"],
            "kind": project.get("kind") or Project.Kind.DELIVERY,
            "comment_weight": weights.get("comment", 1),
            "description_edit_weight": weights.get("description_edit", 1),
            "assignee_change_weight": weights.get("assignee_change", 1),
        }
    stored = stored_by_id(Project, desired, PROJECT_FIELDS)
    project_counts, touched = rows_sync(model=Project, desired=desired, stored=stored, fields=PROJECT_FIELDS)
    id_sequences_reset(Project)
    changed = {project_id for project_id in touched if project_id in stored}

    desired_statuses = {
        (project["id"], status["id"]): {
            "organization_id": organization.id,
            "project_id": project["id"],
            "external_id": status["id"],
            "name": status["name"],
            "position": status["position"] if status.get("position") is not None else position,
            "lane": status.get("lane") if status.get("state") else None,
            "state": status.get("state") if status.get("lane") is not None else None,
            "is_waiting": bool(status.get("waiting")),
            "is_canceled": bool(status.get("canceled")),
        }
        for project in projects
        for position, status in enumerate(project["statuses"])
    }
    stored_statuses = stored_rows(
        Status.objects.all(), lookup="project_id", values=desired,
        fields=["project_id", "external_id", *STATUS_FIELDS], key=lambda r: (r["project_id"], r["external_id"]),
    )  # fmt: skip
    status_counts, touched_statuses = rows_sync(
        model=Status, desired=desired_statuses, stored=stored_statuses, fields=STATUS_FIELDS
    )
    changed |= {project_id for project_id, _status in touched_statuses if project_id in stored}

    helper_counts = links_sync(
        model=Helper, owner_field="project_id", other_field="person_id",
        desired={project["id"]: set(project.get("helpers") or []) for project in projects},
        extra={"organization_id": organization.id},
    )  # fmt: skip
    contexts = _project_contexts(projects)
    counts = {"projects": project_counts, "statuses": status_counts, "helpers": helper_counts}
    return ProjectsWritten(contexts=contexts, changed_project_ids=changed, counts=counts)


def _project_contexts(projects: list[dict]) -> dict[int, ProjectContext]:
    statuses: dict[int, dict[int, WorkflowStatus]] = defaultdict(dict)
    rows = Status.objects.filter(project_id__in=[p["id"] for p in projects]).values_list(
        "id", "project_id", "external_id", "lane", "state", "is_waiting", "is_canceled"
    )
    for row_id, project_id, external_id, lane, state, waiting, canceled in rows:
        statuses[project_id][external_id] = WorkflowStatus(row_id, MappedStatus(lane, state, waiting, canceled))
    contexts = {}
    for project in projects:
        default = next((s["id"] for s in project["statuses"] if s.get("state") == "not_started"), None)
        contexts[project["id"]] = ProjectContext(
            project_id=project["id"],
            kind=project.get("kind") or Project.Kind.DELIVERY,
            statuses=statuses[project["id"]],
            default_status=default,
            helper_ids=frozenset(project.get("helpers") or []),
        )
    return contexts


def sprints_upsert(*, organization: Organization, sprints: list[dict]) -> Counts:
    """Upsert sprints by id."""
    desired = {
        sprint["id"]: {
            "id": sprint["id"],
            "organization_id": organization.id,
            "project_id": sprint["project"],
            "name": sprint["name"],
            "state": sprint.get("state") or Sprint.State.FUTURE,
            "start_at": parse_timestamp_utc(sprint.get("start")),
            "planned_end_at": parse_timestamp_utc(sprint.get("end")),
            "completed_at": parse_timestamp_utc(sprint.get("completed_at")),
        }
        for sprint in sprints
    }
    stored = stored_by_id(Sprint, desired, SPRINT_FIELDS)
    counts, _touched = rows_sync(model=Sprint, desired=desired, stored=stored, fields=SPRINT_FIELDS)
    id_sequences_reset(Sprint)
    return counts


@dataclass
class TicketsWritten:
    """Counts of ticket and history rows."""

    tickets: Counts = field(default_factory=Counts)
    events: Counts = field(default_factory=Counts)

    def add(self, other: "TicketsWritten") -> None:
        """Add another chunk's counts to these."""
        self.tickets.add(other.tickets)
        self.events.add(other.events)


@dataclass
class WrittenChunk:
    """One chunk of bundle tickets as written, for the refresh of their derived values: the
    stored tickets to re-derive from their stored history (`refresh_ids`), and the tickets just
    created with the history written for them, in the metrics' TICKET_COLUMNS and HISTORY_COLUMNS
    form (`created`, `histories`)."""

    tickets: list[dict]
    counts: TicketsWritten
    refresh_ids: set[int]
    created: list[tuple] = field(default_factory=list)
    histories: dict[int, list[tuple]] = field(default_factory=dict)


AfterChunk = Callable[[WrittenChunk], None]
_HISTORY_POSITIONS = [EVENT_FIELDS.index(name) for name in HISTORY_COLUMNS[1:]]


def tickets_upsert(
    *,
    organization: Organization,
    tickets: Iterable[dict],
    contexts: dict[int, ProjectContext],
    after_chunk: AfterChunk | None = None,
    progress: Progress = SILENT,
) -> TicketsWritten:
    """Upsert tickets by id and make each ticket's history exactly the bundle's: events are
    compared by their natural signature, only missing ones are inserted and only vanished ones
    deleted. Written in chunks of TICKET_CHUNK tickets; `after_chunk` hears of each chunk as a
    `WrittenChunk` (nothing of the chunk is kept)."""
    result = TicketsWritten()
    for chunk in batched(tickets, TICKET_CHUNK):
        written = _tickets_chunk_upsert(organization=organization, tickets=chunk, contexts=contexts)
        result.add(written.counts)
        if after_chunk is not None:
            after_chunk(written)
        progress.advance(len(chunk))
    id_sequences_reset(Ticket)
    return result


def _tickets_chunk_upsert(
    *, organization: Organization, tickets: list[dict], contexts: dict[int, ProjectContext]
) -> WrittenChunk:
    organization_id = organization.id
    result = TicketsWritten()
    digests = {ticket["id"]: ticket_digest(ticket, contexts[ticket["project"]]) for ticket in tickets}
    stored_digests = dict(Ticket.objects.filter(id__in=list(digests)).values_list("id", "import_digest"))
    same = {ticket_id for ticket_id, digest in digests.items() if stored_digests.get(ticket_id) == digest}
    for ticket in tickets:
        if ticket["id"] in same:  # written by an import from this very ticket, untouched since
            result.tickets.unchanged += 1
            result.events.unchanged += len(ticket.get("events") or [])
    histories = {
        ticket["id"]: ticket_history(
            ticket=ticket, project=contexts[ticket["project"]], organization_id=organization_id
        )
        for ticket in tickets
        if ticket["id"] not in same
    }
    desired = {ticket_id: {"id": ticket_id, **history.fields} for ticket_id, history in histories.items()}
    stored = stored_by_id(Ticket, desired, TICKET_FIELDS)
    creation_fields = {
        ticket_id: {**history.creation_fields, "import_digest": digests[ticket_id]}
        for ticket_id, history in histories.items()
    }
    counts, touched = rows_sync(
        model=Ticket, desired=desired, stored=stored, fields=TICKET_FIELDS, creation_fields=creation_fields
    )
    result.tickets.add(counts)
    changed_ids = set(touched)
    stale = [Ticket(id=ticket_id, import_digest=digests[ticket_id]) for ticket_id in stored]
    Ticket.objects.bulk_update(stale, ["import_digest"], batch_size=TICKET_CHUNK)

    stored_events: dict[int, dict[tuple, list[int]]] = defaultdict(lambda: defaultdict(list))
    for chunk in batched(sorted(stored), QUERY_CHUNK):  # a ticket just created has no stored history
        rows = TicketEvent.objects.filter(ticket_id__in=chunk).order_by("id")
        for event_id, ticket_id, *signature in rows.values_list("id", "ticket_id", *EVENT_FIELDS):
            stored_events[ticket_id][tuple(signature)].append(event_id)
    obsolete, to_create = [], []
    for ticket_id, history in histories.items():
        have = stored_events.get(ticket_id, {})
        changed = False
        for signature in history.events:
            if have.get(signature):
                have[signature].pop(0)
                result.events.unchanged += 1
            else:
                to_create.append((organization_id, ticket_id, *signature))
                changed = True
        leftovers = [event_id for ids in have.values() for event_id in ids]
        obsolete += leftovers
        if changed or leftovers:
            changed_ids.add(ticket_id)
    for chunk in batched(obsolete, QUERY_CHUNK):
        TicketEvent.objects.filter(id__in=chunk).delete()
    result.events.created += insert_rows(
        model=TicketEvent, columns=["organization_id", "ticket_id", *EVENT_FIELDS], rows=to_create
    )
    result.events.deleted += len(obsolete)

    # A stored ticket without derived values (say, a refresh that never ran) is refreshed too.
    stored_ids = set(stored)
    unchanged = sorted((stored_ids | same) - changed_ids)
    with_metrics = set(TicketMetrics.objects.filter(ticket_id__in=unchanged).values_list("ticket_id", flat=True))
    written = WrittenChunk(
        tickets=tickets, counts=result, refresh_ids=(changed_ids & stored_ids) | (set(unchanged) - with_metrics)
    )
    for ticket_id, history in histories.items():
        if ticket_id not in stored_ids:
            fields, creation = history.fields, history.creation_fields
            written.created.append((
                ticket_id, organization_id, fields["created_at"], fields["status_id"], creation["state"],
                creation["sprint_id"], fields["project_id"],
            ))  # fmt: skip
            written.histories[ticket_id] = [
                (ticket_id, *(signature[i] for i in _HISTORY_POSITIONS)) for signature in history.events
            ]
    return written
