"""Validation of a bundle against the database: ids already used by another organization, natural
keys (project keys, ticket keys, repository and tag names, pull request numbers, aliases) already
held by a different row of the same organization, and deployment commits that exist nowhere."""

from collections.abc import Iterator

from django.db.models import Model

from accounts.models import Organization, Person, PersonAlias, Team
from coding.models import Commit, Deployment, PullRequest, Repository, RepositoryTag
from imports.parsing import Problems, batched, is_integer
from imports.timeline import ticket_number
from imports.validation.index import BundleIndex
from tickets.models import Project, Sprint, Ticket

QUERY_CHUNK = 2000
EXPLICIT_ID_SECTIONS: tuple[tuple[str, type[Model], str], ...] = (
    ("teams", Team, "team"),
    ("people", Person, "person"),
    ("projects", Project, "project"),
    ("sprints", Sprint, "sprint"),
    ("tickets", Ticket, "ticket"),
    ("repositories", Repository, "repository"),
    ("pull_requests", PullRequest, "pull request"),
    ("deployments", Deployment, "deployment"),
)


def _valid_dicts(items: list, section: str) -> Iterator[tuple[str, dict]]:
    for position, item in enumerate(items):
        if isinstance(item, dict):
            yield f"{section}[{position}]", item


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _tag_ids_with_paths(sections: dict[str, list]) -> dict[int, str]:
    result: dict[int, str] = {}
    for path, repository in _valid_dicts(sections["repositories"], "repositories"):
        tags = repository.get("tags")
        for tag_path, tag in _valid_dicts(tags if isinstance(tags, list) else [], f"{path}.tags"):
            if _is_id(tag.get("id")):
                result.setdefault(tag["id"], f"{tag_path}.id")
    return result


def check_database(sections: dict[str, list], index: BundleIndex, problems: Problems) -> None:
    """Add a problem for every conflict between the bundle and rows already stored. Sections are
    read in chunks of QUERY_CHUNK items, one query per chunk and check."""
    organization = Organization.objects.filter(slug=index.slug).first()
    organization_id = organization.id if organization else None
    for section, model, what, chunk, paths in _explicit_ids(sections):
        _check_taken(model, what, paths, organization_id, problems)
        if section == "tickets" and organization is not None:  # in the same pass over them
            _check_ticket_keys(chunk, index, organization, problems)
    _check_taken(RepositoryTag, "repository tag", _tag_ids_with_paths(sections), organization_id, problems)
    if organization is not None:
        _check_natural_keys(sections, index, organization, problems)
    _check_stored_people(index, organization_id, problems)
    _check_deployment_commits(index, organization_id, problems)


def ids_of_another_organization(sections: dict[str, list], *, slug: object) -> bool:
    """Whether a bundle id names a row of another organization than `slug`'s: the first check of
    `check_database`, alone, stopping at the first such id (what writes alongside the validation
    must not touch: they would lock and update another organization's rows until the verdict)."""
    organization_id = Organization.objects.filter(slug=slug).values_list("id", flat=True).first()
    taken = Problems()
    for _section, model, what, _chunk, paths in _explicit_ids(sections):
        _check_taken(model, what, paths, organization_id, taken)
        if taken:
            return True
    _check_taken(RepositoryTag, "repository tag", _tag_ids_with_paths(sections), organization_id, taken)
    return bool(taken)


def _explicit_ids(sections: dict[str, list]) -> Iterator[tuple[str, type[Model], str, list, dict[int, str]]]:
    """(section, model, what, chunk of (location, item), the chunk's ids -> their JSON location)
    for each chunk of QUERY_CHUNK items of the sections whose items give their own ids."""
    for section, model, what in EXPLICIT_ID_SECTIONS:
        for chunk in batched(_valid_dicts(sections[section], section), QUERY_CHUNK):
            paths: dict[int, str] = {}
            for path, item in chunk:
                if _is_id(item.get("id")):
                    paths.setdefault(item["id"], f"{path}.id")
            yield section, model, what, chunk, paths


def _check_taken(model, what: str, paths: dict[int, str], organization_id: int | None, problems: Problems) -> None:
    """Ids of `paths` (id -> JSON location) already used by another organization."""
    for chunk in batched(sorted(paths), QUERY_CHUNK):
        taken = model.objects.filter(id__in=chunk).exclude(organization_id=organization_id)
        for taken_id in sorted(taken.values_list("id", flat=True)):
            problems.add(paths[taken_id], f"{what} id {taken_id} is already used by another organization")


def _conflicts(
    queryset, key_fields: tuple[str, ...], wanted: dict[tuple, tuple[int, str]], problems: Problems, what: str
) -> None:
    """`wanted` maps a natural key to (bundle id, JSON location); report stored rows holding that
    key under another id."""
    lookup = key_fields[-1]
    values = sorted({key[-1] for key in wanted})
    for chunk in batched(values, QUERY_CHUNK):
        for row_id, *key in queryset.filter(**{f"{lookup}__in": chunk}).values_list("id", *key_fields):
            bundle_id, path = wanted.get(tuple(key), (row_id, ""))
            if bundle_id != row_id:
                problems.add(path, f"{what} {key[-1]!r} is already used by {row_id} in this organization")


def _check_natural_keys(sections: dict[str, list], index: BundleIndex, organization, problems: Problems) -> None:
    projects = {
        (item["key"],): (item["id"], f"{path}.key")
        for path, item in _valid_dicts(sections["projects"], "projects")
        if _is_id(item.get("id")) and isinstance(item.get("key"), str)
    }
    _conflicts(Project.objects.filter(organization=organization), ("key",), projects, problems, "project key")
    repositories, tags = {}, {}
    for path, item in _valid_dicts(sections["repositories"], "repositories"):
        if _is_id(item.get("id")) and isinstance(item.get("name"), str):
            repositories[(item["name"],)] = (item["id"], f"{path}.name")
        for tag_path, tag in _valid_dicts(item.get("tags") or [], f"{path}.tags"):
            if _is_id(tag.get("id")) and isinstance(tag.get("name"), str):
                tags[(tag["name"],)] = (tag["id"], f"{tag_path}.name")
    _conflicts(Repository.objects.filter(organization=organization), ("name",), repositories, problems, "repository")
    _conflicts(RepositoryTag.objects.filter(organization=organization), ("name",), tags, problems, "tag name")
    pull_requests = {
        (item["repository"], item["number"]): (item["id"], f"{path}.number")
        for path, item in _valid_dicts(sections["pull_requests"], "pull_requests")
        if _is_id(item.get("id")) and _is_id(item.get("repository")) and _is_id(item.get("number"))
    }
    repository_ids = sorted({repository_id for repository_id, _number in pull_requests})
    stored_pull_requests = PullRequest.objects.filter(organization=organization, repository_id__in=repository_ids)
    _conflicts(stored_pull_requests, ("repository_id", "number"), pull_requests, problems, "pull request")
    _check_aliases(sections, index, organization, problems)


def _check_ticket_keys(chunk: list[tuple[str, dict]], index: BundleIndex, organization, problems: Problems) -> None:
    """Ticket keys and Ticketing API numbers of one chunk of tickets held by another stored ticket."""
    keys, numbers = {}, {}
    for path, item in chunk:
        project = index.projects.get(item.get("project")) if _is_id(item.get("project")) else None
        if not _is_id(item.get("id")) or project is None or not isinstance(item.get("key"), str):
            continue
        keys[(item["project"], item["key"])] = (item["id"], f"{path}.key")
        number = ticket_number(item, project.kind)
        if is_integer(number):
            numbers.setdefault((item["project"], number), (item["id"], f"{path}.number"))
    stored = Ticket.objects.filter(organization=organization, project_id__in=sorted({p for p, _key in keys}))
    _conflicts(stored, ("project_id", "key"), keys, problems, "ticket key")
    _conflicts(stored, ("project_id", "number"), numbers, problems, "ticket number")


def _check_aliases(sections: dict[str, list], index: BundleIndex, organization, problems: Problems) -> None:
    """An alias may move between people of the bundle, and is taken over from a person created
    automatically for an unknown author (needs_review); held by anyone else it is a conflict."""
    stored = PersonAlias.objects.filter(organization=organization)
    for people in batched(_valid_dicts(sections["people"], "people"), QUERY_CHUNK // 2):
        wanted: dict[str, str] = {}
        for path, person in people:
            values = [(f"{path}.email", person.get("email"))]
            aliases = person.get("aliases")
            values += [(f"{path}.aliases[{i}]", a) for i, a in enumerate(aliases if isinstance(aliases, list) else [])]
            for value_path, value in values:
                if isinstance(value, str) and value.strip():
                    wanted.setdefault(value.strip().lower(), value_path)
        for chunk in batched(sorted(wanted), QUERY_CHUNK):
            rows = stored.filter(value__in=chunk).values_list("value", "person_id", "person__needs_review")
            for value, person_id, needs_review in rows:
                if person_id not in index.person_ids and not needs_review:
                    problems.add(
                        wanted[value], f"{value} is already an alias of person {person_id} (not in the bundle)"
                    )


def _check_stored_people(index: BundleIndex, organization_id: int | None, problems: Problems) -> None:
    wanted = index.stored_person_ids
    found: set[int] = set()
    if organization_id is not None:
        for chunk in batched(sorted(wanted), QUERY_CHUNK):
            stored = Person.objects.filter(organization_id=organization_id, id__in=chunk)
            found.update(stored.values_list("id", flat=True))
    for person_id, path in wanted.items():
        if person_id not in found:
            problems.add(path, f"no stored person {person_id} in this organization")


def _check_deployment_commits(index: BundleIndex, organization_id: int | None, problems: Problems) -> None:
    wanted = {sha for _path, sha in index.deployment_shas}
    found: set[str] = set()
    if organization_id is not None:
        for chunk in batched(sorted(wanted), QUERY_CHUNK):
            stored = Commit.objects.filter(organization_id=organization_id, sha__in=chunk)
            found.update(stored.values_list("sha", flat=True))
    for path, sha in index.deployment_shas:
        if sha not in found:
            problems.add(path, f"unknown commit {sha} (neither in the bundle nor stored for this organization)")
