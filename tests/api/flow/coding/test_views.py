"""`/v3/customer/metrics/code_fundamentals/period_metrics/`: values, weeks, filters, errors in
the Flow document's wording, organization isolation and query counts."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coding.services.rollups import coding_days_refresh
from formulas.coding import monday, round_one_decimal
from tests.support.coding_rows import coding_day, commit, repository
from tests.support.factories import (
    ApiKeyFactory,
    OrganizationFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    bearer_client,
)
from tests.support.queries import query_count

pytestmark = pytest.mark.django_db
URL = "/v3/customer/metrics/code_fundamentals/period_metrics/"
TODAY = timezone.now().date()
BASE = monday(TODAY) - timedelta(weeks=12)


def d(week: int, weekday: int = 0) -> date:
    return BASE + timedelta(weeks=week, days=weekday)


def span(first_week: int, last_week: int) -> dict:
    return {"start_date": d(first_week).isoformat(), "end_date": d(last_week, 6).isoformat()}


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return body["results"]


def only(response) -> dict:
    rows = results(response)
    assert len(rows) == 1
    return rows[0]


@pytest.fixture
def org_tree(organization):
    """Engineering > Platform > Storage. Ada in Storage, Grace in Engineering, Linus (hidden) in
    Platform, Bob in no team. Repositories core (backend), web (frontend), Core-Tools (untagged)."""
    engineering = TeamFactory(organization=organization, name="Engineering")
    platform = TeamFactory(organization=organization, name="Platform", parent=engineering)
    storage = TeamFactory(organization=organization, name="Storage", parent=platform)
    people = {
        "ada": PersonFactory(organization=organization, name="Ada", teams=[storage]),
        "grace": PersonFactory(organization=organization, name="Grace", teams=[engineering]),
        "linus": PersonFactory(organization=organization, name="Linus", teams=[platform], hidden_from_reports=True),
        "bob": PersonFactory(organization=organization, name="Bob"),
    }
    repos = {
        "core": repository(organization, "core", tags=["backend"]),
        "web": repository(organization, "web", tags=["frontend"]),
        "tools": repository(organization, "Core-Tools"),
    }
    # One week (week 0): Ada 2 days in core, Grace 1 day in web, Linus 3 days, Bob 1 day in tools.
    coding_day(people["ada"], repos["core"], d(0, 0), commits=2, haloc=10, rework=1)
    coding_day(people["ada"], repos["core"], d(0, 1), commits=1, haloc=10, rework=1)
    coding_day(people["grace"], repos["web"], d(0, 2), commits=4, haloc=20, rework=10)
    for weekday in range(3):
        coding_day(people["linus"], repos["core"], d(0, weekday), commits=5)
    coding_day(people["bob"], repos["tools"], d(0, 4), commits=3, haloc=0)
    return {"teams": (engineering, platform, storage), "people": people, "repos": repos}


ROW_KEYS = ["active_days", "commit_count", "total_impact", "total_efficiency"]
# The document's error example, in its order.
DOCUMENTED_ERRORS = {
    "start_date": ["Provide a valid date. Date cannot be more than 3 years prior to now."],
    "include_nested_teams": ["Provide a valid choice. 'yes' is not one of the available choices: ['true', 'false']"],
    "resolution": ["Provide a valid choice. 'month' is not one of the available choices: ['period', 'week']"],
}


def test_the_documented_error_example_reports_three_errors_at_once(api_client):
    four_years_ago = TODAY.replace(year=TODAY.year - 4, day=min(TODAY.day, 28))
    response = api_client.get(f"{URL}?resolution=month&include_nested_teams=yes&start_date={four_years_ago}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json().items()) == list(DOCUMENTED_ERRORS.items())  # same keys, order and wording


def test_start_date_and_resolution_are_required(api_client):
    response = api_client.get(URL)
    assert response.status_code == 400
    assert response.json() == {"start_date": ["This field is required."], "resolution": ["This field is required."]}


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"start_date": "2021/06/01"}, "start_date"),
        ({"start_date": "20210601"}, "start_date"),
        ({"start_date": f"{TODAY.year}-02-30"}, "start_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "soon"}, "end_date"),
        ({"end_date": (TODAY - timedelta(days=30)).isoformat()}, "end_date"),  # before the start
        ({"resolution": "WEEK"}, "resolution"),
        ({"include_nested_teams": "1"}, "include_nested_teams"),
        ({"team_id": "abc"}, "team_id"),
        ({"team_id__in": "1,x"}, "team_id__in"),
        ({"apex_user_id": "1.5"}, "apex_user_id"),
        ({"apex_user_id__in": "a"}, "apex_user_id__in"),
        ({"repo_id": "99999999999999999999"}, "repo_id"),
        ({"repo_id__in": "1;2"}, "repo_id__in"),
        ({"repo_id_not__in": "x"}, "repo_id_not__in"),
        ({"repo_tag_id": "tag"}, "repo_tag_id"),
        ({"repo_tag_id__in": "1,,b"}, "repo_tag_id__in"),
        ({"repo_name": "core\x00"}, "repo_name"),
    ],
)
def test_bad_values_are_400_naming_the_parameter(api_client, params, bad):
    base = {"start_date": (TODAY - timedelta(days=7)).isoformat(), "resolution": "week"}
    response = api_client.get(URL, {**base, **params})
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [bad]
    assert all(isinstance(message, str) for message in body[bad])


def test_date_messages(api_client):
    body = api_client.get(URL, {"start_date": "2021-13-01", "resolution": "week"}).json()
    assert body == {"start_date": ["Provide a valid date. Use the format YYYY-MM-DD."]}
    start = TODAY - timedelta(days=7)
    body = api_client.get(
        URL,
        {"start_date": start.isoformat(), "end_date": (start - timedelta(days=1)).isoformat(), "resolution": "week"},
    ).json()
    assert body == {"end_date": ["Provide a valid date. End date cannot be before start date."]}


def test_the_three_years_limit_is_inclusive(api_client):
    three_years_ago = TODAY.replace(year=TODAY.year - 3) if (TODAY.month, TODAY.day) != (2, 29) else None
    if three_years_ago is None:
        three_years_ago = TODAY.replace(year=TODAY.year - 3, day=28)
    assert api_client.get(URL, {"start_date": three_years_ago.isoformat(), "resolution": "period"}).status_code == 200
    day_before = (three_years_ago - timedelta(days=1)).isoformat()
    assert api_client.get(URL, {"start_date": day_before, "resolution": "period"}).status_code == 400


def test_the_pooled_commits_per_day_example(api_client, organization):
    """The example of docs/flow-coding-metrics.md, from commits through the rollups: engineer A, 10
    commits on 3 days (week 1); engineer B, 16 commits on 6 days (2 on 1 day in week 1, 14 on 5 days
    in week 2). Commits per day = 26 / 9 = 2.9 (the mean of the per-person ratios, (10/3 + 16/6) /
    2, would be 3.0)."""
    repo = repository(organization)
    a, b = PersonFactory(organization=organization), PersonFactory(organization=organization)
    per_day = {a: [(d(0, 0), 4), (d(0, 1), 3), (d(0, 2), 3)], b: [(d(0, 4), 2)]}
    per_day[b] += [(d(1, weekday), n) for weekday, n in enumerate([2, 3, 3, 3, 3])]
    for person, days in per_day.items():
        for day, count in days:
            for _ in range(count):
                commit(person, repo, day)
    coding_days_refresh(organization_id=organization.id)
    assert sum(n for days in per_day.values() for _day, n in days) == 26

    period = only(api_client.get(URL, {**span(0, 1), "resolution": "period"}))
    assert period["commit_count"] == 2.9
    assert period["active_days"] == 2.3  # 9 coding days / (2 engineers × 2 weeks) = 2.25
    weekly = results(api_client.get(URL, {**span(0, 1), "resolution": "week"}))
    assert [(r["period_start_date"], r["active_days"], r["commit_count"]) for r in weekly] == [
        (d(0).isoformat(), 2.0, 3.0),  # 4 days, 12 commits, 2 engineers
        (d(1).isoformat(), 2.5, 2.8),  # 5 days, 14 commits; A counts as an engineer with no day
    ]


def test_weeks_start_on_monday_and_weeks_without_data_are_omitted(api_client, organization):
    repo = repository(organization)
    ada = PersonFactory(organization=organization)
    coding_day(ada, repo, d(0, 2), commits=2, haloc=10, rework=2, impact=3.0)
    coding_day(ada, repo, d(3, 6), commits=1, haloc=10, impact=5.0)
    rows = results(
        api_client.get(URL, {"start_date": d(0, 1).isoformat(), "end_date": d(3, 6).isoformat(), "resolution": "week"})
    )
    assert rows == [
        # The range starts on a Tuesday: the first week has 6 days in it, 1 / (6/7) = 1.17.
        {
            "period_start_date": d(0).isoformat(),
            "active_days": 1.2,
            "commit_count": 2.0,
            "total_impact": 3.0,
            "total_efficiency": 80.0,
        },
        {
            "period_start_date": d(3).isoformat(),
            "active_days": 1.0,
            "commit_count": 1.0,
            "total_impact": 5.0,
            "total_efficiency": 100.0,
        },
    ]
    period = only(
        api_client.get(
            URL, {"start_date": d(0, 1).isoformat(), "end_date": d(3, 6).isoformat(), "resolution": "period"}
        )
    )
    assert "period_start_date" not in period
    # The document's key order.
    assert [list(row) for row in rows] == [["period_start_date", *ROW_KEYS]] * 2 and list(period) == ROW_KEYS
    # 2 coding days over 27 days; impact 8 over 2 engineer-weeks with a commit.
    assert period == {"active_days": 0.5, "commit_count": 1.5, "total_impact": 4.0, "total_efficiency": 90.0}


def test_days_after_today_are_not_engineer_weeks(api_client, organization):
    repo = repository(organization)
    ada = PersonFactory(organization=organization)
    start = monday(TODAY) - timedelta(weeks=1)
    coding_day(ada, repo, start, commits=1)
    coding_day(ada, repo, start + timedelta(days=1), commits=1)
    params = {"start_date": start.isoformat(), "resolution": "period"}
    days_so_far = 7 + TODAY.weekday() + 1
    expected = round_one_decimal(2 / (days_so_far / 7))
    assert only(api_client.get(URL, params))["active_days"] == expected
    far = (TODAY + timedelta(days=365)).isoformat()
    assert only(api_client.get(URL, {**params, "end_date": far}))["active_days"] == expected


def test_engineers_are_those_with_a_commit_in_the_range(api_client, organization):
    team = TeamFactory(organization=organization)
    coder = PersonFactory(organization=organization, teams=[team])
    PersonFactory(organization=organization, teams=[team])  # a member without commits: not an engineer here
    repo = repository(organization)
    for weekday in range(3):
        coding_day(coder, repo, d(0, weekday))
    row = only(api_client.get(URL, {**span(0, 0), "resolution": "period", "team_id": team.id}))
    assert row["active_days"] == 3.0


def test_one_day_in_two_repositories_is_one_coding_day(api_client, organization):
    ada = PersonFactory(organization=organization)
    coding_day(ada, repository(organization, "a"), d(0), commits=2)
    coding_day(ada, repository(organization, "b"), d(0), commits=3)
    row = only(api_client.get(URL, {**span(0, 0), "resolution": "period"}))
    assert (row["active_days"], row["commit_count"]) == (1.0, 5.0)


def test_hidden_people_and_merges_are_left_out(api_client, organization):
    repo = repository(organization)
    ada = PersonFactory(organization=organization)
    hidden = PersonFactory(organization=organization, hidden_from_reports=True)
    commit(ada, repo, d(0, 0), haloc=10, rework=5)
    commit(ada, repo, d(0, 1), merge=True, haloc=100)
    commit(hidden, repo, d(0, 2))
    coding_days_refresh(organization_id=organization.id)
    row = only(api_client.get(URL, {**span(0, 0), "resolution": "period"}))
    assert row == {"active_days": 1.0, "commit_count": 1.0, "total_impact": 1.0, "total_efficiency": 50.0}


def test_efficiency_is_null_without_changed_lines(api_client, organization):
    coding_day(PersonFactory(organization=organization), repository(organization), d(0), haloc=0)
    assert only(api_client.get(URL, {**span(0, 0), "resolution": "period"}))["total_efficiency"] is None


def test_no_data_is_an_empty_list(api_client, org_tree):
    for resolution in ("period", "week"):
        assert api_client.get(URL, {**span(5, 6), "resolution": resolution}).json() == {"count": 0, "results": []}


def _days(api_client, **params) -> float:
    row = results(api_client.get(URL, {**span(0, 0), "resolution": "period", **params}))
    return (row[0]["active_days"], row[0]["commit_count"]) if row else None


def test_team_filters(api_client, org_tree):
    engineering, platform, storage = org_tree["teams"]
    assert _days(api_client, team_id=storage.id) == (2.0, 1.5)  # Ada
    assert _days(api_client, team_id=engineering.id) == (1.0, 4.0)  # Grace only
    assert _days(api_client, team_id=engineering.id, include_nested_teams="true") == (1.5, 2.3)  # + Ada
    assert _days(api_client, team_id=platform.id) is None  # Linus is hidden
    assert _days(api_client, team_id__in=f"{engineering.id},{storage.id}") == (1.5, 2.3)


def test_person_filters(api_client, org_tree):
    people = org_tree["people"]
    assert _days(api_client, apex_user_id=people["grace"].id) == (1.0, 4.0)
    assert _days(api_client, apex_user_id__in=f"{people['ada'].id},{people['bob'].id}") == (1.5, 2.0)
    assert _days(api_client, apex_user_id=people["linus"].id) is None
    storage = org_tree["teams"][2]
    assert _days(api_client, apex_user_id=people["grace"].id, team_id=storage.id) is None  # both apply


def test_repository_filters(api_client, org_tree):
    repos = org_tree["repos"]
    backend = repos["core"].tags.get()
    frontend = repos["web"].tags.get()
    assert _days(api_client, repo_id=repos["core"].id) == (2.0, 1.5)
    assert _days(api_client, repo_id__in=f"{repos['core'].id},{repos['web'].id}") == (1.5, 2.3)
    assert _days(api_client, repo_id_not__in=f"{repos['core'].id},{repos['web'].id}") == (1.0, 3.0)
    assert _days(api_client, repo_tag_id=backend.id) == (2.0, 1.5)
    assert _days(api_client, repo_tag_id__in=f"{backend.id},{frontend.id}") == (1.5, 2.3)
    # `contains`, any case: "core" and "Core-Tools".
    assert _days(api_client, repo_name="CORE") == (1.5, 2.0)


@pytest.mark.parametrize(
    "param",
    [
        "team_id",
        "team_id__in",
        "apex_user_id",
        "apex_user_id__in",
        "repo_id",
        "repo_id__in",
        "repo_id_not__in",
        "repo_tag_id",
        "repo_tag_id__in",
    ],
)
def test_ids_outside_the_organization_are_404_naming_the_parameter(api_client, org_tree, param):
    other = OrganizationFactory()
    foreign = {
        "team": TeamFactory(organization=other).id,
        "apex_user": PersonFactory(organization=other).id,
        "repo": repository(other, tags=["theirs"]).id,
    }
    foreign["repo_tag"] = repository(other, "x", tags=["x"]).tags.get().id
    value = foreign[param.split("_id")[0]]
    response = api_client.get(URL, {**span(0, 0), "resolution": "period", param: value})
    assert response.status_code == 404
    assert list(response.json()) == [param]
    assert str(value) in response.json()[param][0]


def test_a_404_names_the_parameter_that_gave_each_unknown_id_all_at_once(api_client, org_tree):
    ada, grace = org_tree["people"]["ada"], org_tree["people"]["grace"]
    foreign = PersonFactory(organization=OrganizationFactory())
    params = {**span(0, 0), "resolution": "period"}
    response = api_client.get(URL, {**params, "apex_user_id": ada.id, "apex_user_id__in": f"{grace.id},{foreign.id}"})
    assert response.status_code == 404
    assert response.json() == {"apex_user_id__in": [f"No person with id {foreign.id} in this organization."]}
    response = api_client.get(
        URL, {**params, "apex_user_id": foreign.id, "team_id": 999999, "repo_id": 888888, "repo_tag_id__in": "777777"}
    )
    assert response.status_code == 404
    assert response.json() == {
        "apex_user_id": [f"No person with id {foreign.id} in this organization."],
        "team_id": ["No team with id 999999 in this organization."],
        "repo_id": ["No repository with id 888888 in this organization."],
        "repo_tag_id__in": ["No repository tag with id 777777 in this organization."],
    }
    # Known ids in both forms of a pair name one set, their union.
    assert _days(api_client, apex_user_id=ada.id, apex_user_id__in=grace.id) == (1.5, 2.3)  # Ada and Grace


@pytest.mark.parametrize("param", ["team_id__in", "apex_user_id", "repo_id_not__in", "repo_tag_id"])
def test_the_largest_64_bit_id_is_a_404_not_a_database_error(api_client, param):
    largest = str(2**63 - 1)
    response = api_client.get(URL, {"start_date": TODAY.isoformat(), "resolution": "week", param: largest})
    assert response.status_code == 404
    assert largest in response.json()[param][0]


def test_other_organizations_rows_never_count(api_client, org_tree):
    other = OrganizationFactory()
    stranger = PersonFactory(organization=other)
    for weekday in range(7):
        coding_day(stranger, repository(other, f"r{weekday}"), d(0, weekday), commits=50)
    assert _days(api_client) == (1.3, 2.5)  # Ada 2 days, Grace 1, Bob 1: 4 days, 10 commits, 3 engineers


def test_trailing_slash_and_unknown_parameters(api_client, org_tree):
    params = {**span(0, 0), "resolution": "week"}
    slashed = api_client.get(URL, {**params, "headers": "whatever"})
    plain = api_client.get(URL.rstrip("/"), params)
    assert slashed.status_code == plain.status_code == 200
    assert slashed.json() == plain.json()


def test_a_key_needs_the_metrics_api_permission(organization, org_tree):
    params = {**span(0, 0), "resolution": "week"}
    assert APIClient().get(URL, params).status_code == 401
    key = ApiKeyFactory(user=UserFactory(organization=organization, roles=[]))
    client = bearer_client(key.plaintext)
    assert client.get(URL, params).status_code == 403


def test_an_unexpected_failure_is_a_generic_500(api_client, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("api.flow.coding.views.period_metrics", explode)
    response = api_client.get(URL, {"start_date": TODAY.isoformat(), "resolution": "week"})
    assert response.status_code == 500
    assert response.json() == {"error": ["Unknown error occurred"]}


@pytest.mark.parametrize("resolution", ["week", "period"])
def test_query_count_does_not_grow_with_rows_or_weeks(api_client, organization, resolution, django_assert_num_queries):
    team = TeamFactory(organization=organization)
    tag_repo = repository(organization, "tagged", tags=["backend"])
    other_repo = repository(organization, "other")
    first = PersonFactory(organization=organization, teams=[team])
    coding_day(first, tag_repo, d(0))
    params = {
        **span(0, 11),
        "resolution": resolution,
        "team_id": team.id,
        "include_nested_teams": "true",
        "apex_user_id__in": first.id,
        "repo_tag_id": tag_repo.tags.get().id,
        "repo_id_not__in": other_repo.id,
    }
    assert api_client.get(URL, params).json()["count"] == 1  # warm-up: records the key's last use
    small = query_count(lambda: api_client.get(URL, params))
    people = [first]
    for n in range(6):
        person = PersonFactory(organization=organization, teams=[team])
        people.append(person)
        for week in range(12):
            coding_day(person, tag_repo, d(week, n % 5), commits=n + 1)
            coding_day(person, other_repo, d(week, n % 5))
    params["apex_user_id__in"] = ",".join(str(person.id) for person in people)
    with django_assert_num_queries(small):
        response = api_client.get(URL, params)
    # 84 more rollup rows, 12 weeks instead of 1, 7 people instead of 1: the same queries.
    assert response.json()["count"] == (12 if resolution == "week" else 1)
    # savepoint, key, 2 permission reads, one existence check per kind of id given (4 here), the
    # aggregate, release
    assert small <= 10
