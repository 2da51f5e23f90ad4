"""Ticket reads: the list (filters, order, projection, paging with limit / offset and the
continuation token, time zones), one ticket, activities, the instance and its tags; constant
query counts."""

import pytest

from tests.api.ticketing.conftest import CATEGORY, DATE_FIELD, HELPER, TICKETS, create
from tests.support.queries import query_count
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
ADA = {"id": "aaaaaaaa-0000-4000-8000-000000000001", "name": "Ada", "email": "ada@acme.test"}
BOB = {"id": "bbbbbbbb-0000-4000-8000-000000000002", "name": "Bob", "email": "bob@acme.test"}
CY = {"id": "cccccccc-0000-4000-8000-000000000003", "name": "Cy", "email": "cy@acme.test"}


@pytest.fixture
def five(ticketing, instance, helper, clock, tag_category):
    """Five tickets an hour apart: HD-1 .. HD-5, with distinct titles, priorities, people, dates,
    statuses and tags."""
    specs = [
        {"title": "Printer offline", "priority": "Low", "requestor": BOB, "assignee": HELPER,
         "expectedDate": "2024-06-10", "tags": [{"tagCategoryId": CATEGORY, "text": "vpn"}]},
        {"title": "VPN down", "priority": "Urgent", "requestor": ADA, "description": "cannot reach the vpn"},
        {"title": "Laptop slow", "priority": "Medium", "requestor": CY, "assignee": ADA, "expectedDate": "2024-06-05",
         "status": "Started"},
        {"title": "Access request", "priority": "Important", "requestor": ADA,
         "tags": [{"tagCategoryId": CATEGORY, "text": "access"}]},
        {"title": "Password reset", "priority": "Urgent", "requestor": BOB, "status": "Resolved",
         "resolution": "fixed"},
    ]  # fmt: skip
    ids = []
    for spec in specs:
        response = ticketing.post(TICKETS, {"ticket": spec, "user": spec["requestor"]}, format="json")
        assert response.status_code == 201, response.content
        ids.append(response.json()["item"]["id"])
        clock.advance(hours=1)
    return ids


def numbers(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["ticketId"] for item in response.json()["items"]]


def test_list_is_newest_first_in_the_documented_envelope(ticketing, five):
    response = ticketing.get(TICKETS)
    body = response.json()
    assert set(body) == {"items"}  # no continuationToken on the last page
    assert numbers(response) == [5, 4, 3, 2, 1]
    assert body["items"][0]["status"] == "Resolved"


def test_default_limit_is_10_and_large_limits_are_reduced_to_1000(ticketing, instance, clock):
    for _ in range(12):
        create(ticketing)
    body = ticketing.get(TICKETS).json()
    assert len(body["items"]) == 10 and body["continuationToken"]
    assert len(ticketing.get(TICKETS, {"limit": 5000}).json()["items"]) == 12


def test_limit_and_offset(ticketing, five):
    assert numbers(ticketing.get(TICKETS, {"limit": 2, "offset": 1})) == [4, 3]
    assert numbers(ticketing.get(TICKETS, {"offset": 10})) == []


@pytest.mark.parametrize(
    ("order_by", "ascending"),
    [
        ("ticketId", [1, 2, 3, 4, 5]),
        ("createdDateTime", [1, 2, 3, 4, 5]),
        ("title", [4, 3, 5, 1, 2]),  # Access request, Laptop slow, Password reset, Printer offline, VPN down
        ("priority", [1, 3, 4, 2, 5]),
        ("requestorName", [2, 4, 1, 5, 3]),
        ("requestorEmail", [2, 4, 1, 5, 3]),
        ("assigneeName", [2, 4, 5, 3, 1]),
        ("assigneeEmail", [2, 4, 5, 3, 1]),
        ("expectedDate", [2, 4, 5, 3, 1]),
        ("status", [1, 2, 4, 3, 5]),
        ("lastInteraction", [1, 2, 3, 4, 5]),
        ("lastUpdatedOn", [1, 2, 3, 4, 5]),
    ],
)
def test_order_by_every_documented_field(ticketing, five, order_by, ascending):
    assert numbers(ticketing.get(TICKETS, {"orderBy": order_by})) == ascending
    assert numbers(ticketing.get(TICKETS, {"orderBy": order_by, "order": "ASC"})) == ascending
    assert numbers(ticketing.get(TICKETS, {"orderBy": order_by, "order": "desc"})) == ascending[::-1]


def test_select_projects_fields(ticketing, five):
    response = ticketing.get(TICKETS, {"select": "id,ticketId,title,status,requestorName,assigneeEmail", "limit": 1})
    assert response.json()["items"] == [
        {"id": five[4], "ticketId": 5, "title": "Password reset", "status": "Resolved", "requestorName": "Bob",
         "assigneeEmail": None},
    ]  # fmt: skip


def test_filters(ticketing, five):
    assert numbers(ticketing.get(TICKETS, {"title": "vpn"})) == [2]
    assert numbers(ticketing.get(TICKETS, {"search": "vpn"})) == [2]  # title or description
    assert numbers(ticketing.get(TICKETS, {"search": "ada"})) == [4, 3, 2]  # requestor or assignee
    assert numbers(ticketing.get(TICKETS, {"search": "3"})) == [3]  # the number
    assert numbers(ticketing.get(TICKETS, {"status": "Open"})) == [4, 2, 1]
    assert numbers(ticketing.get(TICKETS, {"status": "Started, Resolved"})) == [5, 3]
    assert numbers(ticketing.get(TICKETS, {"status": " Closed"})) == []
    assert numbers(ticketing.get(TICKETS, {"priority": "Urgent"})) == [5, 2]
    assert numbers(ticketing.get(TICKETS, {"tags": f"{CATEGORY}_vpn"})) == [1]
    assert numbers(ticketing.get(TICKETS, {"tags": f"{CATEGORY}_vpn,{CATEGORY}_access"})) == [4, 1]
    assert numbers(ticketing.get(TICKETS, {"createdAfter": "2024-06-03T11:00:00Z"})) == [5, 4, 3]
    assert numbers(ticketing.get(TICKETS, {"createdBefore": "2024-06-03T11:00:00Z"})) == [2, 1]
    between = {"createdAfter": "2024-06-03T10:00:00", "createdBefore": "2024-06-03T12:00:00"}
    assert numbers(ticketing.get(TICKETS, between)) == [3, 2]
    assert numbers(ticketing.get(TICKETS, {"lastUpdateAfter": "2024-06-03T12:00:00Z"})) == [5, 4]
    assert numbers(ticketing.get(TICKETS, {"lastUpdateBefore": "2024-06-03T10:00:00Z"})) == [1]
    assert numbers(ticketing.get(TICKETS, {"expectedDateBefore": "2024-06-06"})) == [3]
    assert numbers(ticketing.get(TICKETS, {"expectedDateAfter": "2024-06-06"})) == [1]
    # Unknown parameters are ignored.
    assert numbers(ticketing.get(TICKETS, {"headers": "x", "statusId": "3"})) == [5, 4, 3, 2, 1]


def test_timezone_applies_to_rendered_times_and_to_dates_without_offset(ticketing, five):
    item = ticketing.get(f"{TICKETS}/{five[0]}", {"timezone": "7"}).json()["item"]
    assert item["createdOn"] == "2024-06-03T16:00:00+07:00"
    assert item["lastUpdatedOn"] == "2024-06-03T16:00:00+07:00"
    assert item["expectedDate"] == "2024-06-10T07:00:00+07:00"  # a date is midnight in the caller's zone (UTC here)
    listed = ticketing.get(TICKETS, {"timezone": "-5", "limit": 1}).json()["items"][0]
    assert listed["createdOn"] == "2024-06-03T08:00:00-05:00"
    # 2024-06-03T17:00:00 at GMT+7 is 10:00 UTC.
    assert numbers(ticketing.get(TICKETS, {"timezone": "7", "createdBefore": "2024-06-03T17:00:00"})) == [1]
    activity = ticketing.get(f"{TICKETS}/{five[2]}/activities", {"timezone": "2"}).json()["items"][0]
    assert activity["createdDateTime"] == "2024-06-03T13:00:00+02:00"


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"timezone": "abc"}, {"timezone"}),
        ({"timezone": "15"}, {"timezone"}),
        ({"status": "Done"}, {"status"}),
        ({"priority": "High"}, {"priority"}),
        ({"orderBy": "nope"}, {"orderBy"}),
        ({"orderBy": "title,status"}, {"orderBy"}),
        ({"order": "up"}, {"order"}),
        ({"select": "id,nope"}, {"select"}),
        ({"tags": "vpn"}, {"tags"}),
        ({"createdAfter": "yesterday"}, {"createdAfter"}),
        ({"lastUpdateBefore": "2024-02-30"}, {"lastUpdateBefore"}),
        ({"createdAfter": "9999-12-31T23:59:59-12:00"}, {"createdAfter"}),  # past the last UTC instant
        ({"lastUpdateAfter": "0001-01-01T00:00:00+14:00"}, {"lastUpdateAfter"}),
        ({"limit": "0"}, {"limit"}),
        ({"limit": "ten"}, {"limit"}),
        ({"offset": "-1"}, {"offset"}),
        ({"status": "Done", "priority": "High", "select": "x"}, {"status", "priority", "select"}),
    ],
)
def test_bad_parameters_are_400_naming_each(ticketing, instance, params, names):
    response = ticketing.get(TICKETS, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body["errors"]) == names
    for name in names:
        assert name in body["message"]


class TestContinuationToken:
    def pages(self, client, params, *, between=None) -> list[list[int]]:
        pages, token = [], None
        while True:
            headers = {"HTTP_CONTINUATIONTOKEN": token} if token else {}
            response = client.get(TICKETS, params, **headers)
            assert response.status_code == 200, response.content
            pages.append([item["ticketId"] for item in response.json()["items"]])
            token = response.json().get("continuationToken")
            if token is None:
                return pages
            if between:
                between()

    @pytest.mark.parametrize("order", [{}, {"orderBy": "createdDateTime", "order": "ASC"}, {"orderBy": "title"}])
    def test_every_ticket_exactly_once_while_another_client_inserts(self, ticketing, instance, clock, order):
        for _ in range(7):
            create(ticketing)
            clock.advance(minutes=1)
        existing = set(Ticket.objects.values_list("number", flat=True))

        def insert():
            create(ticketing, {"title": "A new one"})  # sorts first by title, last by creation
            clock.advance(minutes=1)

        pages = self.pages(ticketing, {"limit": 3, **order}, between=insert)
        served = [number for page in pages for number in page]
        assert len(served) == len(set(served)), served  # nothing repeated
        assert existing <= set(served)  # nothing skipped
        assert len(pages) >= 3

    def test_the_token_also_pages_ties_by_id(self, ticketing, instance, clock):
        for _ in range(5):
            create(ticketing)  # all created at the same instant
        pages = self.pages(ticketing, {"limit": 2})
        assert pages == [[5, 4], [3, 2], [1]]

    def test_a_token_is_signed_and_bound_to_its_query(self, ticketing, instance, clock):
        for _ in range(3):
            create(ticketing)
        token = ticketing.get(TICKETS, {"limit": 1}).json()["continuationToken"]
        tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        response = ticketing.get(TICKETS, {"limit": 1}, HTTP_CONTINUATIONTOKEN=tampered)
        assert response.status_code == 400
        assert "continuationToken" in response.json()["errors"]
        other_query = ticketing.get(TICKETS, {"limit": 1, "orderBy": "title"}, HTTP_CONTINUATIONTOKEN=token)
        assert other_query.status_code == 400
        assert "another query" in other_query.json()["message"]
        # The limit may change between pages; select and timezone too.
        assert ticketing.get(TICKETS, {"limit": 5, "timezone": 3}, HTTP_CONTINUATIONTOKEN=token).status_code == 200


def test_one_ticket_and_its_activities(ticketing, five, helper):
    ticket_id = five[4]
    item = ticketing.get(f"{TICKETS}/{ticket_id}/").json()["item"]  # with a trailing slash too
    assert item["id"] == ticket_id and item["status"] == "Resolved" and item["resolution"] == "fixed"
    ticketing.post(f"{TICKETS}/{ticket_id}/comments", {"comment": "thanks", "user": HELPER}, format="json")
    ticketing.put(f"{TICKETS}/{ticket_id}/status", {"status": "Reopened", "comment": "again"}, format="json")
    activities = ticketing.get(f"{TICKETS}/{ticket_id}/activities").json()["items"]
    assert [(a["type"], a["status"], a["comment"]) for a in activities] == [
        ("statusChange", "Resolved", ""),
        ("comment", None, "thanks"),
        ("statusChange", "Reopened", "again"),
    ]
    assert activities[1]["createdBy"]["id"] == HELPER["id"]
    paged = ticketing.get(f"{TICKETS}/{ticket_id}/activities", {"limit": 2}).json()
    rest = ticketing.get(
        f"{TICKETS}/{ticket_id}/activities", {"limit": 2}, HTTP_CONTINUATIONTOKEN=paged["continuationToken"]
    ).json()
    assert [a["id"] for a in paged["items"] + rest["items"]] == [a["id"] for a in activities]
    assert rest["items"][0]["status"] == "Reopened"  # still knows the ticket was resolved before the page


def test_instance_and_tags(ticketing, instance, helper, custom_fields, tag_category):
    item = ticketing.get("/ticketing/v1/instance", {"timezone": "0"}).json()["item"]
    assert item["id"] == str(instance.id) and item["name"] == "IT Help Desk" and item["enabled"] is True
    assert {field["id"] for field in item["customFields"]} == {str(d.id) for d in custom_fields.values()}
    date_field = next(f for f in item["customFields"] if f["id"] == DATE_FIELD)
    assert date_field == {"id": DATE_FIELD, "type": "datepicker", "label": "Needed by", "required": False,
                          "multiple": False, "options": []}  # fmt: skip
    assert [f["label"] for f in item["customFieldsRight"]] == ["Steps"]
    assert item["assignees"] == {"type": "customAssignee", "peoples": [HELPER]}
    tags = ticketing.get("/ticketing/v1/tags").json()["items"]
    assert tags == [
        {"id": CATEGORY, "instanceId": str(instance.id), "text": "Topic", "color": "#ff0000", "deleted": False,
         "tags": [{"text": "old", "deleted": True}, {"text": "vpn", "deleted": False}]},
    ]  # fmt: skip


def test_query_counts_do_not_grow_with_the_page(
    ticketing, instance, helper, clock, tag_category, custom_fields, settings
):
    settings.RATELIMIT_ENABLE = False  # a hundred writes to set up

    def make(count):
        for index in range(count):
            ticket = {
                "assignee": HELPER, "tags": [{"tagCategoryId": CATEGORY, "text": f"t{index % 3}"}],
                "requestor": {"id": f"{index:08d}-0000-4000-8000-000000000000", "name": f"P{index}",
                              "email": f"p{index}@acme.test"},
            }  # fmt: skip
            ticket_id = create(ticketing, ticket).json()["item"]["id"]
            ticketing.post(f"{TICKETS}/{ticket_id}/comments", {"comment": "x", "user": HELPER}, format="json")
            ticketing.put(f"{TICKETS}/{ticket_id}/status", {"status": "Resolved", "comment": "y"}, format="json")

    make(2)
    ticket_id = Ticket.objects.first().uuid
    small = {
        "list": query_count(lambda: ticketing.get(TICKETS, {"limit": 1000})),
        "activities": query_count(lambda: ticketing.get(f"{TICKETS}/{ticket_id}/activities", {})),
        "tags": query_count(lambda: ticketing.get("/ticketing/v1/tags", {})),
    }
    make(23)
    for _ in range(20):
        ticketing.post(f"{TICKETS}/{ticket_id}/comments", {"comment": "x", "user": HELPER}, format="json")
    large = {
        "list": query_count(lambda: ticketing.get(TICKETS, {"limit": 1000})),
        "activities": query_count(lambda: ticketing.get(f"{TICKETS}/{ticket_id}/activities", {})),
        "tags": query_count(lambda: ticketing.get("/ticketing/v1/tags", {})),
    }
    assert large == small
    assert small["list"] <= 9  # savepoint, key, workflow, page, aliases, people, tags, fields, release
