"""`/api/tickets` and `/api/ticket?id=`: Nephthys ticket objects, filters, the too-broad guard,
the limit cap, errors, organization isolation and constant query counts."""

import pytest

from tests.support.factories import (
    OrganizationFactory,
    ProjectFactory,
    TagFactory,
    TicketFactory,
    TicketTagFactory,
    standard_workflow,
)
from tests.support.helpdesk import COMMENT, STATUS, Desk, ago
from tests.support.queries import query_count

pytestmark = pytest.mark.django_db
LIST, ONE = "/api/tickets", "/api/ticket"


@pytest.fixture
def desk(organization):
    return Desk(organization)


@pytest.fixture
def tickets(desk, now):
    helper = desk.helper("Helper", "U123")
    requestor = desk.helper("Requestor", "U999")
    requestor.helper_of.all().delete()
    open_ticket = desk.ticket(created=ago(days=3), reporter=requestor, title="Printer", description="It is offline",
                              labels=["hardware"])  # fmt: skip
    in_progress = desk.ticket(
        created=ago(days=2), reporter=requestor,
        history=[(ago(days=2), COMMENT, "hi", helper), (ago(days=2), STATUS, "In Progress", helper)],
    )  # fmt: skip
    closed = desk.ticket(
        created=ago(days=1), reporter=requestor,
        history=[(ago(hours=20), STATUS, "Resolved", helper), (ago(hours=10), STATUS, "Open", requestor),
                 (ago(hours=5), STATUS, "Resolved", helper)],
    )  # fmt: skip
    tag = TagFactory(category__project=desk.project, category__text="Team", text="it-ops")
    TicketTagFactory(ticket=open_ticket, tag=tag)
    return {
        "open": open_ticket,
        "in_progress": in_progress,
        "closed": closed,
        "helper": helper,
        "requestor": requestor,
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [ticket["id"] for ticket in response.json()]


def test_ticket_objects_have_the_documented_fields(api_client, tickets):
    response = api_client.get(ONE, {"id": tickets["closed"].id})
    assert response.status_code == 200
    helper, requestor = tickets["helper"], tickets["requestor"]
    assert response.json() == {
        "id": tickets["closed"].id, "title": tickets["closed"].title, "description": "", "status": "closed",
        "opened_by": {"id": requestor.id, "slack_id": "U999", "username": "Requestor"},
        "closed_by": {"id": helper.id, "slack_id": "U123", "username": "Helper"},
        "assigned_to": None,
        "reopened_by": {"id": requestor.id, "slack_id": "U999", "username": "Requestor"},
        "tags": [], "created_at": "2024-06-09T12:00:00Z", "closed_at": "2024-06-10T07:00:00Z",
        "message_ts": "1717934400.000000",
    }  # fmt: skip
    printer = api_client.get(ONE, {"id": tickets["open"].id}).json()
    assert (printer["status"], printer["description"], printer["tags"]) == (
        "open",
        "It is offline",
        ["it-ops", "hardware"],
    )


def test_list_is_a_bare_array_oldest_first_with_filters(api_client, tickets):
    everything = [tickets[name].id for name in ("open", "in_progress", "closed")]
    response = api_client.get(LIST, {"since": "2024-01-01"})
    assert ids(response) == everything
    assert response["X-Total-Count"] == "3"
    assert ids(api_client.get(LIST, {"status": "open"})) == [tickets["open"].id]
    assert ids(api_client.get(LIST, {"status": "IN_PROGRESS"})) == [tickets["in_progress"].id]
    assert ids(api_client.get(LIST, {"status": "closed", "after": "2024-06-01"})) == [tickets["closed"].id]
    # since / until are inclusive; after / before are their synonyms.
    assert ids(api_client.get(LIST, {"since": "2024-06-08T12:00:00Z"})) == everything[1:]
    assert ids(api_client.get(LIST, {"until": "2024-06-08T12:00:00+00:00"})) == everything[:2]
    assert ids(api_client.get(LIST, {"after": "2024-06-08", "before": "2024-06-09"})) == [tickets["in_progress"].id]
    assert ids(api_client.get(f"{LIST}/", {"status": "open", "headers": "x"})) == [tickets["open"].id]


def test_limit_is_capped_and_the_total_is_told(api_client, tickets):
    response = api_client.get(LIST, {"since": "2024-01-01", "limit": 2})
    assert len(ids(response)) == 2 and response["X-Total-Count"] == "3"
    assert len(ids(api_client.get(LIST, {"since": "2024-01-01", "limit": 10**9}))) == 3


@pytest.mark.parametrize("params", [{}, {"status": "closed"}, {"status": ""}, {"limit": "5"}])
def test_too_broad_requests_are_400_as_nephthys_answers(api_client, tickets, params):
    response = api_client.get(LIST, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Provided filters are too broad"
    assert "status=open" in body["tip"]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"status": "pending"}, ["status"]),
        ({"since": "yesterday"}, ["since"]),
        ({"until": "2024-02-30"}, ["until"]),
        ({"since": "9999-12-31T23:59:59-12:00"}, ["since"]),  # past the last UTC instant: not a 500
        ({"before": "0001-01-01T00:00:00+14:00"}, ["until"]),
        ({"status": "open", "limit": "0"}, ["limit"]),
        ({"status": "open", "limit": "many"}, ["limit"]),
        ({"status": "nope", "since": "nope"}, ["status", "since"]),
    ],
)
def test_bad_values_are_400_naming_them(api_client, tickets, params, named):
    response = api_client.get(LIST, params)
    assert response.status_code == 400
    for name in named:
        assert name in response.json()["error"]


@pytest.mark.parametrize(
    ("params", "status", "error"),
    [({}, 400, "missing_ticket_id"), ({"id": ""}, 400, "missing_ticket_id"), ({"id": "abc"}, 400, "invalid_ticket_id"),
     ({"id": "1.5"}, 400, "invalid_ticket_id"), ({"id": "999999"}, 404, "ticket_not_found")],
)  # fmt: skip
def test_one_ticket_errors(api_client, tickets, params, status, error):
    response = api_client.get(ONE, params)
    assert response.status_code == status
    assert response.json()["error"] == error


def test_only_this_organizations_help_desk_tickets(api_client, organization, tickets):
    delivery = ProjectFactory(organization=organization, key="CORE")
    delivery_ticket = TicketFactory(
        project=delivery, status=standard_workflow(delivery)["To Do"], created_at=ago(days=1)
    )
    foreign = Desk(OrganizationFactory()).ticket(created=ago(days=1))
    for ticket in (delivery_ticket, foreign):
        assert api_client.get(ONE, {"id": ticket.id}).status_code == 404
    assert len(ids(api_client.get(LIST, {"since": "2024-01-01"}))) == 3
    other_desk = Desk(organization, key="HR")
    other_desk.ticket(created=ago(days=1))
    assert len(ids(api_client.get(LIST, {"since": "2024-01-01"}))) == 4
    assert len(ids(api_client.get(LIST, {"since": "2024-01-01", "project": other_desk.project.id}))) == 1


def test_list_query_count_is_constant(api_client, desk, now):
    helper = desk.helper("Helper")

    def add(count):
        for _ in range(count):
            desk.ticket(created=ago(days=1), reporter=helper, history=[(ago(hours=1), STATUS, "Resolved", helper)])

    def queries():
        return query_count(lambda: api_client.get(LIST, {"since": "2024-01-01"}))

    add(2)
    queries()
    few = queries()
    add(25)
    assert queries() == few
