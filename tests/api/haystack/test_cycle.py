"""Sprint analytics (`granularity: cycle`) from sprint membership history.

Sprint 25 is the Haystack document's example, built ticket by ticket (Jun 3 09:00 → completed
Jun 17 10:00, 2024):
  committed (added Jun 3 08:00, before the start): 13 tickets, 44 points (3×5, 9×3, 1×2);
  injected (added Jun 5): 9 tickets, 16 points (7×2, 2×1);
  none removed; done by the end: the nine 3-point committed... seven of them (21) and every
  injected ticket (16): 16 tickets, 37 points;
  excluded: 3 sub-tasks without points (work type in the organization's exclusion rules);
  not counted: a ticket removed before the start, one added after the end.
Sprint 26 (Jun 17 10:00 → Jul 1 10:00) makes the document's averages: committed 14 (13×2.5 + 3 =
35.5), injected 19 (8×2 + 9×1 + 2 without points = 25), done: all but two committed 2.5-pointers and
the two injected tickets without points: 29 tickets, 55.5 points; nothing excluded or removed.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command

from accounts.models import Organization, Team
from tests.api.haystack.conftest import team_url
from tests.support.delivery import sprint, sprint_member, utc
from tests.support.factories import ApiKeyFactory, PersonFactory, ProjectFactory, TeamFactory, standard_workflow
from tests.support.history import Kind, append
from tickets.models import Sprint

pytestmark = pytest.mark.django_db

DOCUMENT_SPRINT = {
    "name": "Sprint 25",
    "state": "closed",
    "analytics": {
        "completionRate": "0.72727272727272727273",
        "storyPointCompletionRate": 0.6166666666666667,
        "issueCount": "22",
        "totalStoryPoints": 60,
        "injectedIssueCount": "9",
        "injectedStoryPoints": 16,
        "completedIssueCount": "16",
        "completedStoryPoints": 37,
        "committedIssueCount": "13",
        "committedStoryPoints": 44,
        "excludedIssueCount": "3",
        "excludedStoryPoints": 0,
        "removedIssueCount": "0",
        "removedStoryPoints": None,
    },
}
DOCUMENT_AVERAGES = {
    "cycle": {
        "completionRate": 0.803030303030303,
        "storyPointCompletionRate": 0.7670110192837466,
        "issueCount": 27.5,
        "totalStoryPoints": 60.25,
        "injectedIssueCount": 14,
        "injectedStoryPoints": 20.5,
        "completedIssueCount": 22.5,
        "completedStoryPoints": 46.25,
        "committedIssueCount": 13.5,
        "committedStoryPoints": 39.75,
        "excludedIssueCount": 1.5,
        "excludedStoryPoints": 0,
        "removedIssueCount": 0,
        "removedStoryPoints": 0,
    }
}
CYCLE = {"startDate": "2024-06-01", "endDate": "2024-06-30", "granularity": "cycle", "type": "cycle"}
START, END = utc(2024, 6, 3, 9), utc(2024, 6, 17, 10)


@pytest.fixture
def sprint_25(organization, project, workflow):
    organization.sprint_excluded_work_types = ["sub-task"]
    organization.save()
    target = sprint(project, "Sprint 25", START, utc(2024, 6, 17, 9), completed=END)
    planning, mid_sprint, done = utc(2024, 6, 3, 8), utc(2024, 6, 5, 12), utc(2024, 6, 12, 15)
    for index, points in enumerate([5, 5, 5, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2]):
        finished = done if points == 3 and index < 10 else None
        sprint_member(project, workflow, target, added=planning, points=points, done=finished)
    for points in [2, 2, 2, 2, 2, 2, 2, 1, 1]:
        sprint_member(project, workflow, target, added=mid_sprint, points=points, done=done)
    for _ in range(3):
        sprint_member(project, workflow, target, added=planning, work_type="sub-task", done=done)
    sprint_member(project, workflow, target, added=utc(2024, 5, 30), removed=utc(2024, 6, 1), points=8)
    sprint_member(project, workflow, target, added=END + timedelta(hours=1), points=8)
    return target


@pytest.fixture
def sprint_26(project, workflow, sprint_25):
    start, end = END, utc(2024, 7, 1, 10)
    target = sprint(project, "Sprint 26", start, end, completed=end)
    planning, mid_sprint, done = start - timedelta(hours=1), start + timedelta(days=2), end - timedelta(days=1)
    for index in range(13):
        sprint_member(project, workflow, target, added=planning, points=2.5, done=done if index >= 2 else None)
    sprint_member(project, workflow, target, added=planning, points=3, done=done)
    for points in [2] * 8 + [1] * 9:
        sprint_member(project, workflow, target, added=mid_sprint, points=points, done=done)
    for _ in range(2):
        sprint_member(project, workflow, target, added=mid_sprint)
    return target


def _counts(analytics: dict, name: str) -> tuple[int, float]:
    points = analytics[f"{name}StoryPoints"] or 0
    count_key = "issueCount" if name == "total" else f"{name}IssueCount"
    return int(analytics[count_key]), points


def assert_identity(analytics: dict) -> None:
    """issueCount = committed + injected − removed, for counts and story points; rates in [0, 1]."""
    issues, points = int(analytics["issueCount"]), analytics["totalStoryPoints"] or 0
    committed, committed_points = _counts(analytics, "committed")
    injected, injected_points = _counts(analytics, "injected")
    removed, removed_points = _counts(analytics, "removed")
    assert issues == committed + injected - removed, analytics
    assert points == pytest.approx(committed_points + injected_points - removed_points), analytics
    assert int(analytics["completedIssueCount"]) <= issues
    for rate in ("completionRate", "storyPointCompletionRate"):
        if analytics[rate] is not None:
            assert 0 <= float(analytics[rate]) <= 1


def test_the_documents_sprint_reproduces_every_field_value_and_type(post, sprint_25):
    response = post(CYCLE)

    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["data"]) == 1
    entry = body["data"][0]
    assert {key: entry[key] for key in ("name", "state", "analytics")} == DOCUMENT_SPRINT
    assert list(entry["analytics"]) == list(DOCUMENT_SPRINT["analytics"])  # the document's order
    for name, value in DOCUMENT_SPRINT["analytics"].items():
        assert type(entry["analytics"][name]) is type(value), name
    assert entry["id"] == sprint_25.id
    assert entry["startDate"] == "2024-06-03T09:00:00Z"
    assert entry["endDate"] == "2024-06-17T10:00:00Z"
    assert_identity(entry["analytics"])


def test_two_sprints_reproduce_the_documents_averages(post, sprint_26):
    body = post(CYCLE).json()

    assert [entry["name"] for entry in body["data"]] == ["Sprint 25", "Sprint 26"]
    assert body["data"][0]["analytics"] == DOCUMENT_SPRINT["analytics"]
    second = body["data"][1]["analytics"]
    assert second["issueCount"] == "33"
    assert second["completedStoryPoints"] == 55.5
    assert second["excludedIssueCount"] == "0"
    assert second["excludedStoryPoints"] is None
    assert body["averages"] == DOCUMENT_AVERAGES
    for name, value in DOCUMENT_AVERAGES["cycle"].items():
        assert type(body["averages"]["cycle"][name]) is type(value), name


def test_granularity_cycle_with_type_issue_answers_the_same(post, sprint_25):
    assert post({**CYCLE, "type": "issue"}).json() == post(CYCLE).json()


def test_removed_work_is_counted_with_its_points_at_the_end(post, organization, project, workflow):
    """Committed A (1), B (2), C (5, removed mid-sprint), D (3, removed then added back); injected
    E (2, removed), F (3, done); G's points change from 8 to 5 during the sprint and to 13 after
    its end (points at the end count: 5). H is canceled at the end: in the sprint, not completed."""
    start, end = utc(2024, 6, 3, 9), utc(2024, 6, 17, 9)
    target = sprint(project, "Removals", start, end, completed=end)
    before, during = start - timedelta(hours=1), start + timedelta(days=2)
    sprint_member(project, workflow, target, added=before, points=1, done=during)
    sprint_member(project, workflow, target, added=before, points=2)
    sprint_member(project, workflow, target, added=before, points=5, removed=during)
    back = sprint_member(project, workflow, target, added=before, points=3, removed=during)
    append(back, Kind.SPRINT, during + timedelta(days=1), sprint=target, sprint_action="add")
    sprint_member(project, workflow, target, added=during, points=2, removed=during + timedelta(days=1))
    sprint_member(project, workflow, target, added=during, points=3, done=end - timedelta(hours=1))
    changing = sprint_member(project, workflow, target, added=before, points=8)
    append(changing, Kind.STORY_POINTS, during, to_value="5")
    append(changing, Kind.STORY_POINTS, end + timedelta(days=1), to_value="13")
    sprint_member(project, workflow, target, added=before, points=1, done=during, canceled=True)

    analytics = post({**CYCLE, "startDate": "2024-06-03", "endDate": "2024-06-16"}).json()["data"][0]["analytics"]

    assert analytics["committedIssueCount"] == "6"  # A B C D G H
    assert analytics["committedStoryPoints"] == 1 + 2 + 5 + 3 + 5 + 1
    assert analytics["injectedIssueCount"] == "2"  # E F
    assert analytics["injectedStoryPoints"] == 5
    assert analytics["removedIssueCount"] == "2"  # C E
    assert analytics["removedStoryPoints"] == 7
    assert analytics["issueCount"] == "6"  # A B D F G H
    assert analytics["totalStoryPoints"] == 1 + 2 + 3 + 3 + 5 + 1
    assert analytics["completedIssueCount"] == "2"  # A F (H is canceled)
    assert analytics["completedStoryPoints"] == 4
    assert analytics["completionRate"] == "0.33333333333333333333"
    assert analytics["storyPointCompletionRate"] == 4 / 15
    assert analytics["excludedIssueCount"] == "0"
    assert_identity(analytics)


@pytest.mark.parametrize(
    ("rules", "excluded"), [(["Sub-Task"], "1"), ("sub-task", "1"), (7, "0"), ({"sub-task": True}, "0")]
)
def test_exclusion_rules_match_work_types_ignoring_case_and_odd_settings_never_break(
    post, organization, project, workflow, rules, excluded
):
    organization.sprint_excluded_work_types = rules
    organization.save()
    target = sprint(project, "Sprint", START, END, completed=END)
    sprint_member(project, workflow, target, added=START - timedelta(hours=1), points=3)
    sprint_member(project, workflow, target, added=START - timedelta(hours=1), points=1, work_type="sub-task")

    response = post(CYCLE)

    assert response.status_code == 200, response.content
    analytics = response.json()["data"][0]["analytics"]
    assert analytics["excludedIssueCount"] == excluded
    assert int(analytics["issueCount"]) + int(excluded) == 2
    assert_identity(analytics)


def test_an_empty_sprint_has_zero_counts_and_null_points_and_rates(post, project):
    sprint(project, "Empty", utc(2024, 6, 3), utc(2024, 6, 17), state="active")

    entry = post(CYCLE).json()["data"][0]

    assert entry["state"] == "active"
    assert entry["analytics"]["issueCount"] == "0"
    assert entry["analytics"]["completionRate"] is None
    assert entry["analytics"]["storyPointCompletionRate"] is None
    assert entry["analytics"]["totalStoryPoints"] is None


def test_future_and_out_of_range_sprints_are_left_out(post, project):
    sprint(project, "Future", utc(2024, 6, 20), utc(2024, 7, 4), state="future")
    sprint(project, "Earlier", utc(2024, 5, 1), utc(2024, 5, 15), completed=utc(2024, 5, 15))
    sprint(project, "Later", utc(2024, 7, 1), utc(2024, 7, 15), state="active")
    sprint(project, "Overlapping", utc(2024, 5, 25), utc(2024, 6, 8), completed=utc(2024, 6, 8))

    body = post(CYCLE).json()

    assert [entry["name"] for entry in body["data"]] == ["Overlapping"]


def test_no_sprints_give_empty_data_and_null_averages(post, organization):
    body = post(CYCLE).json()

    assert body["data"] == []
    assert set(body["averages"]["cycle"].values()) == {None}


def test_the_team_route_counts_only_the_teams_issues(api_client, organization, project, workflow):
    team = TeamFactory(organization=organization, name="Delivery")
    nested = TeamFactory(organization=organization, name="Squad", parent=team)
    ada = PersonFactory(organization=organization, name="Ada", teams=[nested])
    grace = PersonFactory(organization=organization, name="Grace")
    target = sprint(project, "Sprint", START, END, completed=END)
    sprint_member(project, workflow, target, added=START - timedelta(hours=1), points=3, assignee=ada, done=START)
    sprint_member(project, workflow, target, added=START - timedelta(hours=1), points=5, assignee=grace)
    other = sprint(project, "Not the team's", START, END, completed=END)
    sprint_member(project, workflow, other, added=START - timedelta(hours=1), points=5, assignee=grace)

    body = api_client.post(team_url(team.id), CYCLE, format="json").json()

    assert [entry["name"] for entry in body["data"]] == ["Sprint"]
    analytics = body["data"][0]["analytics"]
    assert (analytics["issueCount"], analytics["totalStoryPoints"], analytics["completedIssueCount"]) == ("1", 3, "1")
    everyone = api_client.post("/public/api/metrics", CYCLE, format="json").json()
    assert [entry["analytics"]["issueCount"] for entry in everyone["data"]] == ["2", "1"]


def test_filters_narrow_the_sprints_and_their_issues(post, organization, project, workflow):
    second = ProjectFactory(organization=organization, key="WEB")
    target = sprint(project, "Core sprint", START, END, completed=END)
    web = sprint(second, "Web sprint", START, END, completed=END)
    sprint_member(project, workflow, target, added=START - timedelta(hours=1), points=3, work_type="bug")
    sprint_member(project, workflow, target, added=START - timedelta(hours=1), points=5)
    web_workflow = standard_workflow(second)
    sprint_member(second, web_workflow, web, added=START - timedelta(hours=1), points=8)

    by_project = post({**CYCLE, "filters": [{"field": "project", "operator": "equals", "values": [project.id]}]})
    by_name = post({**CYCLE, "filters": [{"field": "sprint", "operator": "contains", "values": ["web"]}]})
    bugs = post({**CYCLE, "filters": [{"field": "work_type", "operator": "in", "values": ["bug"]}]})

    assert [entry["name"] for entry in by_project.json()["data"]] == ["Core sprint"]
    assert [entry["name"] for entry in by_name.json()["data"]] == ["Web sprint"]
    assert [(e["name"], e["analytics"]["issueCount"]) for e in bugs.json()["data"]] == [("Core sprint", "1")]


def test_every_sprint_of_the_demo_satisfies_the_identity(api_client):
    """issueCount = committed + injected − removed for every sprint of seed_demo, org-wide and for
    each top-level team."""
    call_command("seed_demo", tickets=300, org="t", today="2024-06-30")  # sprints from Dec 25, 2023
    organization = Organization.objects.get(slug="t")
    key = ApiKeyFactory(user__organization=organization)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.plaintext}")
    body = {**CYCLE, "startDate": "2023-12-01", "endDate": "2024-12-31"}

    sprints = api_client.post("/public/api/metrics", body, format="json").json()["data"]

    started = Sprint.objects.filter(organization=organization, state__in=["active", "closed"])
    assert sorted(entry["id"] for entry in sprints) == sorted(started.values_list("id", flat=True))  # every one
    assert len(sprints) >= 10
    for entry in sprints:
        assert_identity(entry["analytics"])
    assert any(int(entry["analytics"]["removedIssueCount"]) for entry in sprints)
    assert any(int(entry["analytics"]["injectedIssueCount"]) for entry in sprints)
    assert any(int(entry["analytics"]["completedIssueCount"]) for entry in sprints)
    for team in Team.objects.filter(organization=organization, depth__lte=1):
        for entry in api_client.post(team_url(team.id), body, format="json").json()["data"]:
            assert_identity(entry["analytics"])
