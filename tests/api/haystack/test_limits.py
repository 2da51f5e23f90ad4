"""20 requests per minute per key (shared by both routes), then 429 with Retry-After; the
X-RateLimit-* headers on every answer. And a query count that does not grow with the number of
groups or buckets."""

from datetime import timedelta

import pytest

from tests.api.haystack.conftest import METRICS, team_url
from tests.support.delivery import commit, deployment, pull_request, repository, sprint, sprint_member, utc
from tests.support.factories import ApiKeyFactory, PersonFactory, TeamFactory, bearer_client
from tests.support.history import ticket_with_history
from tests.support.queries import query_count
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db
BODY = {"startDate": "2024-01-01", "endDate": "2024-01-31", "granularity": "week", "type": "issue"}


def test_the_21st_request_in_a_minute_is_429_with_retry_after(api_client, organization, frozen_rate_window):
    team = TeamFactory(organization=organization)
    for number in range(1, 21):
        url = METRICS if number % 2 else team_url(team.id)
        response = api_client.post(url, BODY, format="json")
        assert response.status_code == 200
        assert response["X-RateLimit-Limit"] == "20"
        assert response["X-RateLimit-Remaining"] == str(20 - number)
        assert int(response["X-RateLimit-Reset"]) > 0

    response = api_client.post(METRICS, BODY, format="json")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["X-RateLimit-Remaining"] == "0"
    assert api_client.post(team_url(team.id), BODY, format="json").status_code == 429
    other = bearer_client(ApiKeyFactory(user__organization=organization).plaintext)  # the limit is per key
    assert other.post(METRICS, BODY, format="json").status_code == 200


def test_bad_requests_count_too(api_client, frozen_rate_window):
    for _ in range(20):
        assert api_client.post(METRICS, {}, format="json").status_code == 400
    assert api_client.post(METRICS, BODY, format="json").status_code == 429


def _people(organization, team, count):
    return [PersonFactory(organization=organization, name=f"P{index}", teams=[team]) for index in range(count)]


@pytest.mark.parametrize(
    ("kind", "group_by"),
    [("issue", "assignee"), ("issue", "team"), ("pull_request", "author"), ("pull_request", "team"),
     ("deployment", "repository")],
)  # fmt: skip
def test_query_count_does_not_grow_with_groups_or_buckets(api_client, organization, project, workflow, kind, group_by):
    """The same number of queries for 1 group over 1 week as for 6 groups over 52 weeks (data in
    every fourth)."""
    team = TeamFactory(organization=organization, name="Team")
    small = {**BODY, "endDate": "2024-01-07", "type": kind, "groupBy": group_by}
    large = {**small, "endDate": "2024-12-29"}

    def populate(people, weeks):
        for index, person in enumerate(people):
            for week in weeks:
                at = utc(2024, 1, 1, 9) + timedelta(weeks=week, hours=index)
                if kind == "issue":
                    ticket_with_history(project=project, created=at, history=[
                        (at + timedelta(minutes=1), TicketEvent.Kind.ASSIGNEE, person),
                        (at + timedelta(hours=1), TicketEvent.Kind.STATUS, workflow["In Progress"]),
                        (at + timedelta(hours=5), TicketEvent.Kind.STATUS, workflow["Done"]),
                    ])  # fmt: skip
                elif kind == "pull_request":
                    repo = repository(organization, f"r{person.id}-{week}")
                    pull_request(repo, author=person, created=at, first_review=at + timedelta(hours=1),
                                 merged=at + timedelta(hours=2))  # fmt: skip
                else:
                    repo = repository(organization, f"repo-{person.id}-{week}")
                    deployment(repo, at=at, commits=[commit(repo, author=person, at=at - timedelta(hours=3))])

    def queries(url, body):
        return query_count(lambda: api_client.post(url, body, format="json"))

    populate(_people(organization, team, 1), [0])
    queries(METRICS, small)  # the key's first use of the minute also records it
    few = (queries(METRICS, small), queries(team_url(team.id), small))
    populate(_people(organization, team, 5), range(0, 52, 4))
    many = (queries(METRICS, large), queries(team_url(team.id), large))
    ungrouped = {**large, "groupBy": None}

    assert many == few
    assert queries(METRICS, ungrouped) <= few[0]


def test_sprint_query_count_does_not_grow_with_sprints(api_client, organization, project, workflow):
    body = {"startDate": "2024-01-01", "endDate": "2024-12-31", "granularity": "cycle", "type": "cycle"}

    def sprints(count, first):
        for index in range(count):
            start = utc(2024, 1, 1, 9) + timedelta(weeks=2 * (first + index))
            target = sprint(project, f"S{first + index}", start, start + timedelta(weeks=2))
            for offset in (-1, 24, 48):
                sprint_member(project, workflow, target, added=start + timedelta(hours=offset), points=2,
                              done=start + timedelta(days=3))  # fmt: skip

    sprints(1, 0)
    query_count(
        lambda: api_client.post(METRICS, body, format="json")
    )  # the key's first use of the minute also records it
    few = query_count(lambda: api_client.post(METRICS, body, format="json"))
    sprints(12, 1)
    many = query_count(lambda: api_client.post(METRICS, body, format="json"))

    assert many == few
