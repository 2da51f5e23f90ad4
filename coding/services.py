"""Writes of the coding app: importing a local git repository (SPEC §5 "Git") and the
per-person-per-day rollups (`metrics.PersonCodingDay`) that the coding metrics read."""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Sum

from accounts.models import Organization, Person, PersonAlias
from metrics.models import PersonCodingDay

from .git import CommitNumbers, GitError, Replay, run_git, stream_commits
from .models import Commit, Repository, RepositoryTag

logger = logging.getLogger("tally.coding")

WRITE_BATCH = 1000
COMMIT_NUMBER_FIELDS = [
    "author_id", "author_email", "authored_at", "author_utc_offset_minutes", "authored_local_date", "committed_at",
    "message", "additions", "deletions", "files", "hunks", "is_merge", "haloc", "new_work_lines", "rework_lines",
    "help_others_lines", "legacy_refactor_lines", "impact",
]  # fmt: skip


class GitImportError(Exception):
    """The repository cannot be imported (not a git repository, an unknown ref, git failed)."""


# --- authors ----------------------------------------------------------------------------------


class AuthorResolver:
    """Maps a commit author to a person of the organization: by alias (lower-cased), then by a
    person's email (case-insensitive), else a new person flagged `needs_review` with the email as
    alias, so no commit is dropped and the next import finds the same person. An author without an
    email is looked up by the alias `name:<lower-cased name>`."""

    def __init__(self, organization: Organization):
        self.organization = organization
        self.cache: dict[str, int] = {}
        self.created = 0

    @staticmethod
    def key(email: str, name: str) -> str:
        email = email.strip().lower().replace("\x00", "")
        return (email or f"name:{name.strip().lower()}".replace("\x00", ""))[:254]

    def __call__(self, email: str, name: str) -> int:
        key = self.key(email, name)
        person_id = self.cache.get(key)
        if person_id is None:
            person_id = self.cache[key] = self._find(key) or self._create(key, name)
        return person_id

    def _find(self, key: str) -> int | None:
        found = PersonAlias.objects.filter(organization=self.organization, value=key).values_list(
            "person_id", flat=True
        )
        person_id = found.first()
        if person_id is None and not key.startswith("name:"):
            people = Person.objects.filter(organization=self.organization, email__iexact=key)
            person_id = people.order_by("needs_review", "id").values_list("id", flat=True).first()
        return person_id

    def _create(self, key: str, name: str) -> int:
        email = "" if key.startswith("name:") else key
        person = Person.objects.create(
            organization=self.organization, name=(name.strip() or key)[:200].replace("\x00", ""), email=email,
            needs_review=True,
        )  # fmt: skip
        PersonAlias.objects.create(organization=self.organization, person=person, value=key)
        self.created += 1
        return person.id


# --- git import -------------------------------------------------------------------------------


@dataclass
class GitImportSummary:
    repository: str
    up_to_date: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people_created: int = 0
    coding_days: int = 0
    seconds: float = 0.0
    heads: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.up_to_date:
            return [f"Repository {self.repository}: already up to date ({self.seconds:.2f}s)"]
        walked = self.created + self.updated + self.unchanged
        rate = walked / self.seconds if self.seconds else 0.0
        return [
            f"Repository {self.repository}: imported {walked} commit(s) in {self.seconds:.2f}s ({rate:.0f}/s)",
            f"  commits created {self.created}, updated {self.updated}, unchanged {self.unchanged}",
            f"  people created for review {self.people_created}",
            f"  coding-day rollups rewritten {self.coding_days}",
        ]


def _tips(path: str, refs: list[str]) -> list[str]:
    """The commits `refs` name (tags peeled)."""
    try:
        output = run_git(path, "rev-list", "--no-walk", *refs, "--")
    except GitError as error:
        raise GitImportError(str(error)) from None
    return sorted(set(output.decode().split()))


def _existing(path: str, shas: list[str]) -> list[str]:
    """The given commits that the repository still has (history may have been rewritten)."""
    if not shas:
        return []
    output = run_git(path, "cat-file", "--batch-check", input="".join(f"{sha}\n" for sha in shas).encode())
    found = [line.split() for line in output.splitlines()]
    return [parts[0].decode() for parts in found if len(parts) == 3 and parts[1] == b"commit"]


def _check_repository(path: str) -> None:
    try:
        run_git(path, "rev-parse", "--git-dir")
    except GitError:
        raise GitImportError(f"Not a git repository: {path}") from None


def _commit_row(numbers: CommitNumbers, *, organization_id: int, repository_id: int) -> dict:
    """The column values of one commit (`organization_id`, `repository_id`, `sha` and
    COMMIT_NUMBER_FIELDS)."""
    raw = numbers.raw
    authored_at = numbers.authored_at
    return {
        "organization_id": organization_id,
        "repository_id": repository_id,
        "sha": raw.sha,
        "author_id": numbers.author_id,
        "author_email": raw.author_email.strip().replace("\x00", "")[:254],
        "authored_at": authored_at,
        "author_utc_offset_minutes": raw.author_offset_minutes,
        "authored_local_date": authored_at.astimezone(numbers.author_timezone).date(),
        "committed_at": numbers.committed_at,
        "message": raw.message,
        "additions": numbers.additions,
        "deletions": numbers.deletions,
        "files": numbers.files,
        "hunks": numbers.hunks,
        "is_merge": raw.is_merge,
        "haloc": numbers.haloc,
        "new_work_lines": numbers.new_work_lines,
        "rework_lines": numbers.rework_lines,
        "help_others_lines": numbers.help_others_lines,
        "legacy_refactor_lines": numbers.legacy_refactor_lines,
        "impact": numbers.impact,
    }


COMMIT_COLUMNS = ["organization_id", "repository_id", "sha", *COMMIT_NUMBER_FIELDS]


def commits_insert(rows: list[dict]) -> None:
    """Insert new commits: with COPY on PostgreSQL (several times faster than INSERT for large
    imports), with bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Commit.objects.bulk_create([Commit(**row) for row in rows], batch_size=WRITE_BATCH)
        return
    quote = connection.ops.quote_name
    statement = f"COPY {quote(Commit._meta.db_table)} ({', '.join(quote(c) for c in COMMIT_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in COMMIT_COLUMNS])


class _CommitWriter:
    """Writes commits in batches: new ones created, stored ones updated when their numbers
    differ. Remembers the span of local days written, for the rollup refresh."""

    def __init__(self, repository: Repository, summary: GitImportSummary, batch_size: int):
        self.repository = repository
        self.summary = summary
        self.batch_size = batch_size
        self.pending: list[dict] = []
        self.first_day: date | None = None
        self.last_day: date | None = None

    def add(self, row: dict) -> None:
        self.pending.append(row)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        stored = {
            row["sha"]: row
            for row in Commit.objects.filter(
                organization_id=self.repository.organization_id,
                repository=self.repository,
                sha__in=[row["sha"] for row in batch],
            ).values("id", "sha", *COMMIT_NUMBER_FIELDS)
        }
        created, updated = [], []
        for row in batch:
            old = stored.get(row["sha"])
            if old is None:
                created.append(row)
            elif any(old[name] != row[name] for name in COMMIT_NUMBER_FIELDS):
                updated.append(Commit(id=old["id"], **row))
            else:
                self.summary.unchanged += 1
                continue
            self._touch(row["authored_local_date"])
        commits_insert(created)
        Commit.objects.bulk_update(updated, COMMIT_NUMBER_FIELDS, batch_size=self.batch_size)
        self.summary.created += len(created)
        self.summary.updated += len(updated)

    def _touch(self, day: date) -> None:
        self.first_day = day if self.first_day is None else min(self.first_day, day)
        self.last_day = day if self.last_day is None else max(self.last_day, day)


def git_import(
    *,
    organization: Organization,
    path: str,
    repository_name: str,
    tags: Iterable[str] = (),
    refs: Iterable[str] = ("HEAD",),
    first_parent: bool = False,
    full: bool = False,
    url: str | None = None,
    batch_size: int = WRITE_BATCH,
) -> GitImportSummary:
    """Import the history of the local git repository at `path` into the repository named
    `repository_name` (created when new, with `tags` added and `url` set when given).

    Walks every commit reachable from `refs` (`["--all"]` for every ref; only first parents with
    `first_parent`) that the previous import did not reach, parents first, in one streamed
    `git log`; replays line ownership (coding.git) to classify each commit's old lines; writes
    commits in batches and refreshes the coding-day rollups of the days written. Everything happens
    in one transaction: a failure leaves the database as it was. A re-run on an unchanged repository
    stops after comparing the tips. `full` walks the whole history again and updates the stored
    commits whose numbers differ (after people were merged, say)."""
    started = time.perf_counter()
    _check_repository(path)
    refs = list(refs) or ["HEAD"]
    tips = _tips(path, refs)
    first_tip = tips[:1] if refs[0].startswith("-") else _tips(path, refs[:1])
    summary = GitImportSummary(repository=repository_name, heads=tips)
    with transaction.atomic():
        repository = _repository(organization, repository_name, tags=tags, url=url)
        if not tips or (not full and sorted(repository.imported_heads) == tips):
            summary.up_to_date = True
            summary.seconds = time.perf_counter() - started
            return summary
        exclude = [] if full else _existing(path, list(repository.imported_heads))
        revisions = [*refs, *(["--not", *exclude] if exclude else [])]
        resolver = AuthorResolver(organization)
        replay = Replay(path, resolver)
        writer = _CommitWriter(repository, summary, batch_size)
        try:
            for raw in stream_commits(path, revisions, first_parent=first_parent):
                numbers = replay.process(raw)
                writer.add(_commit_row(numbers, organization_id=organization.id, repository_id=repository.id))
        except GitError as error:
            raise GitImportError(str(error)) from None
        writer.flush()
        repository.imported_heads = tips
        repository.last_imported_sha = first_tip[0] if first_tip else ""
        repository.save(update_fields=["imported_heads", "last_imported_sha"])
        if writer.first_day is not None:
            summary.coding_days = coding_days_refresh(
                organization_id=organization.id,
                repository_ids=[repository.id],
                days=(writer.first_day, writer.last_day),
            )
        summary.people_created = resolver.created
    summary.seconds = time.perf_counter() - started
    logger.debug("git import %s: %s", repository_name, "; ".join(summary.lines()))
    return summary


def _repository(organization: Organization, name: str, *, tags: Iterable[str], url: str | None) -> Repository:
    """The repository, created when new and locked for the import; `tags` are added to its tags."""
    repository, _created = Repository.objects.get_or_create(organization=organization, name=name)
    repository = Repository.objects.select_for_update().get(pk=repository.pk)
    if url is not None and repository.url != url:
        repository.url = url
        repository.save(update_fields=["url"])
    for tag_name in tags:
        tag, _ = RepositoryTag.objects.get_or_create(organization=organization, name=tag_name.strip())
        repository.tags.add(tag)
    return repository


# --- per-person-per-day rollups ---------------------------------------------------------------


def coding_days_refresh(
    *, organization_id: int, repository_ids: Iterable[int] | None = None, days: tuple[date, date] | None = None
) -> int:
    """Rewrite the `PersonCodingDay` rows of an organization (optionally only of some repositories
    and a span of local days) from its commits, in one transaction, so a reader sees the old rows or
    the new ones, never a mix. Merges and commits without an author are left out; people hidden from
    reports are kept (the routes leave them out when reading). The aggregation runs in the database
    (INSERT ... SELECT), so memory does not grow with the number of commits. Returns the rows
    written."""
    rollups = PersonCodingDay.objects.filter(organization_id=organization_id)
    commits = Commit.objects.filter(organization_id=organization_id, is_merge=False, author__isnull=False)
    if repository_ids is not None:
        repository_ids = list(repository_ids)
        rollups = rollups.filter(repository_id__in=repository_ids)
        commits = commits.filter(repository_id__in=repository_ids)
    if days is not None:
        rollups = rollups.filter(day__range=days)
        commits = commits.filter(authored_local_date__range=days)
    select = (
        commits.order_by()
        .values("organization_id", "author_id", "repository_id", "authored_local_date")
        .annotate(
            n_commits=Count("id"),
            n_additions=Sum("additions"),
            n_deletions=Sum("deletions"),
            n_haloc=Sum("haloc"),
            n_new_work=Sum("new_work_lines"),
            n_rework=Sum("rework_lines"),
            n_help_others=Sum("help_others_lines"),
            n_legacy=Sum("legacy_refactor_lines"),
            n_impact=Sum("impact"),
        )
    )
    select_sql, params = select.query.sql_with_params()
    columns = [
        "organization_id", "person_id", "repository_id", "day", "commits", "additions", "deletions", "haloc",
        "new_work_lines", "rework_lines", "help_others_lines", "legacy_refactor_lines", "impact",
    ]  # fmt: skip
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO {quote(PersonCodingDay._meta.db_table)} ({', '.join(quote(c) for c in columns)}) {select_sql}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        rollups.delete()
        cursor.execute(insert, params)
        return cursor.rowcount


def organization_coding_days_rebuild(*, organization_id: int) -> int:
    """Rebuild every coding-day rollup of an organization (the nightly job)."""
    return coding_days_refresh(organization_id=organization_id)
