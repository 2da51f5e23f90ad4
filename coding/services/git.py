"""Importing a local git repository into commits (docs/flow-coding-metrics.md, "Importing git
history"); the batch writing and reachability helpers are in `coding.services.commits`."""

import logging
import time
from collections.abc import Iterable

from django.db import transaction

from accounts.models import Organization
from coding.git import GitError, stream_commits
from coding.models import Repository, RepositoryTag
from coding.replay import Replay
from coding.services.commits import (
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
)
from coding.services.reachability import unreachable_commits_drop
from coding.services.rollups import coding_days_refresh
from common.progress import SILENT, Progress

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
