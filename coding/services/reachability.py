"""After a history rewrite (a force-push, an amended or rebased branch, a deleted branch), the
stored commits that the imported refs no longer reach are dropped, so a repository holds exactly
what a fresh import would."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Count, Max, Min
from django.db.models.expressions import RawSQL

from coding.git import GitError, stream_reachable
from coding.models import Commit, Repository
from coding.services.commits import WRITE_BATCH, GitImportError

REACHABLE_BATCH = 5000
REACHABLE_TABLE = "coding_import_reachable"


@dataclass(frozen=True)
class DroppedCommits:
    """How many stored commits were dropped, and the first and last local day among them."""

    count: int = 0
    first_day: date | None = None
    last_day: date | None = None


def _reachable_table() -> str:
    """The temporary table of reachable shas, qualified so that it can never name a real table."""
    return {"postgresql": "pg_temp.", "sqlite": "temp."}.get(connection.vendor, "") + REACHABLE_TABLE


def _fill_reachable(*, cursor: CursorWrapper, table: str, shas: Iterable[str]) -> None:
    """Write `shas` into the temporary table: COPY on PostgreSQL, batched INSERTs elsewhere."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} (sha) FROM STDIN") as copy:
            for sha in shas:
                copy.write_row([sha])
        cursor.execute(f"ANALYZE {table}")
        return
    batch: list[tuple[str]] = []
    for sha in shas:
        batch.append((sha,))
        if len(batch) >= REACHABLE_BATCH:
            cursor.executemany(f"INSERT INTO {table} (sha) VALUES (%s)", batch)
            batch = []
    if batch:
        cursor.executemany(f"INSERT INTO {table} (sha) VALUES (%s)", batch)


def unreachable_commits_drop(
    *, repository: Repository, path: str, tips: list[str], first_parent: bool
) -> DroppedCommits:
    """Delete the stored commits of `repository` that are not reachable from `tips` (along first
    parents only, with `first_parent`): the old commits of a rewritten history (a force-push, an
    amended or rebased branch), a deleted branch's, or those of refs no longer imported. After this
    the repository holds exactly the commits the import's refs reach, as a fresh import would.

    The reachable shas stream from `git rev-list` into a temporary table and the database does the
    anti-join, so memory does not grow with the history; the dropped commits are deleted in batches
    of WRITE_BATCH (their deployment links go with them; the deployments stay). Runs inside the
    import's transaction. Returns the count and the span of local days, whose rollups the caller
    rewrites."""
    table = _reachable_table()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {REACHABLE_TABLE} (sha varchar(64) PRIMARY KEY)")
        try:
            _fill_reachable(cursor=cursor, table=table, shas=stream_reachable(path, tips, first_parent=first_parent))
        except GitError as error:
            raise GitImportError(str(error)) from None
        gone = Commit.objects.filter(organization_id=repository.organization_id, repository=repository).exclude(
            sha__in=RawSQL(f"SELECT sha FROM {table}", [])  # a fixed table name, no parameters
        )
        span = gone.aggregate(
            count=Count("id"), first_day=Min("authored_local_date"), last_day=Max("authored_local_date")
        )
        last_id = 0
        while ids := list(gone.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)[:WRITE_BATCH]):
            Commit.objects.filter(id__in=ids).delete()
            last_id = ids[-1]
        cursor.execute(f"DROP TABLE {table}")
    return DroppedCommits(**span)
