"""The Haystack metrics over a synced repository equal what the records say: the weekly pull
request series (count, merged, cycle, review and pickup time), and the deployment metrics of the
Actions runs recognised as deployments by a workflow-name pattern on a branch."""

import statistics
from datetime import date, timedelta

import pytest
from django.core.cache import cache

from coding.models import Deployment
from connectors.github.models import GitHubConnection
from connectors.services import connection_run
from tests.connectors.github.conftest import make_connection
from tests.connectors.github.expected import mondays, pull_times, run_deployments, weekly_pull_request_series
from tests.connectors.github.fake_github import CORPUS, DEFAULT_CORPUS
from tests.support.factories import ApiKeyFactory, bearer_client

pytestmark = pytest.mark.django_db
WINDOW_WEEKS = 156  # the API takes ranges of up to 1096 days


def windows() -> list[tuple[date, date]]:
    """Monday-to-Sunday windows covering every time of the corpus pull requests."""
    times = [t for times in pull_times().values() for t in (times.created, times.merged, times.first_review) if t]
    first, last = min(times).date(), max(times).date()
    start, result = first - timedelta(days=first.weekday()), []
    while start <= last:
        result.append((start, start + timedelta(weeks=WINDOW_WEEKS, days=-1)))
        start += timedelta(weeks=WINDOW_WEEKS)
    return result


@pytest.fixture
def metrics_client():
    cache.clear()
    yield lambda organization: bearer_client(ApiKeyFactory(user__organization=organization).plaintext)
    cache.clear()


def series(client, *, kind: str, start: date, end: date) -> dict:
    body = {"startDate": start.isoformat(), "endDate": end.isoformat(), "granularity": "week", "type": kind}
    response = client.post("/public/api/metrics", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def values(document: dict, measure: str) -> list:
    return [point["value"] for point in next(m for m in document["data"] if m["measure"] == measure)["series"]]


def test_pull_request_series_equal_the_records(github, connection, metrics_client):
    assert connection_run(source_name="github", connection_id=connection.pk).error == ""
    client = metrics_client(connection.organization)

    total = 0
    for start, end in windows():
        document = series(client, kind="pull_request", start=start, end=end)
        expected = weekly_pull_request_series(start, end)
        for measure, want in expected.items():
            got = values(document, measure)
            assert len(got) == len(mondays(start, end))
            assert got == [pytest.approx(value, abs=0.011) if value is not None else None for value in want], measure
        total += sum(values(document, "pullRequest.count"))
    assert total == len(pull_times())


def test_deployments_from_workflow_runs_give_the_deployment_metrics_of_those_runs(github, db, metrics_client):
    connection = make_connection(
        github, deployment_source=GitHubConnection.DeploymentSource.WORKFLOW_RUNS,
        deployment_workflow_pattern="*", deployment_branches="master", deployment_environment="production",
    )  # fmt: skip
    assert connection_run(source_name="github", connection_id=connection.pk).error == ""
    expected = run_deployments(branch="master")
    assert {(d.deployed_at, d.status) for d in Deployment.objects.all()} == {
        (run.deployed, "success" if run.success else "failure") for run in expected
    }
    start = min(run.deployed for run in expected).date()
    start -= timedelta(days=start.weekday())
    end = max(run.deployed for run in expected).date()

    document = series(metrics_client(connection.organization), kind="deployment", start=start, end=end)

    weeks = mondays(start, end)
    successes = [run for run in expected if run.success]
    week_of = lambda at: at.date() - timedelta(days=at.weekday())  # noqa: E731
    assert values(document, "deployment.count") == [sum(week_of(r.deployed) == w for r in successes) for w in weeks]
    pairs = [(run.deployed - at).total_seconds() / 3600 for run in successes for at in run.commit_times]
    averages = document["averages"]["deployment"]
    assert averages["leadTime"] == pytest.approx(round(statistics.median(pairs), 2), abs=0.011)
    failed = sum(not run.success for run in expected)
    assert averages["changeFailureRate"] == pytest.approx(round(failed / len(expected), 4))
    assert len(successes) >= 2 and (failed >= 1 or CORPUS != DEFAULT_CORPUS)

    # nothing changed: the second run is 304s and writes nothing
    outcome = connection_run(source_name="github", connection_id=connection.pk)
    assert outcome.error == "" and not [n for n in outcome.counts if n.endswith(("created", "updated", "deleted"))]
