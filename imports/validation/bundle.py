"""Validation of a whole bundle (docs/bundle-format.md) before anything is written: types, required keys,
references between sections, duplicate ids, and ids already used by another organization. Every
problem is collected and named by its JSON location; `bundle_validate` raises them together."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug

from formulas.tickets import MappedStatus
from imports.parsing import MAX_ID, Problems, Reader, note_unique, objects
from imports.reading import is_list
from imports.validation.coding import check_coding_sections
from imports.validation.database import check_database
from imports.validation.index import (
    BUNDLE_FORMAT,
    JITTER_WEIGHT_KEYS,
    SECTIONS,
    STATES,
    BundleIndex,
    BundleInvalid,
    ProjectRef,
)
from imports.validation.tickets import check_ticket_sections


def bundle_validate(*, data: object) -> BundleIndex:
    """Check a whole bundle; raise BundleInvalid with every problem found, else return its index.
    Nothing is written."""
    problems = Problems()
    if not isinstance(data, dict):
        raise BundleInvalid([f"(root): expected a JSON object, got {type(data).__name__}"])
    if data.get("format") != BUNDLE_FORMAT:
        problems.add("format", f"must be {BUNDLE_FORMAT!r}, got {data.get('format')!r}")
    root = Reader(data, "(root)", problems)
    for section in SECTIONS:
        if section in data and not is_list(data[section]):
            problems.add(section, f"expected a list, got {type(data[section]).__name__}")
    sections = bundle_sections(data)

    index = BundleIndex()
    _check_organization(root, index, problems)
    _check_teams(sections["teams"], index, problems)
    _check_people(sections["people"], index, problems)
    _check_stored_people(root, index, problems)
    _check_projects(sections["projects"], index, problems)
    check_ticket_sections(sections, index, problems)
    check_coding_sections(sections, index, problems)
    if index.slug is not None:
        check_database(sections, index, problems)
    if problems:
        raise BundleInvalid(problems.messages)
    return index


def bundle_sections(data: dict) -> dict[str, list]:
    """The bundle's list sections by name; one that is missing or not a list (a problem the
    validation reports) as empty."""
    return {section: data[section] if is_list(data.get(section)) else [] for section in SECTIONS}


def _check_organization(root: Reader, index: BundleIndex, problems: Problems) -> None:
    organization = root.mapping("organization", required=True)
    if organization is None:
        return
    reader = Reader(organization, "organization", problems)
    slug = reader.string("slug", required=True, nullable=False, max_length=50)
    if slug is not None:
        try:
            validate_slug(slug)
            index.slug = slug
        except ValidationError:
            problems.add("organization.slug", f"not a valid slug: {slug!r}")
    reader.string("name", required=True, nullable=False, max_length=200)
    settings = reader.mapping("settings")
    if settings is not None:
        settings_reader = Reader(settings, "organization.settings", problems)
        settings_reader.boolean("backflow_counts_intra_lane_changes")
        settings_reader.strings("sprint_excluded_work_types")


def _check_teams(teams: list, index: BundleIndex, problems: Problems) -> None:
    parents: dict[int, tuple[int, str]] = {}
    for position, reader in objects(teams, "teams", problems):
        team_id = reader.identifier()
        note_unique(index.team_ids, team_id, f"teams[{position}].id", problems, "team id")
        reader.string("name", required=True, nullable=False, max_length=200)
        reader.string("description")
        parent_id = reader.identifier("parent", required=False, nullable=True)
        if team_id is not None and parent_id is not None:
            parents[team_id] = (parent_id, f"teams[{position}].parent")
    for team_id, (parent_id, path) in parents.items():
        if parent_id not in index.team_ids:
            problems.add(path, f"unknown team {parent_id}")
            continue
        seen, current = {team_id}, parent_id
        while current in parents:
            if current in seen:
                problems.add(path, f"team {team_id} is its own ancestor")
                break
            seen.add(current)
            current = parents[current][0]


def _check_people(people: list, index: BundleIndex, problems: Problems) -> None:
    alias_owners: dict[str, int] = {}
    for position, reader in objects(people, "people", problems):
        person_id = reader.identifier()
        note_unique(index.person_ids, person_id, f"people[{position}].id", problems, "person id")
        reader.string("name", required=True, nullable=False, max_length=200)
        reader.string("slack_id", max_length=64)
        reader.boolean("hidden_from_reports")
        reader.boolean("needs_review")
        email = reader.string("email", max_length=254)
        if email and "@" not in email:
            problems.add(f"people[{position}].email", f"not an email address: {email!r}")
        values = [(f"people[{position}].email", email)] if email else []
        values += [(f"people[{position}].aliases[{i}]", a) for i, a in enumerate(reader.strings("aliases"))]
        for path, value in values:
            normalized = value.strip().lower()
            if not normalized or len(normalized) > 254:
                problems.add(path, f"not a usable alias: {value!r}")
            elif alias_owners.setdefault(normalized, person_id) != person_id:
                problems.add(path, f"{normalized} is also an alias of person {alias_owners[normalized]}")
        for team_position, team_id in enumerate(reader.identifiers("teams")):
            if team_id not in index.team_ids:
                problems.add(f"people[{position}].teams[{team_position}]", f"unknown team {team_id}")


def _check_stored_people(root: Reader, index: BundleIndex, problems: Problems) -> None:
    """`stored_people`: ids of people of the organization that the bundle's rows reference without
    restating them (a connector's people, whom an admin may have edited). They must exist."""
    for position, person_id in enumerate(root.identifiers("stored_people")):
        path = f"stored_people[{position}]"
        if person_id in index.person_ids and person_id not in index.stored_person_ids:
            problems.add(path, f"person {person_id} is also in people")
            continue
        index.person_ids.add(person_id)
        index.stored_person_ids.setdefault(person_id, path)


def _check_projects(projects: list, index: BundleIndex, problems: Problems) -> None:
    keys: set[str] = set()
    for position, reader in objects(projects, "projects", problems):
        path = f"projects[{position}]"
        project_id = reader.identifier()
        key = reader.string("key", required=True, nullable=False, max_length=50)
        note_unique(keys, key, f"{path}.key", problems, "project key")
        reader.string("name", required=True, nullable=False, max_length=200)
        kind = reader.choice("kind", ("delivery", "helpdesk")) or "delivery"
        project = ProjectRef(key=key, kind=kind)
        statuses = reader.items("statuses", required=True)
        if "statuses" in reader.obj and not statuses:
            problems.add(f"{path}.statuses", "a project needs at least one status")
        for _position, status in objects(statuses, f"{path}.statuses", problems):
            _check_status(status, project, problems)
        weights = reader.mapping("jitter_weights")
        if weights is not None:
            weights_reader = Reader(weights, f"{path}.jitter_weights", problems)
            for weight_key in weights:
                if weight_key not in JITTER_WEIGHT_KEYS:
                    problems.add(f"{path}.jitter_weights.{weight_key}", "unknown jitter weight")
                else:
                    weights_reader.integer(weight_key, nullable=False)
        for helper_position, person_id in enumerate(reader.identifiers("helpers")):
            if person_id not in index.person_ids:
                problems.add(f"{path}.helpers[{helper_position}]", f"unknown person {person_id}")
        if project_id is not None:
            if project_id in index.projects:
                problems.add(f"{path}.id", f"duplicate project id {project_id}")
            else:
                index.projects[project_id] = project


def _check_status(reader: Reader, project: ProjectRef, problems: Problems) -> None:
    status_id = reader.integer("id", required=True, nullable=False, maximum=MAX_ID)
    reader.string("name", required=True, nullable=False, max_length=200)
    reader.integer("position")
    lane = reader.integer("lane")
    state = reader.choice("state", STATES)
    waiting = bool(reader.boolean("waiting"))
    canceled = bool(reader.boolean("canceled"))
    has_lane, has_state = reader.obj.get("lane") is not None, reader.obj.get("state") is not None
    if has_lane != has_state:
        problems.add(reader.path, "lane and state must be given together (or neither, for an unmapped status)")
    if waiting and state != "active":
        problems.add(f"{reader.path}.waiting", "only an active status can be waiting")
    if canceled and state != "done":
        problems.add(f"{reader.path}.canceled", "only a done status can be canceled")
    if status_id is None:
        return
    if status_id in project.statuses:
        problems.add(f"{reader.path}.id", f"duplicate status id {status_id} in project {project.key}")
        return
    project.statuses[status_id] = MappedStatus(
        lane=lane if state else None, state=state if lane is not None else None, waiting=waiting, canceled=canceled
    )
    if project.default_status is None and state == "not_started":
        project.default_status = status_id
