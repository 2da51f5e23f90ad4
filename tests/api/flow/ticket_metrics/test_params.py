"""Every parameter of the ticket metrics routes, on every route: the seed's own example answers,
junk in any parameter is a 400 (or a 404 for an id not in the organization) naming it, never a
500; and the documented backflow example end to end, with the organization's intra-lane setting."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import TestCase

from api.flow.ticket_metrics.filtersets import MAX_PERIODS
from tests.support.factories import PersonFactory, ProjectFactory, StatusFactory, TeamFactory, standard_workflow
from tests.support.history import ticket_with_history
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db
ROUTES = [
    "/ticket-delivery/metrics",
    "/ticket-delivery/metrics/backflow-sources",
    "/ticket-delivery/metrics/jitter-sources",
    "/ticket-delivery/metrics/queuetime-sources",
]
RANGE = '["2024-06-01T00:00:00Z","2024-06-08T00:00:00Z"]'
STATUS, ASSIGNEE, COMMENT = TicketEvent.Kind.STATUS, TicketEvent.Kind.ASSIGNEE, TicketEvent.Kind.COMMENT
SEED_DATE_RANGE = '["2024-06-24T09:00:00-6:00","2024-07-24T09:00:00-6:00"]'
SEED_PERIODS = (
    '[["2024-05-24T09:00:00-6:00","2024-06-24T09:00:00-6:00"],[“2024-04-24T09:00:00-6:00”,”2024-05-24T09:00:00-6:00”]]'
)
JUNK = ["x", "1.5", "1e3", "[1]", "yes", "null", "%", "\x00", "99999999999999999999999", "{}", "[[1],[2]]"]
PARAMETERS = ["date_range", "periods", "team_id", "team_id__in", "include_nested_teams", "apex_user_id",
              "apex_user_id__in", "project_ids", "work_type", "current_assignee"]  # fmt: skip
BAD_RANGES = [
    '["9999-12-31T23:00:00-6:00","9999-12-31T23:30:00-6:00"]',  # past year 9999 in UTC
    '["0001-01-01T00:00:00+06:00","0001-01-02T00:00:00+6:00"]',  # before year 1 in UTC
    '["2024-06-01T00:00:00+24:00","2024-06-08T00:00:00Z"]',
    '["2024-06-01T00:00:00","2024-06-08"]',  # a date-time without an offset (a plain date is midnight UTC)
    '["2024-02-30","2024-06-08"]',  # no such day
    "[null,null]",
]


@pytest.fixture
def scoped(organization, project, workflow):
    """One completed ticket with a backflow, a wait and jitter, credited to a team member."""
    team = TeamFactory(organization=organization)
    ada = PersonFactory(organization=organization, teams=[team])
    w = workflow
    history = [(0, ASSIGNEE, ada), (1, STATUS, w["In Progress"]), (2, COMMENT, None), (3, STATUS, w["Blocked"]),
               (4, STATUS, w["In Review"]), (5, STATUS, w["In Progress"]), (8, STATUS, w["Done"])]  # fmt: skip
    ticket_with_history(project=project, history=history)
    return {"team": team, "ada": ada}


@pytest.mark.parametrize("url", ROUTES)
def test_the_seed_example_answers_200_on_every_route(api_client, scoped, url):
    params = {"date_range": SEED_DATE_RANGE, "periods": SEED_PERIODS, "team_id": scoped["team"].id,
              "include_nested_teams": "true", "apex_user_id": scoped["ada"].id}  # fmt: skip
    response = api_client.get(url, params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["date_range"] == ["2024-06-24T09:00:00-06:00", "2024-07-24T09:00:00-06:00"]
    assert [p["date_range"][0] for p in body["periods"]] == ["2024-05-24T09:00:00-06:00", "2024-04-24T09:00:00-06:00"]


@pytest.mark.parametrize("url", ROUTES)
def test_every_parameter_takes_its_documented_form_on_every_route(api_client, scoped, project, url):
    params = {"date_range": RANGE, "periods": '[["2024-05-25T00:00:00Z","2024-06-01T00:00:00Z"]]',
              "team_id": scoped["team"].id, "team_id__in": f"{scoped['team'].id}", "include_nested_teams": "false",
              "apex_user_id": scoped["ada"].id, "apex_user_id__in": f"{scoped['ada'].id}",
              "project_ids": f"{project.id}", "work_type": "feature", "current_assignee": "true"}  # fmt: skip
    assert api_client.get(url, params).status_code == 200


@pytest.mark.parametrize("url", ROUTES)
def test_junk_in_any_parameter_is_a_4xx_naming_it_never_a_500(api_client, scoped, url):
    wrong = []
    for parameter in PARAMETERS:
        for value in JUNK + (BAD_RANGES if parameter == "date_range" else []):
            response = api_client.get(url, {"date_range": RANGE, parameter: value})
            if parameter == "work_type" and value != "\x00":
                ok = response.status_code == 200  # free text: no ticket of that work type
            else:
                ok = response.status_code in (400, 404) and list(response.json()) == [parameter]
            if not ok:
                wrong.append((parameter, value, response.status_code, response.content[:120]))
    assert not wrong


@pytest.mark.parametrize("url", ROUTES)
def test_at_most_max_periods(api_client, scoped, url):
    start = datetime(2024, 6, 1, tzinfo=UTC)
    weeks = [(start - timedelta(weeks=n), start - timedelta(weeks=n - 1)) for n in range(1, MAX_PERIODS + 2)]
    pairs = [f'["{a.isoformat()}","{b.isoformat()}"]' for a, b in weeks]
    assert (
        api_client.get(url, {"date_range": RANGE, "periods": f"[{','.join(pairs[:MAX_PERIODS])}]"}).status_code == 200
    )
    response = api_client.get(url, {"date_range": RANGE, "periods": f"[{','.join(pairs)}]"})
    assert response.status_code == 400
    assert response.json() == {"periods": [f"Give at most {MAX_PERIODS} periods ({MAX_PERIODS + 1} given)."]}


@pytest.mark.parametrize(
    "date_range",
    ['["2024-06-01T00:00:00Z","2024-06-08T00:00:00Z"]', '["2024-05-31T18:00:00-6:00","2024-06-07T18:00:00-6:00"]',
     "[“2024-06-01T00:00:00+00:00”,”2024-06-08T00:00:00+0:00”]"],
)  # fmt: skip
def test_z_single_digit_offsets_and_typographic_quotes_name_the_same_range(api_client, scoped, date_range):
    body = api_client.get(ROUTES[0], {"date_range": date_range}).json()
    assert body["tickets_completed"]["value"] == 1


@pytest.mark.parametrize(("intra_lane", "rate", "transitions"), [(True, 0.25, 4), (False, 0.3333, 3)])
def test_the_documented_backflow_example_through_the_api(api_client, organization, intra_lane, rate, transitions):
    """Appfire's example: In Progress and In Review share a lane; To Do → In Progress → In Review →
    To Do → Done is 1 backflow in 4 transitions, or in 3 when moves within a lane do not count."""
    project = ProjectFactory(organization=organization, key="APP")
    lanes = [(1, "To Do", 0, "not_started"), (2, "In Progress", 1, "active"), (3, "In Review", 1, "active"),
             (4, "Done", 2, "done")]  # fmt: skip
    s = {name: StatusFactory(project=project, external_id=ext, name=name, lane=lane, state=state, position=ext)
         for ext, name, lane, state in lanes}  # fmt: skip
    history = [(1, STATUS, s["In Progress"]), (2, STATUS, s["In Review"]), (3, STATUS, s["To Do"]),
               (4, STATUS, s["Done"])]  # fmt: skip
    ticket_with_history(project=project, history=history, initial=s["To Do"])
    organization.backflow_counts_intra_lane_changes = intra_lane
    with TestCase.captureOnCommitCallbacks(execute=True):
        organization.save()
    body = api_client.get(ROUTES[0], {"date_range": RANGE}).json()
    assert body["backflow_rate"] == {"value": rate, "sample_size": 1, "trend": None, "backflows": 1,
                                     "transitions": transitions}  # fmt: skip


def _completed(body: dict) -> int:
    if "tickets_completed" in body:
        return body["tickets_completed"]["value"]
    return len({t["id"] for source in body["sources"] for t in source["tickets"]})


@pytest.mark.parametrize("url", ROUTES)
def test_team_and_person_lists_and_nested_teams_scope_every_route(api_client, organization, scoped, url):
    parent = TeamFactory(organization=organization, name="Parent")
    child = TeamFactory(organization=organization, name="Child", parent=parent)
    grace = PersonFactory(organization=organization, teams=[child])
    other = PersonFactory(organization=organization)
    project = ProjectFactory(organization=organization, key="OPS")
    w = standard_workflow(project)
    history = [(0, ASSIGNEE, grace), (1, STATUS, w["In Progress"]), (2, COMMENT, None), (3, STATUS, w["Blocked"]),
               (4, STATUS, w["In Review"]), (5, STATUS, w["In Progress"]), (8, STATUS, w["Done"])]  # fmt: skip
    ticket_with_history(project=project, history=history)

    def completed(**params) -> int:
        response = api_client.get(url, {"date_range": RANGE, **params})
        assert response.status_code == 200, response.content
        return _completed(response.json())

    assert completed() == 2
    assert completed(team_id=parent.id) == 0
    assert completed(team_id=parent.id, include_nested_teams="true") == 1
    assert completed(team_id__in=f"{child.id},{scoped['team'].id}") == 2
    assert completed(team_id__in=f"{parent.id}", include_nested_teams="true") == 1
    assert completed(apex_user_id__in=f"{other.id},{grace.id}") == 1
    assert completed(apex_user_id__in=f"{other.id}") == 0
    assert completed(project_ids=f"{project.id}") == 1
    assert completed(apex_user_id=grace.id, current_assignee="true") == 1
