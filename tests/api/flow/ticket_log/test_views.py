"""The Flow ticket log routes: rows, filters, attribution, ordering, errors and query counts."""

import pytest

from tests.support.factories import OrganizationFactory, PersonFactory, ProjectFactory, TeamFactory, standard_workflow
from tests.support.history import ticket_with_history
from tests.support.queries import query_count
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db
LOG = "/ticket-delivery/ticket-log"
BY_STATUS = "/ticket-delivery/ticket-log/ticket-by-status"
STATUS, ASSIGNEE, COMMENT = TicketEvent.Kind.STATUS, TicketEvent.Kind.ASSIGNEE, TicketEvent.Kind.COMMENT


@pytest.fixture
def org_tree(organization, project, workflow):
    """Engineering > Platform > Storage; Ada in Storage (a grandchild of Engineering), Grace in
    Engineering, Linus hidden from reports in Platform, Bob in no team."""
    engineering = TeamFactory(organization=organization, name="Engineering")
    platform = TeamFactory(organization=organization, name="Platform", parent=engineering)
    storage = TeamFactory(organization=organization, name="Storage", parent=platform)
    ada = PersonFactory(organization=organization, name="Ada", teams=[storage])
    grace = PersonFactory(organization=organization, name="Grace", teams=[engineering])
    linus = PersonFactory(organization=organization, name="Linus", teams=[platform], hidden_from_reports=True)
    bob = PersonFactory(organization=organization, name="Bob")
    w = workflow
    tickets = {
        # Ada worked on it; done.
        "ada_done": ticket_with_history(
            project=project, key="CORE-1", work_type="feature",
            history=[(0, ASSIGNEE, ada), (1, STATUS, w["In Progress"]), (2, COMMENT, None), (10, STATUS, w["Done"])],
        ),
        # Grace was assigned only while it was not started, then Bob did the work.
        "grace_before_start": ticket_with_history(
            project=project, key="CORE-2", work_type="bug",
            history=[(0, ASSIGNEE, grace), (1, ASSIGNEE, bob), (2, STATUS, w["In Progress"])],
        ),
        # Linus (hidden) worked on it.
        "linus": ticket_with_history(
            project=project, key="CORE-3", work_type="feature",
            history=[(0, ASSIGNEE, linus), (1, STATUS, w["In Progress"]), (3, STATUS, w["Blocked"])],
        ),
        # Ada worked on it, then handed it to Grace, who holds it now.
        "ada_then_grace": ticket_with_history(
            project=project, key="CORE-4", work_type="feature",
            history=[(0, ASSIGNEE, ada), (1, STATUS, w["In Progress"]), (2, ASSIGNEE, grace),
                     (5, STATUS, w["Won't Do"])],
        ),
        "unmapped": ticket_with_history(project=project, key="CORE-5", initial=w["Triage"]),
    }  # fmt: skip
    return {"teams": (engineering, platform, storage), "people": (ada, grace, linus, bob), "tickets": tickets}


def keys(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["key"] for row in response.json()["results"]]


def test_row_carries_every_documented_column(api_client, org_tree):
    response = api_client.get(LOG, {"ordering": "id", "limit": 1})
    body = response.json()
    assert body["count"] == 5
    assert body["previous"] is None
    assert "offset=1" in body["next"]
    row = body["results"][0]
    ada = org_tree["people"][0]
    assert row == {
        "id": org_tree["tickets"]["ada_done"].id,
        "key": "CORE-1",
        "title": row["title"],
        "project": {"id": org_tree["tickets"]["ada_done"].project_id, "key": "CORE", "name": "Core"},
        "work_type": "feature",
        "status": "Done",
        "state": "done",
        "priority": "Medium",
        "story_points": None,
        "assignee": {"id": ada.id, "name": "Ada"},
        "created_at": "2024-06-01T10:00:00Z",
        "updated_at": "2024-06-01T20:00:00Z",
        "first_active_at": "2024-06-01T11:00:00Z",
        "done_at": "2024-06-01T20:00:00Z",
        "cycle_time": 9.0,
        "queue_time": 0.0,
        "transitions": 2,
        "backflows": 0,
        "backflow_rate": 0.0,
        "jitter": 33.33,  # one comment while active, project weights 1/1/1
        "sprint": None,
        "epic": "",
    }


def test_team_filter_credits_people_only_while_active(api_client, org_tree):
    engineering, _, storage = org_tree["teams"]
    # Grace held CORE-2 only before it started: not credited. She is credited with CORE-4.
    assert keys(api_client.get(LOG, {"team_id": engineering.id})) == ["CORE-4"]
    assert keys(api_client.get(LOG, {"team_id": storage.id})) == ["CORE-1", "CORE-4"]


def test_include_nested_teams_reaches_grandchildren(api_client, org_tree):
    engineering = org_tree["teams"][0]
    params = {"team_id": engineering.id, "include_nested_teams": "true"}
    assert keys(api_client.get(LOG, params)) == ["CORE-1", "CORE-4"]
    params["include_nested_teams"] = "false"
    assert keys(api_client.get(LOG, params)) == ["CORE-4"]


def test_hidden_people_are_left_out(api_client, org_tree):
    platform = org_tree["teams"][1]
    linus = org_tree["people"][2]
    assert keys(api_client.get(LOG, {"team_id": platform.id})) == []
    assert keys(api_client.get(LOG, {"apex_user_id": linus.id})) == []


def test_team_id_in_is_a_union(api_client, org_tree):
    engineering, _, storage = org_tree["teams"]
    assert keys(api_client.get(LOG, {"team_id__in": f"{engineering.id},{storage.id}"})) == ["CORE-1", "CORE-4"]


def test_apex_user_filters(api_client, org_tree):
    ada, grace, _, bob = org_tree["people"]
    assert keys(api_client.get(LOG, {"apex_user_id": ada.id})) == ["CORE-1", "CORE-4"]
    assert keys(api_client.get(LOG, {"apex_user_id": grace.id})) == ["CORE-4"]
    assert keys(api_client.get(LOG, {"apex_user_id__in": f"{grace.id},{bob.id}"})) == ["CORE-2", "CORE-4"]


def test_current_assignee_narrows_to_the_current_assignee(api_client, org_tree):
    ada, grace = org_tree["people"][:2]
    assert keys(api_client.get(LOG, {"apex_user_id": ada.id, "current_assignee": "true"})) == ["CORE-1"]
    assert keys(api_client.get(LOG, {"apex_user_id": grace.id, "current_assignee": "true"})) == ["CORE-4"]
    assert keys(api_client.get(LOG, {"apex_user_id": ada.id, "current_assignee": "false"})) == ["CORE-1", "CORE-4"]


def test_project_and_work_type_filters(api_client, org_tree, organization):
    other = ProjectFactory(organization=organization, key="OPS")
    standard_workflow(other)
    ticket_with_history(project=other, key="OPS-1")
    assert keys(api_client.get(LOG, {"project__id": other.id})) == ["OPS-1"]
    assert keys(api_client.get(LOG, {"work_type": "bug"})) == ["CORE-2"]


def test_ordering(api_client, org_tree):
    assert keys(api_client.get(LOG, {"ordering": "-key"})) == ["CORE-5", "CORE-4", "CORE-3", "CORE-2", "CORE-1"]
    # Nulls last both ways; ties end on id.
    by_cycle = keys(api_client.get(LOG, {"ordering": "-cycle_time"}))
    assert by_cycle[0] == "CORE-1"
    assert by_cycle[1:] == ["CORE-2", "CORE-3", "CORE-4", "CORE-5"]
    assert keys(api_client.get(LOG, {"ordering": "state,-id"}))[:3] == ["CORE-2", "CORE-4", "CORE-1"]


def test_limit_and_offset(api_client, org_tree):
    body = api_client.get(LOG, {"limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert [r["key"] for r in body["results"]] == ["CORE-3", "CORE-4"]
    assert "offset=4" in body["next"] and "offset=0" not in body["previous"]


def test_limit_above_the_maximum_is_reduced(api_client, org_tree, settings):
    assert len(api_client.get(LOG, {"limit": 5000}).json()["results"]) == 5


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"ordering": "nonsense"}, "ordering"),
        ({"team_id": "abc"}, "team_id"),
        ({"team_id__in": "1,x"}, "team_id__in"),
        ({"apex_user_id": "1.5"}, "apex_user_id"),
        ({"apex_user_id__in": "a"}, "apex_user_id__in"),
        ({"project__id": "core"}, "project__id"),
        ({"include_nested_teams": "yes"}, "include_nested_teams"),
        ({"current_assignee": "1"}, "current_assignee"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"offset": "x"}, "offset"),
        ({"team_id": "99999999999999999999"}, "team_id"),
        ({"offset": "99999999999999999999"}, "offset"),
        ({"ordering": "%s,%(x)s"}, "ordering"),
    ],
)
@pytest.mark.parametrize("url", [LOG, BY_STATUS])
def test_bad_values_are_400_naming_the_parameter(api_client, org_tree, url, params, bad):
    response = api_client.get(url, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [bad]
    assert isinstance(body[bad], list) and all(isinstance(m, str) for m in body[bad])


def test_invalid_choice_message_is_in_flow_wording(api_client, org_tree):
    body = api_client.get(LOG, {"include_nested_teams": "yes"}).json()
    assert body == {
        "include_nested_teams": [
            "Provide a valid choice. 'yes' is not one of the available choices: ['true', 'false']"
        ]
    }


def test_several_bad_parameters_are_reported_together(api_client, org_tree):
    body = api_client.get(LOG, {"team_id": "x", "include_nested_teams": "maybe", "ordering": "zzz"}).json()
    assert set(body) == {"team_id", "include_nested_teams", "ordering"}


@pytest.mark.parametrize("param", ["team_id", "apex_user_id", "project__id"])
def test_unknown_ids_are_404_naming_the_parameter(api_client, org_tree, param):
    response = api_client.get(LOG, {param: 999999})
    assert response.status_code == 404
    assert list(response.json()) == [param]


def test_other_organizations_objects_are_404_and_their_tickets_invisible(api_client, org_tree):
    other_org = OrganizationFactory()
    other_project = ProjectFactory(organization=other_org)
    standard_workflow(other_project)
    ticket_with_history(project=other_project, key="THEIRS-1")
    stranger = PersonFactory(organization=other_org)
    assert api_client.get(LOG, {"project__id": other_project.id}).status_code == 404
    assert api_client.get(LOG, {"apex_user_id": stranger.id}).status_code == 404
    assert "THEIRS-1" not in keys(api_client.get(LOG, {"limit": 1000}))
    assert api_client.get(BY_STATUS).json()["total"] == 5


def test_trailing_slash_and_unknown_parameters(api_client, org_tree):
    plain = api_client.get(LOG, {"headers": "whatever", "limit": 2})
    slashed = api_client.get(LOG + "/", {"limit": 2})
    assert plain.status_code == slashed.status_code == 200
    assert plain.json()["results"] == slashed.json()["results"]
    assert api_client.get(BY_STATUS + "/").status_code == 200


def test_ticket_by_status_counts_every_state(api_client, org_tree):
    body = api_client.get(BY_STATUS).json()
    assert body == {"total": 5, "unmapped": 1, "not_started": 0, "active": 1, "waiting": 1, "done": 1, "canceled": 1}


def test_ticket_by_status_takes_the_same_filters(api_client, org_tree):
    ada = org_tree["people"][0]
    body = api_client.get(BY_STATUS, {"apex_user_id": ada.id}).json()
    assert body == {"total": 2, "unmapped": 0, "not_started": 0, "active": 0, "waiting": 0, "done": 1, "canceled": 1}


@pytest.mark.parametrize("url", [LOG, BY_STATUS])
def test_query_count_does_not_grow_with_rows(api_client, organization, project, workflow, url):
    engineering = TeamFactory(organization=organization)
    people = [PersonFactory(organization=organization, teams=[engineering]) for _ in range(3)]
    for i in range(50):
        history = [(0, ASSIGNEE, people[i % 3]), (1, STATUS, workflow["In Progress"]), (2, STATUS, workflow["Done"])]
        ticket_with_history(project=project, key=f"Q-{i}", history=history)
    params = {"team_id": engineering.id, "include_nested_teams": "true", "ordering": "-cycle_time"}
    api_client.get(url, params)  # warm-up: records the key's last use
    small = query_count(lambda: api_client.get(url, {**params, "limit": 2}))
    large = query_count(lambda: api_client.get(url, {**params, "limit": 50}))
    assert small == large
    assert large <= 8
