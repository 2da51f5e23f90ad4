"""Rows of the coding app for tests: repositories, commits and coding-day rollups."""

from datetime import UTC, date, datetime, time

from coding.models import Commit, Repository, RepositoryTag
from metrics.models import PersonCodingDay

_sequence = iter(range(1, 10**9))


def repository(organization, name: str = "core", tags: list[str] = ()) -> Repository:
    repo = Repository.objects.create(organization=organization, name=name)
    for tag in tags:
        repo.tags.add(RepositoryTag.objects.get_or_create(organization=organization, name=tag)[0])
    return repo


def coding_day(person, repo, day: date, *, commits: int = 1, haloc: int = 10, rework: int = 0, impact: float = 1.0):
    return PersonCodingDay.objects.create(
        organization=person.organization,
        person=person,
        repository=repo,
        day=day,
        commits=commits,
        haloc=haloc,
        rework_lines=rework,
        new_work_lines=haloc - rework,
        impact=impact,
    )


def commit(person, repo, day: date, *, merge: bool = False, haloc: int = 10, rework: int = 0, impact: float = 1.0):
    authored = datetime.combine(day, time(12), tzinfo=UTC)
    return Commit.objects.create(
        organization=repo.organization,
        repository=repo,
        sha=f"{next(_sequence):040x}",
        author=person,
        author_email=person.email if person else "",
        authored_at=authored,
        authored_local_date=day,
        is_merge=merge,
        additions=haloc,
        haloc=haloc,
        rework_lines=rework,
        new_work_lines=haloc - rework,
        impact=impact,
        files=1,
        hunks=1,
    )
