"""The surfaces answer over a synced Jira site: for every corpus ticket the ticket log agrees with
values computed straight from the changelog; Won't Do is cancelled; statuses 5 and 10000 (missing
from the status list) are unmapped until an admin maps them, and then the numbers change without a
re-sync; Flow ticket metrics and Haystack sprint analytics answer."""

import statistics
from datetime import datetime

import pytest
from django.core.cache import cache

from connectors.services import connection_run
from tests.connectors.jira.expected import (
    completed_at,
    expected_values,
    in_sprint,
    sprint_membership,
)
from tests.connectors.jira.fake_jira import corpus_issues, load
from tests.support.factories import ApiKeyFactory, bearer_client
from tickets.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(jira, connection):
    cache.clear()
    outcome = connection_run(source_name="jira", connection_id=connection.pk)
    assert outcome.error == ""
    client = bearer_client(ApiKeyFactory(user__organization=connection.organization).plaintext)
    yield connection, client
    cache.clear()


def categories() -> dict[str, str]:
    return {s["id"]: s["statusCategory"]["key"] for s in load("status.json")}


def ticket_log(client) -> dict[str, dict]:
    response = client.get("/ticket-delivery/ticket-log", {"limit": 1000})
    assert response.status_code == 200, response.content
    return {row["key"]: row for row in response.json()["results"]}


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def assert_log_matches(rows: dict[str, dict], mapping: dict[str, str]) -> None:
    issues = corpus_issues()
    assert set(rows) == {issue["key"] for issue in issues}
    for issue in issues:
        want, row = expected_values(issue, mapping), rows[issue["key"]]
        got = (row["state"], instant(row["first_active_at"]), instant(row["done_at"]), row["cycle_time"])
        assert got == (want.state, want.first_active_at, want.done_at, want.cycle_time), issue["key"]


def test_every_ticket_matches_its_changelog_and_mapping_statuses_changes_the_numbers(
    synced, django_capture_on_commit_callbacks
):
    connection, client = synced
    mapping = categories()
    assert "5" not in mapping and "10000" not in mapping
    before = ticket_log(client)
    assert_log_matches(before, mapping)

    wont_do = {i["key"] for i in corpus_issues() if (i["fields"].get("resolution") or {}).get("name") == "Won't Do"}
    assert wont_do and all(before[key]["state"] == "canceled" for key in wont_do)
    assert all(before[key]["done_at"] is None for key in wont_do)

    unmapped = Status.objects.filter(organization=connection.organization, state__isnull=True)
    assert {5, 10000} <= set(unmapped.values_list("external_id", flat=True))

    # An admin maps every unmapped status (the cancelled variants as cancelled done).
    admin_choice = {"5": "done", "10000": "new", "10020": "new", "10029": "new"}
    with django_capture_on_commit_callbacks(execute=True):
        for status in unmapped:
            base = str(status.external_id % 10**12)
            category = admin_choice[base]
            status.lane, status.state = {"new": (1, "not_started"), "done": (3, "done")}[category]
            status.is_canceled = status.external_id >= 10**12
            status.save()
    after = ticket_log(client)
    assert_log_matches(after, {**mapping, **admin_choice})
    assert [key for key in after if after[key]["cycle_time"] != before[key]["cycle_time"]]
    # EE-5 went Open -> Resolved (5) -> Closed: Resolved now counts as its entry into done.
    assert after["EE-5"]["done_at"] == "2020-06-18T04:06:00.814000Z" != before["EE-5"]["done_at"]

    # A re-sync keeps the admin's mapping.
    assert connection_run(source_name="jira", connection_id=connection.pk, full=True).error == ""
    assert not Status.objects.filter(organization=connection.organization, state__isnull=True).exists()
    assert ticket_log(client) == after


def test_flow_ticket_metrics_answer_over_the_imported_tickets(synced):
    _connection, client = synced
    mapping = categories()
    done = [expected_values(issue, mapping) for issue in corpus_issues()]
    start, end = "2020-06-01T00:00:00Z", "2020-07-01T00:00:00Z"
    in_range = [v for v in done if v.done_at and instant(start) <= v.done_at < instant(end)]
    assert in_range

    response = client.get("/ticket-delivery/metrics", {"date_range": f'["{start}", "{end}"]'})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tickets_completed"]["value"] == len(in_range)
    cycles = [v.cycle_time for v in in_range if v.cycle_time is not None]
    assert body["cycle_time"]["sample_size"] == len(cycles)
    assert body["cycle_time"]["median"] == pytest.approx(statistics.median(cycles), abs=0.01)


def test_haystack_sprint_analytics_come_from_the_sprint_changelog(synced):
    _connection, client = synced
    sprint = next(s for s in load("agile-board-8-sprints.json")["values"] if s["id"] == 7)
    t0, t1 = instant(sprint["startDate"]), instant(sprint["completeDate"])
    mapping = categories()
    members = {issue["key"]: (issue, sprint_membership(issue)) for issue in corpus_issues()}
    committed = {key for key, (_i, changes) in members.items() if in_sprint(changes, "7", t0)}
    at_end = {key for key, (_i, changes) in members.items() if in_sprint(changes, "7", t1)}
    completed = {key for key in at_end if completed_at(members[key][0], mapping, t1)}

    body = {"startDate": "2020-06-12", "endDate": "2020-06-22", "granularity": "cycle", "type": "cycle"}
    response = client.post("/public/api/metrics", body, format="json")

    assert response.status_code == 200, response.content
    rows = {row["name"]: row for row in response.json()["data"]}
    analytics = rows["EE Sprint 7"]["analytics"]
    assert int(analytics["committedIssueCount"]) == len(committed)
    assert int(analytics["issueCount"]) == len(at_end)
    assert int(analytics["completedIssueCount"]) == len(completed)
    assert rows["EE Sprint 7"]["state"] == "closed"
