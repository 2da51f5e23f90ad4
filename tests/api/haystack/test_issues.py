"""`type: issue` series: buckets, measures, grouping and filters, checked against counts computed
here from the rows."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from metrics.models import TicketMetrics
from tests.api.haystack.conftest import team_url
from tests.support.delivery import utc
from tests.support.factories import PersonFactory, ProjectFactory, TeamFactory, standard_workflow
from tests.support.history import Kind, ticket_with_history
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
STATUS, ASSIGNEE = Kind.STATUS, Kind.ASSIGNEE
T0 = utc(2024, 1, 8, 10)  # a Monday


def body(**fields) -> dict:
    return {"startDate": "2024-01-08", "endDate": "2024-01-21", "granularity": "week", "type": "issue", **fields}


def series(document: dict, measure: str) -> list:
    entry = next(item for item in document["data"] if item["measure"] == measure)
    return [(point["x"], point["value"]) for point in entry["series"]]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@pytest.fixture
def spread(project, workflow):
    """40 issues created over Jan 3 – Mar 28, 2024 (none Feb 5 – 18), half completed 1 to 300
    hours later."""
    rng = random.Random(6)
    created_days = [d for d in range(0, 86) if not 33 <= d < 47]
    for index in range(40):
        created = utc(2024, 1, 3, 8) + timedelta(days=rng.choice(created_days), hours=rng.uniform(0, 14))
        history = [(created + timedelta(hours=1), STATUS, workflow["In Progress"])]
        if index % 2:
            history.append((created + timedelta(hours=rng.uniform(2, 300)), STATUS, workflow["Done"]))
        ticket_with_history(project=project, created=created, history=history, story_points=index % 5 or None)


@pytest.mark.parametrize(
    ("granularity", "start", "end", "bucket"),
    [
        ("week", "2024-01-10", "2024-03-20", _monday),
        ("month", "2024-01-10", "2024-03-20", lambda day: day.replace(day=1)),
    ],
)
def test_series_agree_with_counts_from_the_rows(post, spread, granularity, start, end, bucket):
    document = post(body(startDate=start, endDate=end, granularity=granularity)).json()
    first, last = date.fromisoformat(start), date.fromisoformat(end)

    created = Counter(
        bucket(moment.date()) for moment in Ticket.objects.values_list("created_at", flat=True)
        if first <= moment.date() <= last
    )  # fmt: skip
    done = TicketMetrics.objects.filter(done_at__isnull=False).values_list("done_at", "ticket__story_points")
    completed, points = Counter(), Counter()
    for moment, story_points in done:
        if first <= moment.date() <= last:
            completed[bucket(moment.date())] += 1
            points[bucket(moment.date())] += story_points or 0
    xs = [x for x, _value in series(document, "jiraIssue.count")]
    expected_xs, day = [], bucket(first)
    while day <= last:
        expected_xs.append(day.isoformat())
        day = bucket(day + timedelta(days=32 if granularity == "month" else 7))
    assert xs == expected_xs  # every bucket, empty ones included, named by its first day
    assert series(document, "jiraIssue.count") == [(x, created[date.fromisoformat(x)]) for x in xs]
    assert series(document, "jiraIssue.completedCount") == [(x, completed[date.fromisoformat(x)]) for x in xs]
    assert series(document, "jiraIssue.completedStoryPoints") == [(x, points[date.fromisoformat(x)]) for x in xs]
    assert sum(created.values()) > 10 and sum(completed.values()) > 5
    if granularity == "week":
        assert ("2024-02-05", 0) in series(document, "jiraIssue.count")  # an empty bucket
    for (x, cycle_time), (_x, lead_time) in zip(
        series(document, "jiraIssue.cycleTime"), series(document, "jiraIssue.leadTime"), strict=True
    ):
        assert (cycle_time is None) == (lead_time is None) == (completed[date.fromisoformat(x)] == 0)
    assert document["averages"]["jiraIssue"]["count"] == pytest.approx(sum(created.values()) / len(xs))


def test_measures_of_hand_built_issues(post, project, workflow):
    """A: progress 0–10 h, to do 10–20, progress 20–25, blocked 25–27, done at 27: cycle time 17 h
    (active intervals, waiting included), lead time 27 h, 5 points. B: done straight from to do at
    6 h: completed, lead time 6 h, no cycle time, no points. C: canceled. D: created the week after."""
    w = workflow
    ticket_with_history(project=project, created=T0, story_points=5, history=[
        (T0, STATUS, w["In Progress"]), (T0 + timedelta(hours=10), STATUS, w["To Do"]),
        (T0 + timedelta(hours=20), STATUS, w["In Progress"]), (T0 + timedelta(hours=25), STATUS, w["Blocked"]),
        (T0 + timedelta(hours=27), STATUS, w["Done"]),
    ])  # fmt: skip
    ticket_with_history(project=project, created=T0, history=[(T0 + timedelta(hours=6), STATUS, w["Done"])])
    ticket_with_history(
        project=project, created=T0, story_points=8, history=[(T0 + timedelta(hours=1), STATUS, w["Won't Do"])]
    )
    ticket_with_history(project=project, created=T0 + timedelta(days=7), history=[])

    document = post(body()).json()

    assert series(document, "jiraIssue.count") == [("2024-01-08", 3), ("2024-01-15", 1)]
    assert series(document, "jiraIssue.completedCount") == [("2024-01-08", 2), ("2024-01-15", 0)]
    assert series(document, "jiraIssue.cycleTime") == [("2024-01-08", 17), ("2024-01-15", None)]
    assert series(document, "jiraIssue.leadTime") == [("2024-01-08", 16.5), ("2024-01-15", None)]
    assert series(document, "jiraIssue.completedStoryPoints") == [("2024-01-08", 5), ("2024-01-15", 0)]
    assert document["averages"] == {
        "jiraIssue": {"count": 2, "completedCount": 1, "cycleTime": 17, "leadTime": 16.5, "completedStoryPoints": 2.5}
    }
    sizes = {
        item["measure"]: (item["sampleSize"], [p["sampleSize"] for p in item["series"]]) for item in document["data"]
    }
    assert sizes["jiraIssue.count"] == (4, [3, 1])
    assert sizes["jiraIssue.cycleTime"] == (1, [1, 0])  # B was never active
    assert sizes["jiraIssue.leadTime"] == (2, [2, 0])
    titles = {item["measure"]: (item["title"], item["unit"]) for item in document["data"]}
    assert titles["jiraIssue.cycleTime"] == ("Cycle time", "hours")
    assert list(titles) == [
        "jiraIssue.count", "jiraIssue.completedCount", "jiraIssue.cycleTime", "jiraIssue.leadTime",
        "jiraIssue.completedStoryPoints",
    ]  # fmt: skip


def test_a_completion_recorded_before_creation_counts_but_has_no_lead_time(post, project, workflow):
    """Clock skew between sources: B's done status is stamped 8 hours before B was created."""
    ticket_with_history(project=project, created=T0, history=[(T0 + timedelta(hours=6), STATUS, workflow["Done"])])
    ticket_with_history(
        project=project,
        created=T0 + timedelta(hours=10),
        history=[(T0 + timedelta(hours=2), STATUS, workflow["Done"])],
    )

    document = post(body()).json()

    assert series(document, "jiraIssue.completedCount") == [("2024-01-08", 2), ("2024-01-15", 0)]
    assert series(document, "jiraIssue.leadTime") == [("2024-01-08", 6), ("2024-01-15", None)]
    lead = next(item for item in document["data"] if item["measure"] == "jiraIssue.leadTime")
    assert lead["sampleSize"] == 1


def test_help_desk_tickets_are_not_issues(post, organization, project, workflow):
    desk = ProjectFactory(organization=organization, key="HELP", kind="helpdesk")
    ticket_with_history(project=desk, created=T0, initial=standard_workflow(desk)["To Do"])
    ticket_with_history(project=project, created=T0, history=[])

    assert series(post(body()).json(), "jiraIssue.count") == [("2024-01-08", 1), ("2024-01-15", 0)]


@pytest.fixture
def people(organization, project, workflow):
    """Ada (Platform > Core) has 2 issues (epic AUTH, bugs), Grace (Platform) 1 (epic AUTH), hidden
    Hal 1, nobody 1 (no epic)."""
    platform = TeamFactory(organization=organization, name="Platform")
    core = TeamFactory(organization=organization, name="Core", parent=platform)
    ada = PersonFactory(organization=organization, name="Ada Lovelace", teams=[core])
    grace = PersonFactory(organization=organization, name="Grace Hopper", teams=[platform])
    hal = PersonFactory(organization=organization, name="Hal", hidden_from_reports=True, teams=[core])
    for person, epic, work_type in [(ada, "AUTH", "bug"), (ada, "", "bug"), (grace, "AUTH", "story"),
                                    (hal, "AUTH", "story"), (None, "", "story")]:  # fmt: skip
        history = [(T0 + timedelta(minutes=1), ASSIGNEE, person)] if person else []
        ticket_with_history(project=project, created=T0, history=history, epic=epic, work_type=work_type)
    return {"platform": platform, "core": core, "ada": ada, "grace": grace, "hal": hal}


def _grouped(document: dict, measure: str = "jiraIssue.count") -> dict:
    result = {}
    for entry in document["data"]:
        values = next(item for item in entry["values"] if item["measure"] == measure)
        result[entry["key"]] = (entry["name"], [point["value"] for point in values["series"]])
    return result


def test_group_by_assignee_names_people_and_puts_hidden_and_unassigned_under_none(post, people):
    document = post(body(groupBy="assignee")).json()

    ada, grace = people["ada"], people["grace"]
    assert _grouped(document) == {
        str(ada.id): ("Ada Lovelace", [2, 0]),
        str(grace.id): ("Grace Hopper", [1, 0]),
        "none": ("None", [2, 0]),
    }
    assert [entry["key"] for entry in document["data"]] == [str(ada.id), str(grace.id), "none"]
    assert [entry["key"] for entry in document["averages"]] == [str(ada.id), str(grace.id), "none"]
    assert document["averages"][0]["values"] == {
        "jiraIssue": {"count": 1, "completedCount": 0, "cycleTime": None, "leadTime": None, "completedStoryPoints": 0}
    }
    assert post(body(groupBy="author")).json()["data"] == document["data"]  # an issue's author is its assignee


def test_group_by_epic_work_type_and_project(post, people, project):
    assert _grouped(post(body(groupBy="epic")).json()) == {"AUTH": ("AUTH", [3, 0]), "none": ("None", [2, 0])}
    assert _grouped(post(body(groupBy="work_type")).json()) == {"bug": ("bug", [2, 0]), "story": ("story", [3, 0])}
    assert _grouped(post(body(groupBy="project")).json()) == {str(project.id): ("Core", [5, 0])}


def test_group_by_team_puts_people_under_each_of_their_teams(api_client, post, people):
    platform, core = people["platform"], people["core"]

    everyone = _grouped(post(body(groupBy="team")).json())
    in_platform = _grouped(api_client.post(team_url(platform.id), body(groupBy="team"), format="json").json())

    teams = {str(platform.id): ("Platform", [1, 0]), str(core.id): ("Core", [2, 0])}
    assert everyone == {**teams, "none": ("None", [2, 0])}
    assert in_platform == teams


def test_the_team_route_confines_issues_to_the_team_and_nested_teams(api_client, people):
    def count(team):
        document = api_client.post(team_url(team.id), body(), format="json").json()
        return series(document, "jiraIssue.count")[0][1]

    assert count(people["platform"]) == 3  # Ada (nested Core) and Grace; hidden Hal left out
    assert count(people["core"]) == 2


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"field": "epic", "operator": "in", "values": ["AUTH"]}], 3),
        ([{"field": "epic", "operator": "not_in", "values": ["AUTH"]}], 2),
        ([{"field": "epic", "operator": "equals", "values": [""]}], 2),
        ([{"field": "work_type", "operator": "not_equals", "values": ["bug"]}], 3),
        ([{"field": "work_type", "operator": "contains", "values": ["BU", "nothing"]}], 2),
        ([{"field": "assignee", "operator": "contains", "values": ["lovelace"]}], 2),
        ([{"field": "project", "operator": "contains", "values": ["cor"]}], 5),
        ([{"field": "priority", "operator": "in", "values": ["Medium"]}], 5),
        (
            [
                {"field": "epic", "operator": "in", "values": ["AUTH"]},
                {"field": "work_type", "operator": "in", "values": ["bug"]},
            ],
            1,
        ),
    ],
)
def test_filters(post, people, filters, expected):
    response = post(body(filters=filters))

    assert response.status_code == 200, response.content
    assert series(response.json(), "jiraIssue.count")[0][1] == expected


def test_filters_on_people_and_teams_by_id(post, people):
    ada, grace, core, platform = people["ada"], people["grace"], people["core"], people["platform"]

    def count(filters):
        return series(post(body(filters=filters)).json(), "jiraIssue.count")[0][1]

    assert count([{"field": "assignee", "operator": "in", "values": [ada.id, str(grace.id)]}]) == 3
    assert count([{"field": "assignee", "operator": "not_in", "values": [ada.id]}]) == 3  # unassigned included
    assert count([{"field": "team", "operator": "equals", "values": [platform.id]}]) == 3
    assert count([{"field": "team", "operator": "in", "values": [core.id]}]) == 2
    assert count([{"field": "team", "operator": "not_in", "values": [core.id]}]) == 3
    assert count([{"field": "team", "operator": "contains", "values": ["plat"]}]) == 3
    assert count([{"field": "team", "operator": "in", "values": [987654]}]) == 0  # unknown ids match nothing
