"""GitHub issues as tickets, as bundle sections: one project per repository with a fixed
workflow, one ticket per issue with its history.

- open → `Open` (not started); closed as completed → `Done` (done); closed as not planned →
  `Not planned` (done, cancelled); reopened → `Open`; while open, the label an admin names puts it
  `In progress` (active), and taking the label off puts it back to `Open`;
- `assigned` / `unassigned` events are assignee changes, comments are comments;
- bots' comments are left out; a bot as an actor is recorded as no one.

A status mapping an admin changed in the project is restated from the database, as are the
project's kind, jitter weights and helpers."""

import re
from dataclasses import dataclass, field

from connectors.github.mapping import is_bot, login_of
from tickets.models import Helper, Project, Status, Ticket

OPEN, IN_PROGRESS, DONE, NOT_PLANNED = 1, 2, 3, 4
STATUSES = [
    {"id": OPEN, "name": "Open", "lane": 0, "state": "not_started"},
    {"id": IN_PROGRESS, "name": "In progress", "lane": 1, "state": "active"},
    {"id": DONE, "name": "Done", "lane": 2, "state": "done"},
    {"id": NOT_PLANNED, "name": "Not planned", "lane": 2, "state": "done", "canceled": True},
]


@dataclass
class IssueRecord:
    """An issue with its events and comments, as GitHub lists them."""

    issue: dict
    events: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)

    def logins(self) -> set[str]:
        users = [self.issue.get("user"), *(self.issue.get("assignees") or [])]
        users += [event.get("actor") for event in self.events] + [event.get("assignee") for event in self.events]
        users += [comment.get("user") for comment in self.comments]
        return {login_of(user) for user in users if user and login_of(user) and not is_bot(user)}


def project_key(repository: str, configured: str) -> str:
    if configured.strip():
        return configured.strip()[:50]
    return (re.sub(r"[^A-Za-z0-9]", "", repository.split("/", 1)[-1]).upper() or "GITHUB")[:50]


def project_section(*, project_id: int, key: str, repository: str) -> dict:
    project = {"id": project_id, "key": key, "name": repository[:200], "statuses": _statuses(project_id)}
    stored = Project.objects.filter(id=project_id).first()
    if stored is not None:
        project.update(
            kind=stored.kind, name=stored.name,
            jitter_weights={"comment": stored.comment_weight, "description_edit": stored.description_edit_weight,
                            "assignee_change": stored.assignee_change_weight},
            helpers=sorted(Helper.objects.filter(project_id=project_id).values_list("person_id", flat=True)),
        )  # fmt: skip
    return project


def _statuses(project_id: int) -> list[dict]:
    stored = {
        row["external_id"]: row
        for row in Status.objects.filter(project_id=project_id).values(
            "external_id", "name", "position", "lane", "state", "is_waiting", "is_canceled"
        )
    }
    statuses = []
    for position, status in enumerate(STATUSES):
        row = stored.get(status["id"])
        if row is None:
            statuses.append({**status, "position": position})
            continue
        entry = {"id": status["id"], "name": row["name"], "position": row["position"]}
        if row["state"] is not None:
            entry.update(lane=row["lane"], state=row["state"], waiting=row["is_waiting"], canceled=row["is_canceled"])
        statuses.append(entry)
    return statuses


def helper_people(project_id: int) -> set[int]:
    return set(Helper.objects.filter(project_id=project_id).values_list("person_id", flat=True))


def adopt_ticket_ids(*, project_id: int, keys: dict[str, str]) -> dict[str, int]:
    """GitHub issue id -> id of a stored ticket with the same key (imported before another way)."""
    stored = Ticket.objects.filter(project_id=project_id, key__in=list(keys))
    by_key = {key: issue_id for issue_id, key in keys.items()}
    return {by_key[key]: ticket_id for key, ticket_id in stored.values_list("key", "id")}


def ticket_section(
    record: IssueRecord, *, ticket_id: int, project_id: int, key: str, people: dict[str, int], in_progress_label: str
) -> dict:
    issue = record.issue
    person = lambda user: None if not user or is_bot(user) else people.get(login_of(user))  # noqa: E731
    label = in_progress_label.strip().lower()
    events: list[dict] = []
    status, is_open = OPEN, True
    for event in sorted(record.events, key=lambda e: (e.get("created_at") or "", e.get("id") or 0)):
        kind, at, by = event.get("event"), event.get("created_at"), person(event.get("actor"))
        if not at:
            continue
        target = None
        if kind == "closed":
            reason = event.get("state_reason") or ""
            target, is_open = (NOT_PLANNED if reason == "not_planned" else DONE), False
        elif kind == "reopened":
            target, is_open = OPEN, True
        elif kind in ("labeled", "unlabeled") and label and is_open:
            if str((event.get("label") or {}).get("name") or "").lower() == label:
                target = IN_PROGRESS if kind == "labeled" else OPEN
        elif kind in ("assigned", "unassigned"):
            assignee = person(event.get("assignee")) if kind == "assigned" else None
            events.append({"type": "assignee", "at": at, "by": by, "to": assignee})
        if target is not None and target != status:
            events.append({"type": "status", "at": at, "by": by, "to": target})
            status = target
    final = _final_status(issue, label)
    if final != status:
        at = issue.get("closed_at") if final in (DONE, NOT_PLANNED) else issue.get("updated_at")
        events.append({"type": "status", "at": at or issue["created_at"], "by": None, "to": final})
    for comment in record.comments:
        if is_bot(comment.get("user")) or not comment.get("created_at"):
            continue
        events.append({"type": "comment", "at": comment["created_at"], "by": person(comment.get("user")),
                       "body": comment.get("body") or ""})  # fmt: skip
    return {
        "id": ticket_id, "project": project_id, "key": key, "title": str(issue.get("title") or "")[:500] or key,
        "created_at": issue["created_at"], "description": issue.get("body") or "",
        "labels": [str(label.get("name")) for label in issue.get("labels") or [] if isinstance(label, dict)],
        "reporter": person(issue.get("user")), "initial_status": OPEN, "events": events,
    }  # fmt: skip


def _final_status(issue: dict, label: str) -> int:
    if issue.get("state") == "closed":
        return NOT_PLANNED if issue.get("state_reason") == "not_planned" else DONE
    names = {str(item.get("name") or "").lower() for item in issue.get("labels") or [] if isinstance(item, dict)}
    return IN_PROGRESS if label and label in names else OPEN
