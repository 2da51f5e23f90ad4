"""Validation of the ticket sections of a bundle: sprints, tickets and their history events."""

from functools import partial

from imports.parsing import MAX_ID, Problems, Reader, is_integer, note_unique, objects
from imports.timeline import ticket_number
from imports.validation.index import BundleIndex, ProjectRef
from imports.validation.repeats import RepeatFinder, later_occurrences

EVENT_TYPES = ("status", "assignee", "comment", "description_edit", "story_points", "sprint")
MAX_STORY_POINTS = 999_999


def check_ticket_sections(sections: dict[str, list], index: BundleIndex, problems: Problems) -> None:
    """Check sprints, then tickets with their events, against the index."""
    _check_sprints(sections["sprints"], index, problems)
    _check_tickets(sections["tickets"], index, problems)


def _check_sprints(sprints: list, index: BundleIndex, problems: Problems) -> None:
    for position, reader in objects(sprints, "sprints", problems):
        sprint_id = reader.identifier()
        note_unique(index.sprint_ids, sprint_id, f"sprints[{position}].id", problems, "sprint id")
        reader.reference("project", index.projects, "project", required=True)
        reader.string("name", required=True, nullable=False, max_length=200)
        reader.choice("state", ("future", "active", "closed"))
        for key in ("start", "end", "completed_at"):
            reader.timestamp(key)


def _check_tickets(tickets: list, index: BundleIndex, problems: Problems) -> None:
    repeats = RepeatFinder(values=3 * len(tickets))
    for position, reader in objects(tickets, "tickets", problems):
        path = f"tickets[{position}]"
        identity = _ticket_identity(reader, index)
        for value in identity:
            repeats.note(value)
        project_id = reader.reference("project", index.projects, "project", required=True)
        project = index.projects.get(project_id)
        reader.string("title", required=True, nullable=False, max_length=500)
        reader.string("description")
        for text_key, max_length in (("work_type", 50), ("priority", 50), ("epic", 200), ("resolution", 200)):
            reader.string(text_key, max_length=max_length)
        reader.number("story_points", maximum=MAX_STORY_POINTS)
        reader.strings("labels")
        reader.mapping("custom_fields")
        reader.integer("number")
        reader.reference("reporter", index.person_ids, "person")
        reader.timestamp("created_at", required=True, nullable=False)
        reader.timestamp("expected_at")
        initial_status = reader.integer("initial_status", maximum=MAX_ID)
        if project is not None:
            if initial_status is not None and initial_status not in project.statuses:
                problems.add(f"{path}.initial_status", f"unknown status {initial_status} for project {project_id}")
            elif reader.obj.get("initial_status") is None and project.default_status is None:
                problems.add(f"{path}.initial_status", f"required: project {project_id} has no not-started status")
        for _position, event in objects(reader.items("events"), f"{path}.events", problems):
            _check_event(event, project_id, project, index, problems)
    identity = partial(_ticket_identity, index=index)
    for reader, value, earlier in later_occurrences(tickets, "tickets", repeats, identity):
        ticket_id = reader.obj.get("id")
        if value[0] == "id":
            problems.add(f"{reader.path}.id", f"duplicate ticket id {ticket_id}")
        elif value[0] == "key":
            problems.add(f"{reader.path}.key", f"duplicate ticket key {value[2]} in project {value[1]}")
        elif earlier.holder != ticket_id:
            problems.add(f"{reader.path}.number", f"ticket number {value[2]} is also used by ticket {earlier.holder}")


def _ticket_identity(reader: Reader, index: BundleIndex) -> list[tuple]:
    """What must be unique among the bundle's tickets: the id, the key within the project and the
    Ticketing API number within the project (reading them records their problems)."""
    ticket_id = reader.identifier()
    project_id = reader.obj.get("project")
    project = index.projects.get(project_id) if is_integer(project_id) else None
    key = reader.string("key", required=True, nullable=False, max_length=64)
    identity = [("id", ticket_id)] if ticket_id is not None else []
    if key is not None and project is not None:
        identity.append(("key", project_id, key))
        number = ticket_number(reader.obj, project.kind)
        if is_integer(number):
            identity.append(("number", project_id, number))
    return identity


def _check_event(
    reader: Reader, project_id: int | None, project: ProjectRef | None, index: BundleIndex, problems: Problems
) -> None:
    reader.timestamp("at", required=True, nullable=False)
    kind = reader.choice("type", EVENT_TYPES, required=True)
    reader.reference("by", index.person_ids, "person")
    if kind == "status":
        status_id = reader.integer("to", required=True, nullable=False, maximum=MAX_ID)
        if status_id is not None and project is not None and status_id not in project.statuses:
            problems.add(f"{reader.path}.to", f"unknown status {status_id} for project {project_id}")
        reader.string("resolution", max_length=200)
    elif kind == "assignee":
        if reader.obj.get("to") is not None or "to" not in reader.obj:
            reader.reference("to", index.person_ids, "person", required=True)
    elif kind == "comment":
        reader.string("body", required=True, nullable=False, blank=True)
        reader.boolean("public")
    elif kind == "story_points":
        reader.number("to", required=True, maximum=MAX_STORY_POINTS)
    elif kind == "sprint":
        reader.choice("action", ("add", "remove"), required=True)
        reader.reference("sprint", index.sprint_ids, "sprint", required=True)
