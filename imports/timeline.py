"""A ticket's history as the import writes it: the bundle's events put in time order, with the
`from` side of each change filled in, and the ticket's current values derived from them (status,
assignee, story points, update / resolve / close times, help-desk facts). Plain data in and out."""

from dataclasses import astuple, dataclass
from datetime import datetime
from functools import cached_property
from hashlib import blake2b

import orjson

from formulas.sprints import current_sprint
from formulas.tickets import MappedStatus
from imports.parsing import parse_timestamp_utc, story_points_decimal, story_points_text

EVENT_FIELDS = (
    "kind", "at", "actor_id", "from_status_id", "to_status_id", "from_person_id", "to_person_id",
    "from_value", "to_value", "sprint_id", "sprint_action", "body", "is_public", "resolution",
)  # fmt: skip
"""The columns of a TicketEvent that make its natural signature (what an identical re-import
must reproduce exactly)."""


@dataclass(frozen=True)
class WorkflowStatus:
    """A stored status of the ticket's project: its row id and mapping."""

    row_id: int
    mapping: MappedStatus


@dataclass(frozen=True)
class ProjectContext:
    """What deriving a ticket's history needs to know about its project."""

    project_id: int
    kind: str
    statuses: dict[int, WorkflowStatus]
    """Keyed by the bundle's status id (Status.external_id)."""
    default_status: int
    helper_ids: frozenset[int]

    @cached_property
    def signature(self) -> bytes:
        """Everything of the project that `ticket_history` reads, as bytes."""
        statuses = sorted((key, s.row_id, *astuple(s.mapping)) for key, s in self.statuses.items())
        return orjson.dumps([self.project_id, self.kind, statuses, self.default_status, sorted(self.helper_ids)])


@dataclass
class TicketHistory:
    """The Ticket columns the bundle determines, the columns set only on creation (state and sprint,
    which the metrics refresh owns afterwards), and the event signatures in time order."""

    fields: dict
    creation_fields: dict
    events: list[tuple]


DIGEST_VERSION = b"tally-ticket-digest/1"
"""Part of every ticket digest: change it when `ticket_history` writes a ticket differently, so
that no ticket written by an older version is taken as up to date."""


def ticket_digest(ticket: dict, project: ProjectContext) -> str:
    """A digest of everything that decides the rows an import writes for one bundle ticket: the
    ticket itself (keys sorted), its project's workflow and helpers, and DIGEST_VERSION."""
    content = orjson.dumps(ticket, option=orjson.OPT_SORT_KEYS)
    return blake2b(DIGEST_VERSION + project.signature + content, digest_size=16).hexdigest()


def _event_signature(**values) -> tuple:
    row = {
        "actor_id": None, "from_status_id": None, "to_status_id": None, "from_person_id": None,
        "to_person_id": None, "from_value": "", "to_value": "", "sprint_id": None, "sprint_action": "",
        "body": "", "is_public": True, "resolution": "",
    }  # fmt: skip
    row.update(values)
    return tuple(row[name] for name in EVENT_FIELDS)


def ticket_number(ticket: dict, kind: str) -> int | None:
    """The Ticketing API number of a bundle ticket: its `number`, else for a help-desk ticket the
    trailing number of its key (`HELP-12` -> 12)."""
    number = ticket.get("number")
    if number is None and kind == "helpdesk" and isinstance(ticket.get("key"), str):
        digits = ticket["key"].rsplit("-", 1)[-1]
        if digits.isdigit() and int(digits) <= 2_147_483_647:
            number = int(digits)
    return number


def ticket_history(*, ticket: dict, project: ProjectContext, organization_id: int) -> TicketHistory:
    """Derive one validated bundle ticket's row values and history rows. Events are ordered by
    `at`, ties keeping file order."""
    created_at = parse_timestamp_utc(ticket["created_at"])
    events = ticket.get("events") or []
    timed = sorted(
        ((parse_timestamp_utc(event["at"]), position, event) for position, event in enumerate(events)),
        key=lambda item: (item[0], item[1]),
    )
    initial = ticket.get("initial_status")
    status = project.statuses[project.default_status if initial is None else initial]
    assignee_id = None
    points = ticket.get("story_points")
    helpers = project.helper_ids
    closed_at = closed_by = reopened_by = resolved_at = None
    first_helper_response_at = last_message_at = last_message_by = None
    resolution = ""
    sprint_changes: list[tuple[datetime, str, int]] = []
    signatures = []
    for at, _position, event in timed:
        kind, actor_id = event["type"], event.get("by")
        if kind == "status":
            target = project.statuses[event["to"]]
            event_resolution = event.get("resolution") or ""
            signatures.append(
                _event_signature(
                    kind=kind, at=at, actor_id=actor_id, from_status_id=status.row_id,
                    to_status_id=target.row_id, resolution=event_resolution,
                )
            )  # fmt: skip
            was_done, is_done = status.mapping.state == "done", target.mapping.state == "done"
            if is_done and not was_done:
                closed_at, closed_by, resolution = at, actor_id, event_resolution
            elif was_done and not is_done:
                reopened_by = actor_id
            status = target
        elif kind == "assignee":
            signatures.append(
                _event_signature(
                    kind=kind, at=at, actor_id=actor_id, from_person_id=assignee_id, to_person_id=event["to"]
                )
            )
            assignee_id = event["to"]
        elif kind == "story_points":
            signatures.append(
                _event_signature(
                    kind=kind, at=at, actor_id=actor_id,
                    from_value=story_points_text(points), to_value=story_points_text(event["to"]),
                )
            )  # fmt: skip
            points = event["to"]
        elif kind == "comment":
            is_public = event.get("public", True) is not False
            signatures.append(
                _event_signature(kind=kind, at=at, actor_id=actor_id, body=event["body"], is_public=is_public)
            )
            last_message_at, last_message_by = at, actor_id
            if first_helper_response_at is None and actor_id in helpers:
                first_helper_response_at = at
        elif kind == "description_edit":
            signatures.append(_event_signature(kind=kind, at=at, actor_id=actor_id))
        else:
            signatures.append(
                _event_signature(
                    kind=kind, at=at, actor_id=actor_id, sprint_id=event["sprint"], sprint_action=event["action"]
                )
            )
            sprint_changes.append((at, event["action"], event["sprint"]))
    if status.mapping.state == "done":
        closed_at = created_at if closed_at is None else closed_at  # created done: closed at creation
        resolved_at = closed_at
    else:
        closed_at = closed_by = None
        resolution = ""
    number = ticket_number(ticket, project.kind)
    fields = {
        "organization_id": organization_id,
        "project_id": project.project_id,
        "number": number,
        "key": ticket["key"],
        "title": ticket["title"],
        "description": ticket.get("description") or "",
        "work_type": ticket.get("work_type") or "",
        "priority": ticket.get("priority") or "",
        "status_id": status.row_id,
        "story_points": story_points_decimal(points),
        "assignee_id": assignee_id,
        "reporter_id": ticket.get("reporter"),
        "epic": ticket.get("epic") or "",
        "labels": list(ticket.get("labels") or []),
        "custom_fields": dict(ticket.get("custom_fields") or {}),
        "resolution": ticket.get("resolution") or resolution,
        "expected_at": parse_timestamp_utc(ticket.get("expected_at")),
        "created_at": created_at,
        "updated_at": max([created_at, *(at for at, _p, _e in timed)]),
        "resolved_at": resolved_at,
        "first_helper_response_at": first_helper_response_at,
        "closed_at": closed_at,
        "closed_by_id": closed_by,
        "reopened_by_id": reopened_by,
        "last_message_at": last_message_at,
        "last_message_by_id": last_message_by,
    }
    creation_fields = {"state": status.mapping.display_state, "sprint_id": current_sprint(sprint_changes)}
    return TicketHistory(fields=fields, creation_fields=creation_fields, events=signatures)
