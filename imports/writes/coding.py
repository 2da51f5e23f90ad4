"""Bundle writes for the coding app: repositories with tags, commits (authors resolved through
people's emails and aliases), pull requests, deployments and the commits they shipped."""

from collections import defaultdict
from datetime import UTC, datetime

from accounts.models import Organization, Person, PersonAlias
from coding.models import Commit, Deployment, DeploymentCommit, PullRequest, Repository, RepositoryTag
from imports.parsing import batched, parse_timestamp_utc
from imports.sync import (
    QUERY_CHUNK,
    WRITE_BATCH,
    Counts,
    id_sequences_reset,
    links_sync,
    rows_sync,
    stored_by_id,
    stored_rows,
)
from imports.writes.reviews import pull_request_detail_row

REPOSITORY_FIELDS = ["name", "url"]
COMMIT_FIELDS = [
    "author_id", "author_email", "authored_at", "author_utc_offset_minutes", "authored_local_date", "committed_at",
    "message", "additions", "deletions", "files", "hunks", "is_merge", "haloc", "new_work_lines", "rework_lines",
    "help_others_lines", "legacy_refactor_lines", "impact",
]  # fmt: skip
PULL_REQUEST_FIELDS = [
    "repository_id", "number", "author_id", "title", "created_at", "first_commit_at", "first_review_at",
    "merged_at", "closed_at", "additions", "deletions", "commits_count", "state", "is_draft", "base_branch",
    "head_branch", "changed_files", "author_login", "author_is_bot", "ticket_keys",
]  # fmt: skip
DEPLOYMENT_FIELDS = ["repository_id", "environment", "deployed_at", "status", "caused_incident"]
COMMIT_CHUNK = 5000


def repositories_upsert(*, organization: Organization, repositories: list[dict]) -> dict[str, Counts]:
    """Upsert repositories and their tags by id, and make each repository's tags the bundle's."""
    desired = {
        repository["id"]: {
            "id": repository["id"], "organization_id": organization.id,
            "name": repository["name"], "url": repository.get("url") or "",
        }
        for repository in repositories
    }  # fmt: skip
    stored = stored_by_id(Repository, desired, REPOSITORY_FIELDS)
    repository_counts, _touched = rows_sync(model=Repository, desired=desired, stored=stored, fields=REPOSITORY_FIELDS)
    tags = {
        tag["id"]: {"id": tag["id"], "organization_id": organization.id, "name": tag["name"]}
        for repository in repositories
        for tag in repository.get("tags") or []
    }
    stored_tags = stored_by_id(RepositoryTag, tags, ["name"])
    tag_counts, _touched = rows_sync(model=RepositoryTag, desired=tags, stored=stored_tags, fields=["name"])
    id_sequences_reset(Repository, RepositoryTag)
    link_counts = links_sync(
        model=Repository.tags.through, owner_field="repository_id", other_field="repositorytag_id",
        desired={repository["id"]: {tag["id"] for tag in repository.get("tags") or []} for repository in repositories},
    )  # fmt: skip
    return {"repositories": repository_counts, "repository tags": tag_counts, "repository tag links": link_counts}


def _authors_by_email(*, organization: Organization, commits: list[dict]) -> tuple[dict[str, int], Counts]:
    """Map every commit author email (lower-cased) to a person: by alias, then by a person's email;
    an unknown email gets a new person marked needs_review (with the email as alias), so no commit
    is dropped and a re-import finds the same person."""
    emails = {(c.get("author_email") or "").strip().lower() for c in commits if c.get("author") is None} - {""}
    people: dict[str, int] = {}
    for chunk in batched(sorted(emails), QUERY_CHUNK):
        stored = PersonAlias.objects.filter(organization=organization, value__in=chunk)
        people.update(stored.values_list("value", "person_id"))
    if emails - set(people):
        stored_people = Person.objects.filter(organization=organization).exclude(email="")
        stored_people = stored_people.order_by("needs_review", "id")
        for email, person_id in stored_people.values_list("email", "id"):
            if email.lower() in emails:
                people.setdefault(email.lower(), person_id)
    unknown = sorted(emails - set(people))
    created = Person.objects.bulk_create(
        [Person(organization=organization, name=email[:200], email=email, needs_review=True) for email in unknown],
        batch_size=WRITE_BATCH,
    )
    PersonAlias.objects.bulk_create(
        [PersonAlias(organization=organization, person=person, value=person.email) for person in created],
        batch_size=WRITE_BATCH,
    )
    people.update({person.email: person.id for person in created})
    return people, Counts(created=len(created))


def _commit_row(commit: dict, *, organization_id: int, author_id: int | None) -> dict:
    authored = datetime.fromisoformat(commit["authored_at"])
    additions, deletions = commit.get("additions") or 0, commit.get("deletions") or 0
    rework = commit.get("rework_lines") or 0
    help_others = commit.get("help_others_lines") or 0
    legacy = commit.get("legacy_refactor_lines") or 0
    new_work = commit.get("new_work_lines")
    if new_work is None:
        new_work = max(additions - rework - help_others - legacy, 0)
    haloc = commit.get("haloc")
    return {
        "organization_id": organization_id,
        "repository_id": commit["repository"],
        "sha": commit["sha"].lower(),
        "author_id": author_id,
        "author_email": (commit.get("author_email") or "").strip(),
        "authored_at": authored.astimezone(UTC),
        "author_utc_offset_minutes": int(authored.utcoffset().total_seconds() // 60),
        "authored_local_date": authored.date(),
        "committed_at": parse_timestamp_utc(commit.get("committed_at")),
        "message": commit.get("message") or "",
        "additions": additions,
        "deletions": deletions,
        "files": commit.get("files") or 0,
        "hunks": commit.get("hunks") or 0,
        "is_merge": bool(commit.get("merge")),
        "haloc": additions + deletions if haloc is None else haloc,
        "new_work_lines": new_work,
        "rework_lines": rework,
        "help_others_lines": help_others,
        "legacy_refactor_lines": legacy,
        "impact": float(commit.get("impact") or 0),
    }


def commits_upsert(*, organization: Organization, commits: list[dict]) -> dict[str, Counts]:
    """Upsert commits by (repository, sha). Without line classifications every added line is new
    work and haloc is additions + deletions; the author's UTC offset and local date are kept."""
    authors, review_counts = _authors_by_email(organization=organization, commits=commits)
    counts = Counts()
    repository_ids = sorted({commit["repository"] for commit in commits})
    stored_commits = Commit.objects.filter(organization=organization, repository_id__in=repository_ids)
    for chunk in batched(commits, COMMIT_CHUNK):
        desired = {}
        for commit in chunk:
            author_id = commit.get("author")
            if author_id is None:
                author_id = authors.get((commit.get("author_email") or "").strip().lower())
            row = _commit_row(commit, organization_id=organization.id, author_id=author_id)
            desired[(row["repository_id"], row["sha"])] = row
        stored = stored_rows(
            stored_commits, lookup="sha", values=[sha for _repository, sha in desired],
            fields=["repository_id", "sha", *COMMIT_FIELDS], key=lambda r: (r["repository_id"], r["sha"]),
        )  # fmt: skip
        chunk_counts, _touched = rows_sync(model=Commit, desired=desired, stored=stored, fields=COMMIT_FIELDS)
        counts.add(chunk_counts)
    return {"commits": counts, "people needing review": review_counts}


def pull_requests_upsert(*, organization: Organization, pull_requests: list[dict]) -> Counts:
    """Upsert pull requests by id."""
    desired = {
        pr["id"]: {
            "id": pr["id"],
            "organization_id": organization.id,
            "repository_id": pr["repository"],
            "number": pr["number"],
            "author_id": pr.get("author"),
            "title": pr.get("title") or "",
            "created_at": parse_timestamp_utc(pr["created_at"]),
            **{key: parse_timestamp_utc(pr.get(key)) for key in ("first_commit_at", "first_review_at", "merged_at")},
            "closed_at": parse_timestamp_utc(pr.get("closed_at")),
            "additions": pr.get("additions") or 0,
            "deletions": pr.get("deletions") or 0,
            "commits_count": pr.get("commits") or 0,
            **pull_request_detail_row(pr),
        }
        for pr in pull_requests
    }
    stored = stored_by_id(PullRequest, desired, PULL_REQUEST_FIELDS)
    counts, _touched = rows_sync(model=PullRequest, desired=desired, stored=stored, fields=PULL_REQUEST_FIELDS)
    id_sequences_reset(PullRequest)
    return counts


def deployments_upsert(*, organization: Organization, deployments: list[dict]) -> dict[str, Counts]:
    """Upsert deployments by id and make the commits each shipped exactly the bundle's. A sha is
    resolved within the organization, preferring a commit of the deployment's own repository."""
    desired = {
        deployment["id"]: {
            "id": deployment["id"],
            "organization_id": organization.id,
            "repository_id": deployment["repository"],
            "environment": deployment["environment"],
            "deployed_at": parse_timestamp_utc(deployment["deployed_at"]),
            "status": deployment.get("status") or "success",
            "caused_incident": bool(deployment.get("caused_incident")),
        }
        for deployment in deployments
    }
    stored = stored_by_id(Deployment, desired, DEPLOYMENT_FIELDS)
    counts, _touched = rows_sync(model=Deployment, desired=desired, stored=stored, fields=DEPLOYMENT_FIELDS)
    id_sequences_reset(Deployment)

    shas = {sha.lower() for deployment in deployments for sha in deployment.get("commits") or []}
    commits_by_sha: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for chunk in batched(sorted(shas), QUERY_CHUNK):
        rows = Commit.objects.filter(organization=organization, sha__in=chunk)
        for sha, commit_id, repository_id in rows.values_list("sha", "id", "repository_id"):
            commits_by_sha[sha].append((commit_id, repository_id))
    shipped: dict[int, set[int]] = {}
    for deployment in deployments:
        commit_ids = set()
        for sha in deployment.get("commits") or []:
            candidates = commits_by_sha[sha.lower()]
            same_repository = [c for c, repository_id in candidates if repository_id == deployment["repository"]]
            commit_ids.update(same_repository or [c for c, _repository in candidates])
        shipped[deployment["id"]] = commit_ids
    link_counts = links_sync(
        model=DeploymentCommit, owner_field="deployment_id", other_field="commit_id", desired=shipped,
        extra={"organization_id": organization.id},
    )  # fmt: skip
    return {"deployments": counts, "deployment commits": link_counts}
