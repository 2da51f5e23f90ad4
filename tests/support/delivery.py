"""Rows for the Haystack tests: sprints, tickets whose history goes through the real write
service, pull requests, commits and deployments."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from coding.models import Commit, PullRequest, Repository
from tests.support.coding_rows import CommitFactory, DeploymentFactory, PullRequestFactory, RepositoryFactory
from tests.support.factories import SprintFactory
from tests.support.history import Kind, ticket_with_history


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def sprint(project, name: str, start: datetime, end: datetime, *, completed: datetime | None = None, state="closed"):
    return SprintFactory(
        project=project, name=name, state=state, start_at=start, planned_end_at=end, completed_at=completed
    )


def sprint_member(
    project, workflow, target, *, added: datetime, points=None, done: datetime | None = None,
    removed: datetime | None = None, work_type: str = "story", assignee=None, canceled: bool = False,
):  # fmt: skip
    """A ticket created a day before it joins `target`, started at once, done at `done`."""
    created = added - timedelta(days=1)
    started = (created + timedelta(minutes=5), Kind.STATUS, workflow["In Progress"])
    history = [(added, Kind.SPRINT, (target, "add")), started]
    if removed is not None:
        history.append((removed, Kind.SPRINT, (target, "remove")))
    if done is not None:
        history.append((done, Kind.STATUS, workflow["Won't Do" if canceled else "Done"]))
    if assignee is not None:
        history.append((created + timedelta(minutes=1), Kind.ASSIGNEE, assignee))
    return ticket_with_history(
        project=project, created=created, history=history, work_type=work_type,
        story_points=None if points is None else Decimal(str(points)),
    )  # fmt: skip


def repository(organization, name: str = "core-api") -> Repository:
    return RepositoryFactory(organization=organization, name=name)


def pull_request(repo, *, author=None, created: datetime, first_commit=None, first_review=None, merged=None,
                 additions: int = 10, deletions: int = 0) -> PullRequest:  # fmt: skip
    return PullRequestFactory(
        repository=repo, author=author, created_at=created, first_commit_at=first_commit,
        first_review_at=first_review, merged_at=merged, additions=additions, deletions=deletions,
    )  # fmt: skip


def commit(repo, *, author=None, at: datetime) -> Commit:
    return CommitFactory(repository=repo, author=author, authored_at=at, committed_at=at)


def deployment(repo, *, at: datetime, commits=(), environment="production", status="success", incident=False):
    return DeploymentFactory(
        repository=repo, environment=environment, deployed_at=at, status=status, caused_incident=incident,
        shipped=list(commits),
    )  # fmt: skip
