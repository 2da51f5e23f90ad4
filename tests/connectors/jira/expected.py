"""What the ticket log and sprint analytics must say, computed straight from the saved Jira
responses by the definitions of docs/flow-ticket-metrics.md and docs/haystack-delivery-metrics.md,
without the connector's code: status intervals from the changelog's status items, states from the
status list's categories (statuses missing from it are unmapped), a done status reached under a
cancelling resolution is cancelled."""

from dataclasses import dataclass
from datetime import datetime

from connectors.jira.text import utc_iso

CANCELLING = {"won't do", "won't fix", "duplicate", "cannot reproduce", "declined"}
STATES = {"new": "not_started", "indeterminate": "active", "done": "done"}


def at(value: str) -> datetime:
    return datetime.fromisoformat(utc_iso(value))


@dataclass
class Expected:
    state: str
    first_active_at: datetime | None
    done_at: datetime | None
    cycle_time: float | None


def _histories(issue: dict) -> list[dict]:
    return sorted(issue["changelog"]["histories"], key=lambda h: (at(h["created"]), int(h["id"])))


def _items(issue: dict, field: str) -> list[dict]:
    return [item for h in _histories(issue) for item in h["items"] if item["field"] == field]


def intervals(issue: dict, categories: dict[str, str]) -> list[tuple[datetime, str, bool]]:
    """(start, status id, cancelled) per status the issue went through."""
    fields = issue["fields"]
    resolutions, statuses = _items(issue, "resolution"), _items(issue, "status")
    resolution = resolutions[0]["fromString"] if resolutions else (fields.get("resolution") or {}).get("name")

    def cancelled(status_id: str) -> bool:
        return bool(resolution) and resolution.casefold() in CANCELLING and categories.get(status_id) in ("done", None)

    current = statuses[0]["from"] if statuses else fields["status"]["id"]
    result = [(at(fields["created"]), current, cancelled(current))]
    for history in _histories(issue):
        before = bool(resolution) and resolution.casefold() in CANCELLING
        for item in history["items"]:
            if item["field"] == "resolution":
                resolution = item["toString"] if item["to"] else None
        moves = [item for item in history["items"] if item["field"] == "status"]
        for item in moves:
            current = item["to"]
            entry = (at(history["created"]), current, cancelled(current))
            if entry[1:] != result[-1][1:]:
                result.append(entry)
        now = bool(resolution) and resolution.casefold() in CANCELLING
        if not moves and before != now and cancelled(current) != result[-1][2]:
            result.append((at(history["created"]), current, cancelled(current)))
    return result


def expected_values(issue: dict, categories: dict[str, str]) -> Expected:
    walk = intervals(issue, categories)

    def state_of(status_id: str, is_cancelled: bool) -> str | None:
        state = STATES.get(categories.get(status_id))
        return "canceled" if state == "done" and is_cancelled else state

    states = [(start, state_of(status_id, is_cancelled)) for start, status_id, is_cancelled in walk]
    first_active = next((start for start, state in states if state == "active"), None)
    done_at = None
    for start, state in reversed(states):
        if state != "done":
            break
        done_at = start
    cycle = None
    if first_active and done_at and done_at >= first_active:
        cycle = round(int((done_at - first_active).total_seconds()) / 3600, 2)  # whole seconds, as stored
    return Expected(state=states[-1][1] or "unmapped", first_active_at=first_active, done_at=done_at, cycle_time=cycle)


def sprint_membership(issue: dict, sprint_field: str = "customfield_10020") -> list[tuple[datetime, str, str]]:
    """(time, add/remove, sprint id): the Sprint items, or the current sprints since creation."""
    items = [(h, item) for h in _histories(issue) for item in h["items"] if item["field"] == "Sprint"]
    if not items:
        current = {str(s["id"]) for s in issue["fields"].get(sprint_field) or []}
        return [(at(issue["fields"]["created"]), "add", sprint_id) for sprint_id in sorted(current)]
    first = {part.strip() for part in (items[0][1]["from"] or "").split(",") if part.strip()}
    changes = [(at(issue["fields"]["created"]), "add", sprint_id) for sprint_id in sorted(first)]
    for history, item in items:
        before = {part.strip() for part in (item["from"] or "").split(",") if part.strip()}
        after = {part.strip() for part in (item["to"] or "").split(",") if part.strip()}
        changes += [(at(history["created"]), "remove", s) for s in sorted(before - after)]
        changes += [(at(history["created"]), "add", s) for s in sorted(after - before)]
    return changes


def in_sprint(changes: list[tuple[datetime, str, str]], sprint_id: str, moment: datetime) -> bool:
    member = False
    for when, action, target in changes:
        if target == sprint_id and when <= moment:
            member = action == "add"
    return member


def completed_at(issue: dict, categories: dict[str, str], moment: datetime) -> bool:
    """In a done, not cancelled, status at `moment`."""
    walk = [entry for entry in intervals(issue, categories) if entry[0] <= moment]
    if not walk:
        return False
    _start, status_id, is_cancelled = walk[-1]
    return categories.get(status_id) == "done" and not is_cancelled
