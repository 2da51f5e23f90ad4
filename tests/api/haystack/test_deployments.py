"""`type: deployment` series: count, frequency, lead time for changes (median) and change failure
rate; the same numbers on PostgreSQL (PERCENTILE_CONT) and elsewhere (Python)."""

from datetime import timedelta

import pytest

from tests.api.haystack.conftest import team_url
from tests.support.delivery import commit, deployment, repository, utc
from tests.support.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db
T0 = utc(2024, 1, 1, 12)  # Monday Jan 1, 2024


def body(**fields) -> dict:
    return {"startDate": "2024-01-01", "endDate": "2024-02-29", "granularity": "month", "type": "deployment",
            **fields}  # fmt: skip


def values(metrics: list[dict], measure: str) -> list:
    return [point["value"] for point in next(m for m in metrics if m["measure"] == measure)["series"]]


@pytest.fixture
def shipped(organization):
    """January: three successful production deployments shipping commits 2 h, 4 h, 10 h and 30 h
    old (30 h one twice: staging first), one failed, one that caused an incident. February: one
    deployment of a commit made after it (a clock skew: left out of lead time). Ada (in Platform)
    wrote the 4 h commit; nobody else is in a team."""
    team = TeamFactory(organization=organization, name="Platform")
    ada = PersonFactory(organization=organization, name="Ada", teams=[team])
    repo, web = repository(organization, "core-api"), repository(organization, "web-app")
    h = timedelta(hours=1)
    at = T0 + timedelta(days=2)
    c2, c4 = commit(repo, at=at - 2 * h), commit(repo, author=ada, at=at - 4 * h)
    c10, c30 = commit(repo, at=at - 10 * h), commit(repo, at=at - 30 * h)
    deployment(repo, at=at, commits=[c2, c4])
    deployment(repo, at=at, commits=[c10])
    deployment(repo, at=at - h, commits=[c30], environment="staging")
    deployment(web, at=at + h, commits=[c30], incident=True)
    deployment(repo, at=at + 2 * h, commits=[c2], status="failure")
    late = commit(repo, at=T0 + timedelta(days=40))
    deployment(web, at=T0 + timedelta(days=39), commits=[late])
    return team


def test_measures(post, shipped):
    document = post(body()).json()

    metrics = document["data"]
    assert [point["x"] for point in metrics[0]["series"]] == ["2024-01-01", "2024-02-01"]
    assert values(metrics, "deployment.count") == [4, 1]
    assert values(metrics, "deployment.frequency") == [round(4 / (31 / 7), 2), round(1 / (29 / 7), 2)]
    assert values(metrics, "deployment.leadTime") == [10, None]  # median of 2, 4, 10, 29, 31
    assert values(metrics, "deployment.changeFailureRate") == [0.4, 0]  # (failed + incident) / 5; 0 / 1
    assert document["averages"] == {
        "deployment": {"count": 2.5, "frequency": round(5 / (60 / 7), 2), "leadTime": 10, "changeFailureRate": 0.3333}
    }


def test_group_by_environment_and_repository(post, shipped):
    by_environment = post(body(groupBy="environment")).json()
    by_repository = post(body(groupBy="repository")).json()

    assert {e["key"]: values(e["values"], "deployment.count") for e in by_environment["data"]} == {
        "production": [3, 1], "staging": [1, 0],
    }  # fmt: skip
    assert {e["name"]: values(e["values"], "deployment.leadTime") for e in by_repository["data"]} == {
        "core-api": [7, None], "web-app": [31, None],  # medians of 2, 4, 10, 29 (staging) and of 31
    }  # fmt: skip
    leads = {e["name"]: e["values"]["deployment"]["leadTime"] for e in by_repository["averages"]}
    assert leads == {"core-api": 7, "web-app": 31}


def test_the_team_route_keeps_deployments_shipping_the_teams_commits(api_client, shipped):
    document = api_client.post(team_url(shipped.id), body(), format="json").json()

    assert values(document["data"], "deployment.count") == [1, 0]
    assert values(document["data"], "deployment.leadTime") == [4, None]  # only the team's commit


def test_filters(post, shipped):
    def count(filters):
        return values(post(body(filters=filters)).json()["data"], "deployment.count")

    assert count([{"field": "environment", "operator": "equals", "values": ["production"]}]) == [3, 1]
    assert count([{"field": "repository", "operator": "contains", "values": ["web"]}]) == [1, 1]
    assert count([{"field": "team", "operator": "in", "values": [shipped.id]}]) == [1, 0]
