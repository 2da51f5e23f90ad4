"""Bots are not people and stay out of the metrics; GitHub issues become tickets (pull requests
listed among them skipped) with their status history, assignees and comments; ticket keys named by
a pull request link it to the organization's tickets."""

import json
import shutil
from datetime import timedelta

import pytest
from django.core.cache import cache

from accounts.models import Person
from coding.models import Deployment, PullRequest, PullRequestReview
from connectors.services import connection_run
from tests.connectors.github.conftest import make_connection
from tests.connectors.github.fake_github import CORPUS, FakeGitHub, load
from tests.support.factories import ApiKeyFactory, ProjectFactory, StatusFactory, TicketFactory, bearer_client
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
BOT = {"login": "dependabot[bot]", "id": 49699333, "type": "Bot"}
ACTIONS_BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
BOT_PULL, REVIEWED_PULL = (pull["number"] for pull in load("pulls.json")[:2])


def corpus_copy(tmp_path):
    directory = tmp_path / "corpus"
    shutil.copytree(CORPUS, directory)
    return directory


def write(directory, name: str, value) -> None:
    (directory / name).parent.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(json.dumps(value))


@pytest.fixture
def bot_site(tmp_path):
    """The corpus with its first pull request opened by dependabot, and a bot's review as the only
    review of its second."""
    directory = corpus_copy(tmp_path)
    pulls = load("pulls.json")
    for pull in pulls:
        if pull["number"] == BOT_PULL:
            pull["user"] = BOT
            pull["title"] = "Bump actions/checkout CORE-12"
    write(directory, "pulls.json", pulls)
    write(directory, f"pulls/{REVIEWED_PULL}/reviews.json", [
        {"id": 1, "user": ACTIONS_BOT, "state": "COMMENTED", "submitted_at": "2000-01-01T00:00:00Z"},
    ])  # fmt: skip
    with FakeGitHub(directory) as site:
        yield site


def test_bots_are_not_people_and_their_pull_requests_are_not_counted(bot_site, db):
    connection = make_connection(bot_site)
    project = ProjectFactory(organization=connection.organization, key="CORE")
    status = StatusFactory(project=project, organization=connection.organization)
    ticket = TicketFactory(project=project, organization=connection.organization, key="CORE-12", status=status)
    assert connection_run(source_name="github", connection_id=connection.pk).error == ""

    names = list(Person.objects.filter(organization=connection.organization).values_list("name", flat=True))
    assert names and not [name for name in names if "[bot]" in name]
    pull = PullRequest.objects.get(number=BOT_PULL)
    assert pull.author is None and pull.author_is_bot and pull.author_login == "dependabot[bot]"
    assert list(pull.tickets.all()) == [ticket] and pull.ticket_keys == ["CORE-12"]
    bot_review = PullRequestReview.objects.get(pull_request__number=REVIEWED_PULL)
    assert bot_review.reviewer is None and bot_review.reviewer_login == "github-actions[bot]"
    assert PullRequest.objects.get(number=REVIEWED_PULL).first_review_at is None  # a bot's review is no pickup

    cache.clear()
    client = bearer_client(ApiKeyFactory(user__organization=connection.organization).plaintext)
    created = PullRequest.objects.get(number=BOT_PULL).created_at.date()
    start = created - timedelta(days=created.weekday())
    end = start + timedelta(days=13)
    body = {"startDate": start.isoformat(), "endDate": end.isoformat(), "granularity": "week", "type": "pull_request"}
    response = client.post("/public/api/metrics", body, format="json")
    cache.clear()
    humans = PullRequest.objects.filter(created_at__date__range=(start, end), author_is_bot=False)
    count = next(m for m in response.json()["data"] if m["measure"] == "pullRequest.count")
    assert humans.count() < PullRequest.objects.filter(created_at__date__range=(start, end)).count()
    assert sum(point["value"] for point in count["series"]) == humans.count()


@pytest.fixture
def issue_site(tmp_path):
    """Three issues with a history: #5 labelled in progress, then closed as not planned; #6 closed
    and reopened, assigned, with a bot's comment and a person's; #7 open."""
    directory = corpus_copy(tmp_path)
    issues = [issue for issue in load("issues.json") if "pull_request" not in issue][:3]
    pull_listed = next(issue for issue in load("issues.json") if "pull_request" in issue)
    first, second, third = issues
    first.update(state="closed", state_reason="not_planned", closed_at="2018-08-03T15:32:00Z")
    second.update(state="open", state_reason="reopened", closed_at=None)
    third.update(state="open", state_reason=None, closed_at=None, labels=[])
    user = {"login": "panjf2000", "id": 7496278, "type": "User"}

    def event(issue, kind, at, **extra):
        return {"id": hash((issue["number"], kind, at)) % 10**9, "event": kind, "created_at": at, "actor": user,
                "issue": {"number": issue["number"]}, "state_reason": None, **extra}  # fmt: skip

    write(directory, "issues.json", [first, second, third, pull_listed])
    write(directory, "issues-events.json", [
        event(first, "labeled", "2018-08-02T05:00:00Z", label={"name": "In Progress"}),
        event(first, "closed", "2018-08-03T15:32:00Z", state_reason="not_planned"),
        event(second, "assigned", "2018-09-01T00:00:00Z", assignee=user),
        event(second, "closed", "2018-09-02T00:00:00Z", state_reason="completed"),
        event(second, "reopened", "2018-09-03T00:00:00Z"),
    ])  # fmt: skip
    url = f"https://api.github.com/repos/panjf2000/ants/issues/{second['number']}"
    write(directory, "issues-comments.json", [
        {"id": 1, "issue_url": url, "user": user, "created_at": "2018-09-01T01:00:00Z", "body": "on it"},
        {"id": 2, "issue_url": url, "user": ACTIONS_BOT, "created_at": "2018-09-01T02:00:00Z", "body": "stale"},
    ])  # fmt: skip
    with FakeGitHub(directory) as site:
        yield site, (first, second, third)


def test_issues_become_tickets_with_their_history(issue_site, db):
    site, (first, second, third) = issue_site
    connection = make_connection(site, issues_as_tickets=True, in_progress_label="in progress")

    outcome = connection_run(source_name="github", connection_id=connection.pk)

    assert outcome.error == ""
    tickets = {ticket.key: ticket for ticket in Ticket.objects.filter(organization=connection.organization)}
    assert set(tickets) == {f"ANTS-{issue['number']}" for issue in (first, second, third)}
    assert tickets[f"ANTS-{first['number']}"].state == "canceled"
    assert tickets[f"ANTS-{second['number']}"].state == "not_started"
    assert tickets[f"ANTS-{third['number']}"].state == "not_started"
    moves = TicketEvent.objects.filter(ticket=tickets[f"ANTS-{first['number']}"], kind="status")
    assert [event.to_status.name for event in moves.order_by("at")] == ["In progress", "Not planned"]
    andy = Person.objects.get(organization=connection.organization, name="panjf2000")
    assert tickets[f"ANTS-{second['number']}"].assignee == andy
    comments = TicketEvent.objects.filter(ticket=tickets[f"ANTS-{second['number']}"], kind="comment")
    assert [comment.body for comment in comments] == ["on it"]

    again = connection_run(source_name="github", connection_id=connection.pk)
    assert again.error == "" and not [n for n in again.counts if n.endswith(("created", "updated", "deleted"))]


@pytest.fixture
def deployments_site(tmp_path):
    """Three GitHub Deployments to production of saved commits: a success, a failure (error), and
    a success later made inactive by a newer one; one still queued is no deployment."""
    directory = corpus_copy(tmp_path)
    saved = next(path for path in sorted(directory.glob("pulls/*/commits.json")) if json.loads(path.read_text()))
    commits = [commit["sha"] for commit in json.loads(saved.read_text())]
    deployments = [
        {"id": 4, "sha": commits[0], "environment": "production", "created_at": "2020-05-04T00:00:00Z"},
        {"id": 3, "sha": commits[0], "environment": "production", "created_at": "2020-05-03T00:00:00Z"},
        {"id": 2, "sha": commits[0], "environment": "production", "created_at": "2020-05-02T00:00:00Z"},
        {"id": 1, "sha": commits[0], "environment": "production", "created_at": "2020-05-01T00:00:00Z"},
    ]
    write(directory, "deployments.json", deployments)
    write(directory, "deployments/4/statuses.json", [{"state": "queued", "created_at": "2020-05-04T00:01:00Z"}])
    write(directory, "deployments/3/statuses.json", [{"state": "success", "created_at": "2020-05-03T00:05:00Z"}])
    write(directory, "deployments/2/statuses.json", [{"state": "error", "created_at": "2020-05-02T00:05:00Z"}])
    write(directory, "deployments/1/statuses.json", [
        {"state": "inactive", "created_at": "2020-05-03T00:05:00Z"},
        {"state": "success", "created_at": "2020-05-01T00:05:00Z"},
    ])  # fmt: skip
    with FakeGitHub(directory) as site:
        yield site, commits[0]


def test_github_deployments_with_their_statuses(deployments_site, db):
    site, sha = deployments_site
    connection = make_connection(site, deployment_source="deployments")

    assert connection_run(source_name="github", connection_id=connection.pk).error == ""

    rows = Deployment.objects.filter(organization=connection.organization).order_by("deployed_at")
    assert [(row.deployed_at.isoformat(), row.status) for row in rows] == [
        ("2020-05-01T00:05:00+00:00", "success"), ("2020-05-02T00:05:00+00:00", "failure"),
        ("2020-05-03T00:05:00+00:00", "success"),
    ]  # fmt: skip
    shipped = [[commit.sha for commit in row.commits.all()] for row in rows]
    assert shipped == [[sha], [], []]  # later deployments of the same commit ship nothing new
