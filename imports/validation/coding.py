"""Validation of the coding sections of a bundle: repositories (with tags), commits, pull requests
and deployments."""

import re
from functools import partial

from imports.parsing import Problems, Reader, objects
from imports.validation.index import BundleIndex
from imports.validation.repeats import RepeatFinder, later_occurrences
from imports.validation.reviews import check_pull_request_details

SHA_PATTERN = re.compile(r"^[0-9a-fA-F]{7,64}$")
COMMIT_LINE_KEYS = ("additions", "deletions", "files", "hunks")
COMMIT_CLASSIFICATION_KEYS = ("rework_lines", "help_others_lines", "legacy_refactor_lines", "new_work_lines", "haloc")


def check_coding_sections(sections: dict[str, list], index: BundleIndex, problems: Problems) -> None:
    """Check repositories, commits, pull requests and deployments against the index."""
    _check_repositories(sections["repositories"], index, problems)
    _check_commits(sections["commits"], index, problems)
    _check_pull_requests(sections["pull_requests"], index, problems)
    _check_deployments(sections["deployments"], index, problems)


def _check_repositories(repositories: list, index: BundleIndex, problems: Problems) -> None:
    names: set[str] = set()
    tag_names_by_id: dict[int, str] = {}
    tag_ids_by_name: dict[str, int] = {}
    for position, reader in objects(repositories, "repositories", problems):
        path = f"repositories[{position}]"
        repository_id = reader.identifier()
        if repository_id in index.repository_ids:
            problems.add(f"{path}.id", f"duplicate repository id {repository_id}")
        elif repository_id is not None:
            index.repository_ids.add(repository_id)
        name = reader.string("name", required=True, nullable=False, max_length=200)
        if name in names:
            problems.add(f"{path}.name", f"duplicate repository name {name}")
        names.add(name)
        reader.string("url", max_length=500)
        for _position, tag in objects(reader.items("tags"), f"{path}.tags", problems):
            tag_id = tag.identifier()
            tag_name = tag.string("name", required=True, nullable=False, max_length=200)
            if tag_id is None or tag_name is None:
                continue
            if tag_names_by_id.setdefault(tag_id, tag_name) != tag_name:
                problems.add(f"{tag.path}.name", f"tag {tag_id} is also named {tag_names_by_id[tag_id]!r}")
            if tag_ids_by_name.setdefault(tag_name, tag_id) != tag_id:
                problems.add(
                    f"{tag.path}.id", f"tag name {tag_name!r} is also used by tag {tag_ids_by_name[tag_name]}"
                )


def _sha(reader: Reader, key: str = "sha") -> str | None:
    sha = reader.string(key, required=True, nullable=False, max_length=64)
    if sha is not None and not SHA_PATTERN.match(sha):
        reader.problems.add(f"{reader.path}.{key}", f"not a commit sha: {sha!r}")
        return None
    return sha.lower() if sha else None


def _check_commits(commits: list, index: BundleIndex, problems: Problems) -> None:
    repeats = RepeatFinder(values=len(commits))
    for position, reader in objects(commits, "commits", problems):
        repository_id = reader.reference("repository", index.repository_ids, "repository", required=True)
        sha = _sha(reader)
        if sha is not None:
            index.commit_shas.add(sha)
            if repository_id is not None:
                repeats.note((repository_id, sha))
        email = reader.string("author_email", max_length=254)
        if email is not None and email.strip() and "@" not in email:
            problems.add(f"commits[{position}].author_email", f"not an email address: {email!r}")
        reader.reference("author", index.person_ids, "person")
        reader.timestamp("authored_at", required=True, nullable=False)
        reader.timestamp("committed_at")
        reader.string("message")
        reader.boolean("merge")
        for key in COMMIT_LINE_KEYS + COMMIT_CLASSIFICATION_KEYS:
            reader.integer(key)
        reader.number("impact")
    for reader, (repository_id, sha), _earlier in later_occurrences(
        commits, "commits", repeats, partial(_commit_identity, index=index)
    ):
        problems.add(f"{reader.path}.sha", f"duplicate commit {sha} in repository {repository_id}")


def _check_pull_requests(pull_requests: list, index: BundleIndex, problems: Problems) -> None:
    repeats = RepeatFinder(values=2 * len(pull_requests))
    for _position, reader in objects(pull_requests, "pull_requests", problems):
        for value in _pull_request_identity(reader, index):
            repeats.note(value)
        reader.reference("author", index.person_ids, "person")
        reader.string("title", max_length=500)
        reader.timestamp("created_at", required=True, nullable=False)
        for key in ("first_commit_at", "first_review_at", "merged_at", "closed_at"):
            reader.timestamp(key)
        for key in ("additions", "deletions", "commits"):
            reader.integer(key)
        check_pull_request_details(reader, index, problems)
    identity = partial(_pull_request_identity, index=index)
    for reader, value, _earlier in later_occurrences(pull_requests, "pull_requests", repeats, identity):
        if value[0] == "id":
            problems.add(f"{reader.path}.id", f"duplicate pull request id {value[1]}")
        else:
            problems.add(f"{reader.path}.number", f"duplicate pull request {value[2]} in repository {value[1]}")


def _commit_identity(reader: Reader, index: BundleIndex) -> list[tuple]:
    """What must be unique among commits: the sha within the repository."""
    repository_id = reader.reference("repository", index.repository_ids, "repository", required=True)
    sha = _sha(reader)
    return [(repository_id, sha)] if repository_id is not None and sha is not None else []


def _deployment_identity(reader: Reader) -> list[int]:
    """What must be unique among deployments: the id."""
    deployment_id = reader.identifier()
    return [deployment_id] if deployment_id is not None else []


def _pull_request_identity(reader: Reader, index: BundleIndex) -> list[tuple]:
    """What must be unique among pull requests: the id, the number within the repository."""
    pull_request_id = reader.identifier()
    repository_id = reader.reference("repository", index.repository_ids, "repository", required=True)
    number = reader.integer("number", required=True, nullable=False, minimum=1)
    identity = [("id", pull_request_id)] if pull_request_id is not None else []
    if repository_id is not None and number is not None:
        identity.append(("number", repository_id, number))
    return identity


def _check_deployments(deployments: list, index: BundleIndex, problems: Problems) -> None:
    repeats = RepeatFinder(values=len(deployments))
    for position, reader in objects(deployments, "deployments", problems):
        path = f"deployments[{position}]"
        for value in _deployment_identity(reader):
            repeats.note(value)
        reader.reference("repository", index.repository_ids, "repository", required=True)
        reader.string("environment", required=True, nullable=False, max_length=100)
        reader.timestamp("deployed_at", required=True, nullable=False)
        reader.string("status", max_length=32)
        reader.boolean("caused_incident")
        for sha_position, sha in enumerate(reader.strings("commits")):
            sha_path = f"{path}.commits[{sha_position}]"
            if not SHA_PATTERN.match(sha):
                problems.add(sha_path, f"not a commit sha: {sha!r}")
            elif sha.lower() not in index.commit_shas:
                index.deployment_shas.append((sha_path, sha.lower()))
    for reader, deployment_id, _earlier in later_occurrences(
        deployments, "deployments", repeats, _deployment_identity
    ):
        problems.add(f"{reader.path}.id", f"duplicate deployment id {deployment_id}")
