"""The Flow ticket metrics routes, on a hand-built organization whose numbers are worked out below.

Range [Jun 3, Jun 10) and the period [May 27, Jun 3), 2024, UTC. Hours are after Jun 1 10:00.
  CORE-1  active 24 → done 72 (Jun 4): cycle 48 h, 5 points, 3 comments, 2 edits, 1 reassignment
          while active with weights 2/1/1 → jitter 225; 2 transitions.
  CORE-2  active 24 → review 30 → back to progress 36 (a backflow) → blocked 40 → progress 44 →
          done 96 (Jun 5): cycle 72 h, queue 4 h, no points; 6 transitions, 1 backflow.
  CORE-3  done at 48 (Jun 3) but reopened at 60: not completed.
  CORE-4  canceled at 50: never completed.
  CORE-5  progress 24 → Triage (unmapped) 26 → review 28 → done 120 (Jun 6): cycle 96 h, 2 points;
          the moves through Triage are ignored: 2 transitions.
  CORE-6  active 1 → done 13 (Jun 1): in the period only; cycle 12 h, 8 points, 2 transitions.
Range: completed 3, velocity 7, cycle median 72 / mean 72 / p85 88.8, backflow 1/10, queue median 0,
jitter 225. Period: 1, 8, 12 h, 0/2, 0, 0.
"""

import pytest
from django.db import connection

from common.dateranges import parse_date_range
from metrics.selectors.retrospective import duration_percentiles_python, duration_percentiles_sql
from tests.conftest import require_service
from tests.support.factories import OrganizationFactory, PersonFactory, ProjectFactory, TeamFactory, standard_workflow
from tests.support.history import ticket_with_history
from tests.support.queries import query_count
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
METRICS = "/ticket-delivery/metrics"
BACKFLOW = "/ticket-delivery/metrics/backflow-sources"
JITTER = "/ticket-delivery/metrics/jitter-sources"
QUEUE = "/ticket-delivery/metrics/queuetime-sources"
RANGE = '["2024-06-03T00:00:00Z","2024-06-10T00:00:00Z"]'
PERIODS = '[["2024-05-27T00:00:00Z","2024-06-03T00:00:00Z"]]'
STATUS, ASSIGNEE = TicketEvent.Kind.STATUS, TicketEvent.Kind.ASSIGNEE
COMMENT, EDIT = TicketEvent.Kind.COMMENT, TicketEvent.Kind.DESCRIPTION_EDIT


@pytest.fixture
def retro(organization, project, workflow):
    project.comment_weight, project.description_edit_weight, project.assignee_change_weight = 2, 1, 1
    project.save()
    team = TeamFactory(organization=organization, name="Delivery")
    ada = PersonFactory(organization=organization, name="Ada", teams=[team])
    grace = PersonFactory(organization=organization, name="Grace")
    w = workflow
    progress, review, blocked, done = w["In Progress"], w["In Review"], w["Blocked"], w["Done"]
    histories = {
        "CORE-1": ([(0, ASSIGNEE, ada), (24, STATUS, progress), (25, COMMENT, None), (26, COMMENT, None),
                    (27, COMMENT, None), (28, EDIT, None), (29, EDIT, None), (30, ASSIGNEE, grace),
                    (72, STATUS, done)], {"story_points": 5}),
        "CORE-2": ([(24, STATUS, progress), (30, STATUS, review), (36, STATUS, progress), (40, STATUS, blocked),
                    (44, STATUS, progress), (96, STATUS, done)], {}),
        "CORE-3": ([(24, STATUS, progress), (48, STATUS, done), (60, STATUS, progress)], {"story_points": 13}),
        "CORE-4": ([(24, STATUS, progress), (50, STATUS, w["Won't Do"])], {"story_points": 13}),
        "CORE-5": ([(24, STATUS, progress), (26, STATUS, w["Triage"]), (28, STATUS, review), (120, STATUS, done)],
                   {"story_points": 2, "work_type": "bug"}),
        "CORE-6": ([(1, STATUS, progress), (13, STATUS, done)], {"story_points": 8}),
    }  # fmt: skip
    tickets = {
        key: ticket_with_history(project=project, key=key, history=history, **fields)
        for key, (history, fields) in histories.items()
    }
    return {"team": team, "ada": ada, "grace": grace, "tickets": tickets}


def get(client, url, **params):
    response = client.get(url, {"date_range": RANGE, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_metrics_for_the_range_and_the_period_with_trends(api_client, retro):
    body = get(api_client, METRICS, periods=PERIODS)
    assert body["date_range"] == ["2024-06-03T00:00:00+00:00", "2024-06-10T00:00:00+00:00"]
    assert body["tickets_completed"] == {"value": 3, "sample_size": 3, "trend": 2.0}
    assert body["velocity"] == {"value": 7.0, "sample_size": 3, "trend": -0.125}
    assert body["cycle_time"] == {
        "value": 72.0, "sample_size": 3, "trend": 5.0, "unit": "hours", "median": 72.0, "mean": 72.0, "p85": 88.8,
    }  # fmt: skip
    assert body["backflow_rate"] == {"value": 0.1, "sample_size": 3, "trend": None, "backflows": 1, "transitions": 10}
    assert body["queue_time"] == {"value": 0.0, "sample_size": 3, "trend": None, "unit": "hours"}
    assert body["jitter"] == {"value": 225.0, "sample_size": 3, "trend": None}
    [period] = body["periods"]
    assert period["date_range"] == ["2024-05-27T00:00:00+00:00", "2024-06-03T00:00:00+00:00"]
    assert period["tickets_completed"] == {"value": 1, "sample_size": 1, "trend": None}
    assert period["velocity"]["value"] == 8.0
    assert period["cycle_time"]["median"] == 12.0
    assert (period["backflow_rate"]["value"], period["backflow_rate"]["transitions"]) == (0.0, 2)


def test_reopened_and_canceled_tickets_are_not_completed(api_client, retro):
    body = get(api_client, METRICS, date_range='["2024-06-03T00:00:00Z","2024-06-03T12:00:00Z"]')
    assert body["tickets_completed"]["value"] == 0  # CORE-3 reached done at 10:00 on Jun 3, then reopened
    assert Ticket.objects.get(key="CORE-4").state == "canceled"
    assert (
        get(api_client, METRICS, date_range='["2024-01-01T00:00:00Z","2025-01-01T00:00:00Z"]')["tickets_completed"][
            "value"
        ]
        == 4
    )  # CORE-1, 2, 5, 6; never 3 or 4


def test_no_tickets_gives_zeros_and_nulls(api_client, retro):
    body = get(api_client, METRICS, date_range='["2020-01-01T00:00:00Z","2020-02-01T00:00:00Z"]')
    assert body["tickets_completed"] == {"value": 0, "sample_size": 0, "trend": None}
    assert body["cycle_time"]["value"] is None and body["cycle_time"]["sample_size"] == 0
    assert body["backflow_rate"]["value"] is None
    assert body["queue_time"]["value"] is None
    assert body["periods"] == []


def test_filters_scope_the_metrics(api_client, retro, organization):
    assert get(api_client, METRICS, apex_user_id=retro["ada"].id)["tickets_completed"]["value"] == 1
    assert get(api_client, METRICS, apex_user_id=retro["grace"].id)["jitter"]["value"] == 225.0
    assert get(api_client, METRICS, team_id=retro["team"].id)["velocity"]["value"] == 5.0
    assert get(api_client, METRICS, work_type="bug")["cycle_time"]["median"] == 96.0
    other = ProjectFactory(organization=organization, key="OPS")
    standard_workflow(other)
    project_ids = f"{retro['tickets']['CORE-1'].project_id},{other.id}"
    assert get(api_client, METRICS, project_ids=project_ids)["tickets_completed"]["value"] == 3
    assert get(api_client, METRICS, project_ids=str(other.id))["tickets_completed"]["value"] == 0
    grace_now = get(api_client, METRICS, apex_user_id=retro["ada"].id, current_assignee="true")
    assert grace_now["tickets_completed"]["value"] == 0  # Grace holds CORE-1 now


def test_seed_example_date_range_and_periods_answer_200(api_client, retro):
    response = api_client.get(
        METRICS,
        {
            "date_range": '["2024-06-24T09:00:00-6:00","2024-07-24T09:00:00-6:00"]',
            "periods": '[["2024-05-24T09:00:00-6:00","2024-06-24T09:00:00-6:00"],'
            "[“2024-04-24T09:00:00-6:00”,”2024-05-24T09:00:00-6:00”]]",
            "team_id": retro["team"].id,
            "include_nested_teams": "true",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [p["date_range"][0] for p in body["periods"]] == ["2024-05-24T09:00:00-06:00", "2024-04-24T09:00:00-06:00"]


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({}, {"date_range": ["This field is required."]}),
        ({"date_range": '["2024-06-10T00:00:00Z","2024-06-03T00:00:00Z"]'}, {"date_range": [
            "date_range ends before it starts"]}),
        ({"date_range": "[2024-06-03"}, {"date_range": [
            'Enter a JSON list such as ["2024-06-24T09:00:00-06:00","2024-07-24T09:00:00-06:00"]']}),
        ({"date_range": RANGE, "periods": '[["2024-05-20T00:00:00Z","2024-06-03T00:00:00Z"]]'}, {"periods": [
            "period 1 is not as long as date_range (14 days, 0:00:00 vs 7 days, 0:00:00)"]}),
        ({"date_range": RANGE, "periods": '[["2024-06-10T00:00:00Z","2024-06-17T00:00:00Z"]]'}, {"periods": [
            "period 1 does not start before date_range"]}),
        ({"date_range": RANGE, "periods": '["2024-05-27T00:00:00Z"]'}, {"periods": [
            "period 1 must be a list of two date-times: [start, end]"]}),
        ({"date_range": RANGE, "project_ids": "1,a"}, {"project_ids": [
            "Enter a comma-separated list of whole numbers."]}),
    ],
)  # fmt: skip
@pytest.mark.parametrize("url", [METRICS, BACKFLOW, JITTER, QUEUE])
def test_bad_parameters_are_400_in_flow_shape(api_client, retro, url, params, errors):
    response = api_client.get(url, params)
    assert response.status_code == 400
    assert response.json() == errors


def test_every_bad_parameter_is_reported_together(api_client, retro):
    response = api_client.get(METRICS, {"periods": "[", "include_nested_teams": "yes", "team_id": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"date_range", "periods", "include_nested_teams", "team_id"}


def test_unknown_project_is_404(api_client, retro):
    foreign = ProjectFactory(organization=OrganizationFactory())
    response = api_client.get(METRICS, {"date_range": RANGE, "project_ids": str(foreign.id)})
    assert response.status_code == 404
    assert list(response.json()) == ["project_ids"]


def test_backflow_sources(api_client, retro):
    body = get(api_client, BACKFLOW, periods=PERIODS)
    core2 = retro["tickets"]["CORE-2"]
    assert body["total_backflows"] == 1
    assert body["sources"] == [
        {
            "from_status": {"id": 5, "name": "In Review"},
            "to_status": {"id": 3, "name": "In Progress"},
            "backflows": 1,
            "share": 1.0,
            "tickets": [{"id": core2.id, "key": "CORE-2", "title": core2.title}],
        }
    ]
    assert body["periods"] == [
        {"date_range": ["2024-05-27T00:00:00+00:00", "2024-06-03T00:00:00+00:00"], "total_backflows": 0, "sources": []}
    ]


def test_jitter_sources_reproduce_the_documented_225(api_client, retro):
    body = get(api_client, JITTER)
    core1 = retro["tickets"]["CORE-1"]
    tickets = [{"id": core1.id, "key": "CORE-1", "title": core1.title}]
    assert body["total_jitter"] == 225.0
    assert body["sources"] == [
        {"source": "comment", "incidents": 3, "jitter": 150.0, "share": 0.6667, "tickets": tickets},
        {"source": "description_edit", "incidents": 2, "jitter": 50.0, "share": 0.2222, "tickets": tickets},
        {"source": "assignee_change", "incidents": 1, "jitter": 25.0, "share": 0.1111, "tickets": tickets},
    ]


def test_queue_time_sources(api_client, retro):
    body = get(api_client, QUEUE)
    core2 = retro["tickets"]["CORE-2"]
    assert body["total_queue_time"] == 4.0
    assert body["sources"] == [
        {
            "status": {"id": 4, "name": "Blocked"},
            "incidents": 1,
            "median_queue_time": 4.0,
            "total_queue_time": 4.0,
            "share": 1.0,
            "tickets": [{"id": core2.id, "key": "CORE-2", "title": core2.title}],
        }
    ]


@pytest.mark.parametrize("url", [METRICS, BACKFLOW, JITTER, QUEUE])
def test_query_count_grows_neither_with_tickets_nor_with_periods(api_client, retro, project, workflow, url):
    params = {"date_range": RANGE, "team_id": retro["team"].id, "include_nested_teams": "true"}
    api_client.get(url, params)  # warm-up: records the key's last use
    few = query_count(lambda: api_client.get(url, params))
    for i in range(20):
        history = [(0, ASSIGNEE, retro["ada"]), (24, STATUS, workflow["In Progress"]),
                   (30, STATUS, workflow["Blocked"]), (31, STATUS, workflow["In Review"]),
                   (32, STATUS, workflow["In Progress"]), (70 + i, STATUS, workflow["Done"])]  # fmt: skip
        ticket_with_history(project=project, key=f"MORE-{i}", history=history)
    many = query_count(lambda: api_client.get(url, params))
    periods = ",".join(f'["2024-05-{d:02d}T00:00:00Z","2024-05-{d + 7:02d}T00:00:00Z"]' for d in range(1, 21))
    many_periods = query_count(lambda: api_client.get(url, {**params, "periods": f"[{periods}]"}))
    assert few == many == many_periods


@pytest.mark.postgres
def test_postgres_percentiles_equal_the_python_fallback(retro, organization):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    tickets = Ticket.objects.filter(organization=organization)
    ranges = [parse_date_range(RANGE), parse_date_range('["2024-05-27T00:00:00Z","2024-06-03T00:00:00Z"]'),
              parse_date_range('["2024-01-01T00:00:00Z","2025-01-01T00:00:00Z"]')]  # fmt: skip
    assert duration_percentiles_sql(tickets=tickets, ranges=ranges) == duration_percentiles_python(
        tickets=tickets, ranges=ranges
    )
