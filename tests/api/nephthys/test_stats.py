"""`/api/stats_v2`: the document's exact shape, the numbers of docs/nephthys-stats.md, the `project` parameter,
organization isolation, and the database aggregates agreeing with the plain definitions."""

import random
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from formulas.helpdesk import (
    WINDOWS,
    HelpdeskTicket,
    nephthys_status,
    overall_stats,
    rolling_windows,
    window_stats,
)
from tests.support.factories import (
    ApiKeyFactory,
    OrganizationFactory,
    ProjectFactory,
    TicketFactory,
    bearer_client,
    standard_workflow,
)
from tests.support.helpdesk import COMMENT, NOW, STATUS, Desk, ago
from tests.support.queries import query_count
from tickets.models import Helper, Ticket

pytestmark = pytest.mark.django_db
URL = "/api/stats_v2"
OVERALL_KEYS = [
    "tickets_total", "tickets_open", "tickets_closed", "tickets_in_progress", "helpers_leaderboard",
    "mean_hang_time_minutes_unresolved", "mean_hang_time_minutes_all", "mean_resolution_time_minutes",
    "oldest_unanswered_ticket",
]  # fmt: skip
WINDOW_KEYS = [
    "new_tickets_total", "new_tickets_now_closed", "new_tickets_still_open", "new_tickets_in_progress",
    "closed_today", "closed_today_from_today", "assigned_today_in_progress", "helpers_leaderboard",
    "mean_hang_time_minutes_unresolved", "mean_hang_time_minutes_all", "mean_resolution_time_minutes",
]  # fmt: skip


@pytest.fixture
def desk(organization):
    return Desk(organization)


@pytest.fixture
def story(desk, now):
    """Seven tickets around NOW (see each comment); H1 and H2 are helpers, X was one (so its answer
    counts as a helper response) but no longer is (so it is on no leaderboard)."""
    h1, h2, x = desk.helper("H1", "U1"), desk.helper("H2", "U2"), desk.helper("X", "UX")
    requestor = desk.helper("R")
    Helper.objects.filter(person=requestor).delete()
    t = desk.ticket
    tickets = {
        # Answered by H1 after an hour, in progress.
        "A": t(created=ago(hours=2), reporter=requestor,
               history=[(ago(hours=1), COMMENT, "hi", h1), (ago(hours=1), STATUS, "In Progress", h1)]),
        # Nobody answered yet.
        "B": t(created=ago(hours=3), reporter=requestor),
        # Created yesterday (previous 24 h), answered after an hour, closed by H1 in the last 24 h.
        "C": t(created=ago(hours=30),
               history=[(ago(hours=29), COMMENT, "hi", h1), (ago(hours=20), STATUS, "Resolved", h1)]),
        # Three days ago: answered after 30 min by H2, closed 2 h after creation.
        "D": t(created=ago(days=3), history=[(ago(days=3) + timedelta(minutes=30), COMMENT, "hi", h2),
                                             (ago(days=3) + timedelta(hours=2), STATUS, "Resolved", h2)]),
        # Ten days ago, answered after an hour and closed by X (a helper then, not now).
        "E": t(created=ago(days=10),
               history=[(ago(days=9, hours=23), COMMENT, "hi", x), (ago(days=9), STATUS, "Closed", x)]),
        # Answered, closed, then reopened by the requestor who wrote again: open, waiting for a helper.
        "F": t(created=ago(hours=5), reporter=requestor,
               history=[(ago(hours=4), COMMENT, "hi", h2), (ago(hours=3), STATUS, "Resolved", h2),
                        (ago(hours=2), STATUS, "Open", requestor),
                        (ago(hours=1), COMMENT, "still broken", requestor)]),
        # Spam: canceled by H1 after 30 min, never answered.
        "G": t(created=ago(hours=1), history=[(ago(minutes=30), STATUS, "Cancelled", h1)]),
    }  # fmt: skip
    Helper.objects.filter(person=x).delete()
    return {"tickets": tickets, "h1": h1, "h2": h2}


def test_stats_v2_has_the_documented_shape_and_numbers(api_client, story):
    response = api_client.get(URL)
    assert response.status_code == 200, response.content
    stats = response.json()
    assert list(stats) == ["all_time", "past_24h", "past_24h_previous", "past_7d", "past_7d_previous"]
    assert list(stats["all_time"]) == OVERALL_KEYS
    for window in WINDOWS:
        assert list(stats[window]) == WINDOW_KEYS
    h1, h2 = story["h1"], story["h2"]
    board = [{"id": h1.id, "slack_id": "U1", "count": 2}, {"id": h2.id, "slack_id": "U2", "count": 1}]
    f = story["tickets"]["F"]
    assert stats["all_time"] == {
        "tickets_total": 7, "tickets_open": 2, "tickets_closed": 4, "tickets_in_progress": 1,
        "helpers_leaderboard": board,
        "mean_hang_time_minutes_unresolved": 60.0, "mean_hang_time_minutes_all": 54.0,
        "mean_resolution_time_minutes": 547.5,
        "oldest_unanswered_ticket": {
            "id": f.id, "created_at": "2024-06-10T07:00:00Z", "age_minutes": 300.0,
            "link": f"http://testserver/admin/tickets/ticket/{f.id}/change/",
        },
    }  # fmt: skip
    assert stats["past_24h"] == {
        "new_tickets_total": 4, "new_tickets_now_closed": 1, "new_tickets_still_open": 2,
        "new_tickets_in_progress": 1, "closed_today": 2, "closed_today_from_today": 1,
        "assigned_today_in_progress": 1, "helpers_leaderboard": [{"id": h1.id, "slack_id": "U1", "count": 2}],
        "mean_hang_time_minutes_unresolved": 60.0, "mean_hang_time_minutes_all": 60.0,
        "mean_resolution_time_minutes": 30.0,
    }  # fmt: skip
    assert stats["past_24h_previous"] == {
        "new_tickets_total": 1, "new_tickets_now_closed": 1, "new_tickets_still_open": 0,
        "new_tickets_in_progress": 0, "closed_today": 0, "closed_today_from_today": 0,
        "assigned_today_in_progress": 0, "helpers_leaderboard": [],
        "mean_hang_time_minutes_unresolved": None, "mean_hang_time_minutes_all": 60.0,
        "mean_resolution_time_minutes": 600.0,
    }  # fmt: skip
    assert stats["past_7d"] == {
        "new_tickets_total": 6, "new_tickets_now_closed": 3, "new_tickets_still_open": 2,
        "new_tickets_in_progress": 1, "closed_today": 3, "closed_today_from_today": 3,
        "assigned_today_in_progress": 1, "helpers_leaderboard": board,
        "mean_hang_time_minutes_unresolved": 60.0, "mean_hang_time_minutes_all": 52.5,
        "mean_resolution_time_minutes": 250.0,
    }  # fmt: skip
    assert stats["past_7d_previous"] == {
        "new_tickets_total": 1, "new_tickets_now_closed": 1, "new_tickets_still_open": 0,
        "new_tickets_in_progress": 0, "closed_today": 1, "closed_today_from_today": 1,
        "assigned_today_in_progress": 0, "helpers_leaderboard": [],
        "mean_hang_time_minutes_unresolved": None, "mean_hang_time_minutes_all": 60.0,
        "mean_resolution_time_minutes": 1440.0,
    }  # fmt: skip


def test_empty_help_desk_gives_zeros_and_nulls(api_client, desk, now):
    stats = api_client.get(URL).json()
    assert stats["all_time"]["tickets_total"] == 0
    assert stats["all_time"]["mean_hang_time_minutes_all"] is None
    assert stats["all_time"]["oldest_unanswered_ticket"] is None
    assert stats["past_7d"]["helpers_leaderboard"] == []


def test_project_picks_one_help_desk_and_only_help_desks_count(api_client, organization, story, now):
    other = Desk(organization, key="HR")
    other.ticket(created=ago(hours=1))
    delivery = ProjectFactory(organization=organization, key="CORE")
    TicketFactory(project=delivery, status=standard_workflow(delivery)["To Do"], created_at=ago(hours=1))
    assert api_client.get(URL).json()["all_time"]["tickets_total"] == 8  # both help desks, not the delivery project
    first = story["tickets"]["A"].project_id
    assert api_client.get(URL, {"project": first}).json()["all_time"]["tickets_total"] == 7
    assert api_client.get(URL, {"project": other.project.id}).json()["all_time"]["tickets_total"] == 1


@pytest.mark.parametrize("value", ["abc", "1.5", "99999999999999999999999"])
def test_a_bad_project_is_400(api_client, desk, value):
    response = api_client.get(URL, {"project": value})
    assert response.status_code == 400
    assert "project" in response.json()["error"]


def test_unknown_delivery_or_foreign_projects_are_404(api_client, organization, desk):
    delivery = ProjectFactory(organization=organization, key="CORE")
    foreign = Desk(OrganizationFactory(), key="HD")
    for project_id in (delivery.id, foreign.project.id, 999999):
        response = api_client.get(URL, {"project": project_id})
        assert response.status_code == 404
        assert response.json() == {"error": f"No help desk with id {project_id} in this organization"}


def test_other_organizations_never_count(api_client, story, now):
    foreign = Desk(OrganizationFactory(), key="HD")
    helper = foreign.helper("Z")
    foreign.ticket(created=ago(hours=1), history=[(ago(minutes=30), STATUS, "Resolved", helper)])
    assert api_client.get(URL).json()["all_time"]["tickets_total"] == 7


def test_keys_and_permissions(organization, desk):
    assert APIClient().get(URL).status_code == 401
    assert APIClient().get(URL).json() == {"error": "Authentication credentials were not provided."}
    no_role = ApiKeyFactory(user__organization=organization, user__roles=[])
    client = bearer_client(no_role.plaintext)
    assert client.get(URL).status_code == 403


def test_query_count_is_constant(api_client, desk, now):
    helper = desk.helper("H")

    def add(count):
        for index in range(count):
            desk.ticket(created=ago(hours=index + 1), history=[
                (ago(hours=index), COMMENT, "hi", helper), (ago(minutes=30 + index), STATUS, "Resolved", helper),
            ])  # fmt: skip

    def queries():
        return query_count(lambda: api_client.get(URL))

    add(2)
    queries()  # the key's first use of the minute records it (one more query)
    few = queries()
    add(20)
    assert queries() == few


def _reference(tickets: list[Ticket]) -> dict:
    helpers = set(Helper.objects.values_list("project_id", "person_id"))
    rows = [
        HelpdeskTicket(
            created_at=t.created_at, status=nephthys_status(t.state),
            first_helper_response_at=t.first_helper_response_at, closed_at=t.closed_at, closed_by_id=t.closed_by_id,
            closed_by_is_helper=(t.project_id, t.closed_by_id) in helpers,
        )
        for t in tickets
    ]  # fmt: skip

    def rounded(values: dict) -> dict:
        out = {}
        for key, value in values.items():
            if key == "helpers_leaderboard":
                out[key] = [[person_id, count] for person_id, count in value]
            else:
                out[key] = round(value, 2) if isinstance(value, float) else value
        return out

    windows = rolling_windows(NOW)
    return {
        "all_time": rounded(overall_stats(rows)),
        **{n: rounded(window_stats(rows, w)) for n, w in windows.items()},
    }


def test_database_aggregates_agree_with_the_plain_definitions(api_client, desk, now):
    rng = random.Random(5)
    helpers = [desk.helper(f"H{i}", f"U{i}") for i in range(3)]
    outsider = desk.helper("Outsider")
    Helper.objects.filter(person=outsider).delete()
    statuses = ["In Progress", "Waiting on Requester", "Resolved", "Closed", "Cancelled", "Open"]
    for _ in range(60):
        created = ago(minutes=rng.randrange(0, 20 * 24 * 60))
        moment, history = created, []
        for _step in range(rng.randrange(0, 6)):
            moment = min(moment + timedelta(minutes=rng.randrange(1, 3000)), NOW - timedelta(seconds=1))
            actor = rng.choice([*helpers, outsider])
            if rng.random() < 0.5:
                history.append((moment, COMMENT, "x", actor))
            else:
                history.append((moment, STATUS, rng.choice(statuses), actor))
        desk.ticket(created=created, history=history)
    stats = api_client.get(URL).json()
    for name, values in stats.items():
        if name == "all_time":
            values = {k: v for k, v in values.items() if k != "oldest_unanswered_ticket"}
        values["helpers_leaderboard"] = [[e["id"], e["count"]] for e in values["helpers_leaderboard"]]
        stats[name] = values
    reference = _reference(list(Ticket.objects.all()))
    assert stats.keys() == reference.keys()
    for name, values in stats.items():
        assert values.keys() == reference[name].keys()
        for key, value in values.items():
            expected = reference[name][key]
            if isinstance(expected, float):  # both rounded to 2 decimals, from slightly different floats
                assert value == pytest.approx(expected, abs=0.011), (name, key)
            else:
                assert value == expected, (name, key)
