"""Writes of the coding app: importing a local git repository (SPEC §5 "Git"; the helpers are in
coding.services_git) and the per-person-per-day rollups (`metrics.PersonCodingDay`) that the coding
metrics read."""

import logging
import time
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Sum

from accounts.models import Organization
from common.progress import SILENT, Progress
from metrics.models import PersonCodingDay

from .git import GitError, stream_commits
from .models import Commit, Repository, RepositoryTag
from .replay import Replay
from .services_git import (
    WRITE_BATCH,
    AuthorResolver,
    CommitWriter,
    GitImportError,
    GitImportSummary,
    check_repository,
    commit_row,
    existing_commits,
    history_rewritten,
    tips_of,
    unreachable_commits_drop,
)

__all__ = [
    "AuthorResolver", "GitImportError", "GitImportSummary", "coding_days_refresh", "git_import",
    "organization_coding_days_rebuild",
]  # fmt: skip

logger = logging.getLogger("tally.coding")


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
    progress: Progress = SILENT,
) -> GitImportSummary:
    """Import the history of the local git repository at `path` into the repository named
    `repository_name` (created when new, with `tags` added and `url` set when given).

    Walks every commit reachable from `refs` (`["--all"]` for every ref; only first parents with
    `first_parent`) that the previous import did not reach, parents first, in one streamed
    `git log`; replays line ownership (coding.replay) to classify each commit's old lines; writes
    commits in batches. When the history was rewritten (a previous tip is gone or no longer
    reachable from the new tips) or with `full`, the stored commits that `refs` no longer reach are
    dropped, so the repository holds what a fresh import would. The coding-day rollups of every day
    written or dropped are then rewritten. Everything happens in one transaction: a failure leaves
    the database as it was. A re-run on an unchanged repository stops after comparing the tips.
    `full` walks the whole history again and updates the stored commits whose numbers differ (after
    people were merged, say)."""
    started = time.perf_counter()
    check_repository(path=path)
    refs = list(refs) or ["HEAD"]
    tips = tips_of(path=path, refs=refs)
    first_tip = tips[:1] if refs[0].startswith("-") else tips_of(path=path, refs=refs[:1])
    summary = GitImportSummary(repository=repository_name, heads=tips)
    with transaction.atomic():
        repository = _repository(organization=organization, name=repository_name, tags=tags, url=url)
        previous = list(repository.imported_heads)
        if not tips or (not full and sorted(previous) == tips):
            summary.up_to_date = True
            summary.seconds = time.perf_counter() - started
            return summary
        existing = existing_commits(path=path, shas=previous)
        rewritten = full or history_rewritten(
            path=path, previous=previous, existing=existing, tips=tips, first_parent=first_parent
        )
        exclude = [] if full else existing
        revisions = [*refs, *(["--not", *exclude] if exclude else [])]
        resolver = AuthorResolver(organization)
        replay = Replay(path, resolver)
        writer = CommitWriter(repository=repository, summary=summary, batch_size=batch_size)
        progress.stage("commits")
        try:
            for raw in stream_commits(path, revisions, first_parent=first_parent):
                numbers = replay.process(raw)
                writer.add(commit_row(numbers=numbers, organization_id=organization.id, repository_id=repository.id))
                progress.advance()
        except GitError as error:
            raise GitImportError(str(error)) from None
        writer.flush()
        if rewritten:
            dropped = unreachable_commits_drop(repository=repository, path=path, tips=tips, first_parent=first_parent)
            summary.dropped = dropped.count
            for day in (dropped.first_day, dropped.last_day):
                if day is not None:
                    writer.touch(day)
        repository.imported_heads = tips
        repository.last_imported_sha = first_tip[0] if first_tip else ""
        repository.save(update_fields=["imported_heads", "last_imported_sha"])
        if writer.first_day is not None:
            progress.stage("coding days")
            summary.coding_days = coding_days_refresh(
                organization_id=organization.id,
                repository_ids=[repository.id],
                days=(writer.first_day, writer.last_day),
            )
        summary.people_created = resolver.created
    summary.seconds = time.perf_counter() - started
    logger.debug("git import %s: %s", repository_name, "; ".join(summary.lines()))
    return summary


def _repository(*, organization: Organization, name: str, tags: Iterable[str], url: str | None) -> Repository:
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
