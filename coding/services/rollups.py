"""The per-person-per-day coding rollups (`PersonCodingDay`) that the Flow coding metrics read,
rewritten from the stored commits."""

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Sum

from coding.models import Commit, PersonCodingDay


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
