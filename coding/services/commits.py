"""Writes of `import_git` (coding.services.git.git_import): resolving authors to people and writing
commits in batches. Dropping the commits a history rewrite left unreachable is
`coding.services.reachability`."""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from accounts.models import Organization, Person, PersonAlias
from coding.git import GitError, run_git
from coding.models import Commit, Repository
from coding.replay import CommitNumbers

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
    dropped: int = 0
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
            f"  commits dropped (no longer reachable from the imported refs) {self.dropped}",
            f"  people created for review {self.people_created}",
            f"  coding-day rollups rewritten {self.coding_days}",
        ]


# --- asking git -------------------------------------------------------------------------------


def check_repository(*, path: str) -> None:
    """Raise GitImportError unless `path` is a git repository."""
    try:
        run_git(path, "rev-parse", "--git-dir")
    except GitError:
        raise GitImportError(f"Not a git repository: {path}") from None


def tips_of(*, path: str, refs: list[str]) -> list[str]:
    """The commits `refs` name (tags peeled), sorted."""
    try:
        output = run_git(path, "rev-list", "--no-walk", *refs, "--")
    except GitError as error:
        raise GitImportError(str(error)) from None
    return sorted(set(output.decode().split()))


def existing_commits(*, path: str, shas: list[str]) -> list[str]:
    """The given commits that the repository still has (a rewritten history's old commits may be
    gone)."""
    if not shas:
        return []
    output = run_git(path, "cat-file", "--batch-check", input="".join(f"{sha}\n" for sha in shas).encode())
    found = [line.split() for line in output.splitlines()]
    return [parts[0].decode() for parts in found if len(parts) == 3 and parts[1] == b"commit"]


def history_rewritten(
    *, path: str, previous: list[str], existing: list[str], tips: list[str], first_parent: bool
) -> bool:
    """Whether some commit the previous import reached may no longer be reachable from `tips`:
    one of the `previous` tips is gone from the repository (`existing` are those still there), or
    is not reachable from the new tips (a force-push, a deleted branch, other refs). git counts the
    commits reachable from the old tips and not from the new ones, walking only the history
    between the two."""
    if len(set(existing)) < len(set(previous)):
        return True
    if not existing:
        return False
    revisions = "".join([*(f"{sha}\n" for sha in existing), *(f"^{sha}\n" for sha in tips)])
    options = ["--first-parent"] if first_parent else []
    output = run_git(path, "rev-list", "--count", *options, "--stdin", input=revisions.encode())
    return int(output.strip() or 0) > 0


def commit_row(*, numbers: CommitNumbers, organization_id: int, repository_id: int) -> dict:
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


def commits_insert(*, rows: list[dict]) -> None:
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


class CommitWriter:
    """Writes commits in batches: new ones created, stored ones updated when their numbers
    differ. Remembers the span of local days written, for the rollup refresh."""

    def __init__(self, *, repository: Repository, summary: GitImportSummary, batch_size: int = WRITE_BATCH):
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
            self.touch(row["authored_local_date"])
        commits_insert(rows=created)
        Commit.objects.bulk_update(updated, COMMIT_NUMBER_FIELDS, batch_size=self.batch_size)
        self.summary.created += len(created)
        self.summary.updated += len(updated)

    def touch(self, day: date) -> None:
        """Widen the span of local days whose rollups need rewriting to include `day`."""
        self.first_day = day if self.first_day is None else min(self.first_day, day)
        self.last_day = day if self.last_day is None else max(self.last_day, day)
