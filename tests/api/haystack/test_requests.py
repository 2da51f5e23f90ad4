"""The request: every bad field, value or combination is a 400 naming it (never a 500); keys,
permissions, organizations and teams; both paths with and without a trailing slash."""

import pytest
from rest_framework.test import APIClient

from tests.api.haystack.conftest import METRICS, team_url
from tests.support.factories import ApiKeyFactory, OrganizationFactory, TeamFactory, bearer_client

pytestmark = pytest.mark.django_db
VALID = {"startDate": "2024-01-01", "endDate": "2024-01-31", "granularity": "week", "type": "issue"}


def _filter(**fields) -> dict:
    return {"field": "epic", "operator": "in", "values": ["AUTH"], **fields}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"startDate": "2024-1-5"}, "startDate"),
        ({"startDate": "2024-02-30"}, "startDate"),
        ({"startDate": 20240101}, "startDate"),
        ({"startDate": "2024-01-01T00:00:00Z"}, "startDate"),
        ({"startDate": "0001-01-01"}, "startDate"),
        ({"endDate": "9999-12-31"}, "endDate"),
        ({"endDate": None}, "endDate"),
        ({"endDate": "2023-12-31"}, "endDate"),  # before startDate
        ({"endDate": "2027-01-31"}, "endDate"),  # more than three years
        ({"granularity": "day"}, "granularity"),
        ({"granularity": ["week"]}, "granularity"),
        ({"type": "commit"}, "type"),
        ({"type": 1}, "type"),
        ({"type": "cycle"}, "granularity"),  # cycle takes granularity cycle
        ({"type": "pull_request", "granularity": "cycle"}, "granularity"),
        ({"groupBy": "repository"}, "groupBy"),  # not an issue grouping
        ({"groupBy": "colour"}, "groupBy"),
        ({"groupBy": 3}, "groupBy"),
        ({"type": "cycle", "granularity": "cycle", "groupBy": "team"}, "groupBy"),
        ({"filters": "epic=AUTH"}, "filters"),
        ({"filters": {"field": "epic"}}, "filters"),
    ],
)
def test_a_bad_field_is_a_400_naming_it(post, changes, field):
    response = post({**VALID, **changes})

    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ("epic", "non_field_errors"),
        (None, None),
        ({"operator": "in", "values": ["x"]}, "field"),
        (_filter(field="colour"), "field"),
        (_filter(field="environment"), "field"),  # a deployment filter
        (_filter(operator="like"), "operator"),
        (_filter(values=[]), "values"),
        (_filter(values="AUTH"), "values"),
        (_filter(values=None), "values"),
        (_filter(operator="equals", values=["A", "B"]), "values"),
        (_filter(field="assignee", values=["abc"]), "values"),
        (_filter(field="project", values=[1.5]), "values"),
        (_filter(values=[3]), "values"),  # epic takes strings
        (_filter(values=[True]), "values"),
        (_filter(values=[None]), "values"),
        (_filter(values=["nul \x00 byte"]), "values"),
        (_filter(values=["x" * 501]), "values"),
        (_filter(field="team", values=[2**70]), "values"),
        (_filter(field="team", values=["99999999999999999999999"]), "values"),
        (_filter(operator="contains", values=["x"] * 101), "values"),
        (_filter(field="team", values=list(range(1, 102))), "values"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(post, item, field):
    response = post({**VALID, "filters": [_filter(), item]})

    assert response.status_code == 400, response.content
    errors = response.json()["filters"]
    assert errors[0] == {}
    if field is None:
        assert errors[1] == ["This field may not be null."]
    else:
        assert field in errors[1], errors


def test_a_filter_sprints_do_not_take_is_named_against_granularity_cycle(post):
    issue_filter = {"field": "reporter", "operator": "in", "values": [1]}
    by_type = post({**VALID, "filters": [issue_filter, {**issue_filter, "field": "sprint"}]})
    by_granularity = post({**VALID, "granularity": "cycle", "filters": [issue_filter]})

    assert by_type.status_code == by_granularity.status_code == 400
    assert by_type.json()["filters"] == [
        {}, {"field": ["'sprint' is not a filter of type 'issue'. Choose one of: team, author, assignee, reporter, "
                       "epic, project, work_type, priority."]},
    ]  # fmt: skip
    assert by_granularity.json()["filters"] == [
        {"field": ["'reporter' is not a filter of granularity 'cycle' (sprints). Choose one of: team, assignee, "
                   "epic, project, work_type, sprint."]},
    ]  # fmt: skip


def test_every_problem_is_named_at_once(post):
    response = post({"startDate": "yesterday", "granularity": "day", "type": "issue", "groupBy": "colour"})

    assert response.status_code == 400
    assert set(response.json()) == {"startDate", "endDate", "granularity", "groupBy"}
    assert response.json()["endDate"] == ["This field is required."]
    assert "Choose one of: week, month, cycle." in response.json()["granularity"][0]


@pytest.mark.parametrize("payload", [b"[]", b'"text"', b"{not json", b"", b"null"])
def test_a_body_that_is_not_an_object_is_a_400(api_client, payload):
    response = api_client.generic("POST", METRICS, payload, content_type="application/json")

    assert response.status_code == 400, response.content


def test_unknown_keys_are_ignored_and_empty_groupings_mean_none(post):
    response = post({**VALID, "groupBy": "", "filters": None, "timezone": "Europe/Paris", "cycleIds": []})
    no_group = post({**VALID, "groupBy": None, "filters": []})

    assert response.status_code == 200, response.content
    assert "measure" in response.json()["data"][0]
    assert no_group.json() == response.json()


def test_ids_may_come_as_strings(post):
    response = post({**VALID, "filters": [{"field": "assignee", "operator": "in", "values": ["12", 13]}]})

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("url", [METRICS, f"{METRICS}/"])
def test_both_paths_with_and_without_a_trailing_slash(api_client, organization, url):
    team = TeamFactory(organization=organization)

    assert api_client.post(url, VALID, format="json").status_code == 200
    assert api_client.post(team_url(team.id) + url.removeprefix(METRICS), VALID, format="json").status_code == 200


def test_get_is_not_allowed(api_client):
    assert api_client.get(METRICS).status_code == 405


def test_missing_or_bad_keys_are_401():
    client = APIClient()
    assert client.post(METRICS, VALID, format="json").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Bearer nope.nope")
    assert client.post(METRICS, VALID, format="json").status_code == 401


def test_a_key_without_the_metrics_permission_is_403(organization):
    client = bearer_client(ApiKeyFactory(user__organization=organization, user__roles=[]).plaintext)

    assert client.post(METRICS, VALID, format="json").status_code == 403


def test_a_read_only_key_may_read_metrics(organization):
    client = bearer_client(ApiKeyFactory(user__organization=organization, read_only=True).plaintext)

    assert client.post(METRICS, VALID, format="json").status_code == 200


@pytest.mark.parametrize("team_id", ["987654", "abc", "0", "-1", str(2**80), "1e3"])
def test_an_unknown_team_is_a_404_naming_it(api_client, team_id):
    response = api_client.post(team_url(team_id), VALID, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "teamId" in response.json()


def test_another_organizations_team_is_a_404(api_client):
    foreign = TeamFactory(organization=OrganizationFactory(slug="other"))

    response = api_client.post(team_url(foreign.id), VALID, format="json")

    assert response.status_code == 404
    assert response.json() == {"teamId": [f"No team with id {foreign.id} in this organization."]}


def test_another_organizations_rows_never_show(api_client, organization):
    from tests.support.delivery import pull_request, repository, utc

    other = OrganizationFactory(slug="other")
    pull_request(repository(other), created=utc(2024, 1, 10))
    pull_request(repository(organization), created=utc(2024, 1, 10))

    body = {**VALID, "type": "pull_request", "granularity": "month"}
    document = api_client.post(METRICS, body, format="json").json()

    assert document["data"][0]["series"] == [{"x": "2024-01-01", "value": 1, "sampleSize": 1}]


def test_the_largest_filters_allowed_are_answered(post, organization):
    """As many values as a filter may hold, on SQLite too (whose expressions nest at most 1000 deep
    and take at most 32766 parameters)."""
    filters = [
        {"field": "epic", "operator": "contains", "values": [f"e{i}" for i in range(100)]},
        {"field": "team", "operator": "not_in", "values": list(range(1, 101))},
        {"field": "project", "operator": "contains", "values": [f"p{i}" for i in range(100)]},
        {"field": "assignee", "operator": "not_in", "values": list(range(1, 701))},
    ]

    assert post({**VALID, "filters": filters}).status_code == 200
    too_many = [*filters, {"field": "reporter", "operator": "in", "values": [1]}]
    response = post({**VALID, "filters": too_many})
    assert response.status_code == 400
    assert response.json() == {"filters": ["The filters may hold at most 1000 values together."]}
    many_filters = [{"field": "epic", "operator": "contains", "values": ["a", "b"]}] * 50
    assert post({**VALID, "filters": many_filters}).status_code == 200
    assert post({**VALID, "filters": many_filters + many_filters[:1]}).status_code == 400
