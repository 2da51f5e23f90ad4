"""Rows for the delivery metrics tests, history written through the real write service."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.test import TestCase

from coding.models import Commit, Deployment, DeploymentCommit, PullRequest, Repository
from tests.factories import SprintFactory, TicketFactory
from tickets.models import TicketEvent
from tickets.services import ticket_event_append

Kind = TicketEvent.Kind
_numbers = iter(range(1, 10**9))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def sprint(project, name: str, start: datetime, end: datetime, *, completed: datetime | None = None, state="closed"):
    return SprintFactory(
        project=project, name=name, state=state, start_at=start, planned_end_at=end, completed_at=completed
    )


def ticket(project, *, created: datetime, history=(), **fields):
    """A ticket created at `created` with `history`: (at, kind, value) where value is a Status
    (status), a Person or None (assignee), a points string (story_points), or (Sprint, "add" |
    "remove") (sprint). Derived metrics are refreshed as after a commit."""
    row = TicketFactory(project=project, created_at=created, updated_at=created, **fields)
    row.state = row.status.mapped.display_state
    row.save()
    with TestCase.captureOnCommitCallbacks(execute=True):
        for at, kind, value in sorted(history, key=lambda event: event[0]):
            extra = {}
            if kind == Kind.STATUS:
                extra["to_status"] = value
            elif kind == Kind.ASSIGNEE:
                extra["to_person"] = value
            elif kind == Kind.STORY_POINTS:
                extra["to_value"] = value
            elif kind == Kind.SPRINT:
                extra["sprint"], extra["sprint_action"] = value
            ticket_event_append(ticket=row, kind=kind, at=at, **extra)
    row.refresh_from_db()
    return row


def append(row, kind: str, at: datetime, **extra):
    """One more history entry, derived metrics refreshed as after a commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        ticket_event_append(ticket=row, kind=kind, at=at, **extra)


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
    return ticket(
        project, created=created, history=history, work_type=work_type,
        story_points=None if points is None else Decimal(str(points)),
    )  # fmt: skip


def repository(organization, name: str = "core-api") -> Repository:
    return Repository.objects.create(organization=organization, name=name)


def pull_request(repo, *, author=None, created: datetime, first_commit=None, first_review=None, merged=None,
                 additions: int = 10, deletions: int = 0) -> PullRequest:  # fmt: skip
    return PullRequest.objects.create(
        organization=repo.organization, repository=repo, number=next(_numbers), author=author, created_at=created,
        first_commit_at=first_commit, first_review_at=first_review, merged_at=merged, additions=additions,
        deletions=deletions,
    )  # fmt: skip


def commit(repo, *, author=None, at: datetime) -> Commit:
    return Commit.objects.create(
        organization=repo.organization, repository=repo, sha=f"{next(_numbers):040x}", author=author,
        authored_at=at, authored_local_date=at.date(), committed_at=at,
    )  # fmt: skip


def deployment(repo, *, at: datetime, commits=(), environment="production", status="success", incident=False):
    row = Deployment.objects.create(
        organization=repo.organization, repository=repo, environment=environment, deployed_at=at, status=status,
        caused_incident=incident,
    )  # fmt: skip
    for shipped in commits:
        DeploymentCommit.objects.create(organization=repo.organization, deployment=row, commit=shipped)
    return row
