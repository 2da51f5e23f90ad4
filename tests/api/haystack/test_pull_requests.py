"""`type: pull_request` series: the measures, and grouping by author that adds up to the totals."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from coding.models import PullRequest
from tests.api.haystack.conftest import team_url
from tests.support.delivery import pull_request, repository, utc
from tests.support.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db
T0 = utc(2024, 1, 8, 9)  # a Monday
ADDITIVE = ("pullRequest.count", "pullRequest.mergedCount")


def body(**fields) -> dict:
    return {"startDate": "2024-01-08", "endDate": "2024-01-21", "granularity": "week", "type": "pull_request",
            **fields}  # fmt: skip


def values(metrics: list[dict], measure: str) -> list:
    return [point["value"] for point in next(m for m in metrics if m["measure"] == measure)["series"]]


def test_measures(post, organization):
    """Merged in week 1: A (first commit −4 h, opened 0, first review +2 h, merged +10 h, 100 + 20
    lines) and B (no first commit: from opening; opened 0, reviewed +1 h, merged +4 h, 30 lines).
    C opened in week 1, first reviewed in week 2 (+8 days), never merged. D opened in week 2."""
    repo = repository(organization)
    h = timedelta(hours=1)
    pull_request(repo, created=T0, first_commit=T0 - 4 * h, first_review=T0 + 2 * h, merged=T0 + 10 * h,
                 additions=100, deletions=20)  # fmt: skip
    pull_request(repo, created=T0, first_review=T0 + h, merged=T0 + 4 * h, additions=30)
    pull_request(repo, created=T0, first_review=T0 + timedelta(days=8))
    pull_request(repo, created=T0 + timedelta(days=7))

    document = post(body()).json()

    metrics = document["data"]
    assert values(metrics, "pullRequest.count") == [3, 1]
    assert values(metrics, "pullRequest.mergedCount") == [2, 0]
    assert values(metrics, "pullRequest.cycleTime") == [9, None]  # (14 + 4) / 2
    assert values(metrics, "pullRequest.reviewTime") == [7, None]  # (10 + 4) / 2
    assert values(metrics, "pullRequest.pickupTime") == [1.5, 192]  # (2 + 1) / 2; 8 days
    assert values(metrics, "pullRequest.size") == [75, None]  # (120 + 30) / 2
    assert document["averages"] == {
        "pullRequest": {"count": 2, "mergedCount": 1, "cycleTime": 9, "reviewTime": 7, "pickupTime": 65,
                        "size": 75},
    }  # fmt: skip


@pytest.fixture
def authored(organization):
    """60 pull requests over six weeks by four authors, one hidden, and some without an author."""
    rng = random.Random(3)
    repo = repository(organization)
    people = [PersonFactory(organization=organization, name=name) for name in ("Ada", "Grace", "Linus")]
    people.append(PersonFactory(organization=organization, name="Hidden", hidden_from_reports=True))
    for _ in range(60):
        created = T0 + timedelta(hours=rng.uniform(0, 6 * 7 * 24))
        merged = created + timedelta(hours=rng.uniform(1, 100)) if rng.random() < 0.7 else None
        pull_request(repo, author=rng.choice([*people, None]), created=created, merged=merged,
                     first_review=created + timedelta(hours=1), additions=rng.randint(1, 500))  # fmt: skip
    return people


def test_group_by_author_adds_up_to_the_totals(post, authored):
    request = body(endDate="2024-02-18")
    totals = post(request).json()
    grouped = post({**request, "groupBy": "author"}).json()

    ada, grace, linus, _hidden = authored
    assert [(entry["key"], entry["name"]) for entry in grouped["data"]] == [
        (str(ada.id), "Ada"), (str(grace.id), "Grace"), (str(linus.id), "Linus"), ("none", "None"),
    ]  # fmt: skip
    for measure in ADDITIVE:
        expected = values(totals["data"], measure)
        summed = [sum(column) for column in zip(*(values(e["values"], measure) for e in grouped["data"]), strict=True)]
        assert summed == expected, measure
        assert sum(expected) > 10
        entity, name = measure.split(".")
        averaged = sum(entry["values"][entity][name] for entry in grouped["averages"])
        assert averaged == pytest.approx(totals["averages"][entity][name])
    assert len(grouped["averages"]) == len(grouped["data"])
    assert all(entry["value"] == entry["values"] for entry in grouped["averages"])  # the document's reading


@pytest.mark.parametrize("granularity", ["week", "month"])
def test_weekly_and_monthly_series_agree_with_counts_from_the_rows(post, authored, granularity):
    """Opened by opening time and merged by merge time, bucketed here from the rows; the range
    starts mid-week and mid-month and ends before the last pull request."""
    first, last = date(2024, 1, 10), date(2024, 2, 14)
    document = post(body(startDate=first.isoformat(), endDate=last.isoformat(), granularity=granularity)).json()

    def bucket(day: date) -> date:
        return day - timedelta(days=day.weekday()) if granularity == "week" else day.replace(day=1)

    def counted(lookup: str) -> Counter:
        moments = PullRequest.objects.exclude(**{lookup: None}).values_list(lookup, flat=True)
        return Counter(bucket(moment.date()) for moment in moments if first <= moment.date() <= last)

    opened, merged = counted("created_at"), counted("merged_at")
    xs = [point["x"] for point in document["data"][0]["series"]]
    expected_xs, day = [], bucket(first)
    while day <= last:
        expected_xs.append(day.isoformat())
        day = bucket(day + timedelta(days=7 if granularity == "week" else 32))
    assert xs == expected_xs
    assert values(document["data"], "pullRequest.count") == [opened[date.fromisoformat(x)] for x in xs]
    assert values(document["data"], "pullRequest.mergedCount") == [merged[date.fromisoformat(x)] for x in xs]
    assert sum(opened.values()) > 20 and sum(merged.values()) > 10


def test_the_team_route_and_group_by_team(api_client, organization):
    team = TeamFactory(organization=organization, name="Platform")
    squad = TeamFactory(organization=organization, name="Squad", parent=team)
    ada = PersonFactory(organization=organization, name="Ada", teams=[squad])
    grace = PersonFactory(organization=organization, name="Grace", teams=[team, squad])
    outsider = PersonFactory(organization=organization, name="Outsider")
    repo = repository(organization)
    for author in (ada, grace, grace, outsider):
        pull_request(repo, author=author, created=T0)

    in_team = api_client.post(team_url(team.id), body(), format="json").json()
    by_team = api_client.post(team_url(team.id), body(groupBy="team"), format="json").json()
    by_author = api_client.post(team_url(team.id), body(groupBy="author"), format="json").json()

    assert values(in_team["data"], "pullRequest.count") == [3, 0]
    assert {e["name"]: values(e["values"], "pullRequest.count") for e in by_team["data"]} == {
        "Platform": [2, 0], "Squad": [3, 0],  # Grace is in both
    }  # fmt: skip
    assert {e["name"]: values(e["values"], "pullRequest.count") for e in by_author["data"]} == {
        "Ada": [1, 0], "Grace": [2, 0],
    }  # fmt: skip


def test_filters_on_repository_and_author(post, organization):
    ada = PersonFactory(organization=organization, name="Ada Lovelace")
    api, web = repository(organization, "core-api"), repository(organization, "web-app")
    pull_request(api, author=ada, created=T0)
    pull_request(web, author=ada, created=T0)
    pull_request(web, created=T0)

    def count(filters):
        return values(post(body(filters=filters)).json()["data"], "pullRequest.count")[0]

    assert count([{"field": "repository", "operator": "in", "values": [api.id]}]) == 1
    assert count([{"field": "repository", "operator": "contains", "values": ["WEB"]}]) == 2
    assert count([{"field": "author", "operator": "equals", "values": [ada.id]}]) == 2
    assert count([{"field": "author", "operator": "not_equals", "values": [ada.id]}]) == 1
    grouped = post(body(groupBy="repository")).json()
    assert [(e["name"], values(e["values"], "pullRequest.count")) for e in grouped["data"]] == [
        ("core-api", [1, 0]), ("web-app", [2, 0]),
    ]  # fmt: skip
