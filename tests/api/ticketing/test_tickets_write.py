"""Ticket writes: creation with every field, validation (a clear 400, nothing written), updates,
status changes, comments, history, If-Match and Idempotency-Key, people resolved by alias."""

import json

import pytest

from accounts.models import Person, PersonAlias
from tests.api.ticketing.conftest import (
    CATEGORY,
    DATE_FIELD,
    HELPER,
    HELPER_ID,
    ITEMS_FIELD,
    OPTION_A,
    OPTION_B,
    PEOPLE_FIELD,
    REQUESTOR,
    SINGLE_ITEM_FIELD,
    TEXT_FIELD,
    TEXTAREA_FIELD,
    TICKETS,
    TOGGLE_FIELD,
    create,
)
from tests.support.factories import PersonFactory
from tickets.models import IdempotencyRecord, Tag, Ticket, TicketEvent, TicketTag

pytestmark = pytest.mark.django_db
ASSIGNEE = {"id": "708edddc-aaaa-4bbb-8ccc-dddddddddddd", "name": "Alex Wilber", "email": "alexw@acme.test"}
STATUS, ASSIGNEE_KIND, COMMENT, DESCRIPTION_EDIT = "status", "assignee", "comment", "description_edit"


def counts() -> tuple[int, ...]:
    return (
        Ticket.objects.count(), TicketEvent.objects.count(), Person.objects.count(), PersonAlias.objects.count(),
        TicketTag.objects.count(), Tag.objects.count(), IdempotencyRecord.objects.count(),
    )  # fmt: skip


def events(ticket_uuid) -> list[tuple]:
    ticket = Ticket.objects.get(uuid=ticket_uuid)
    return list(ticket.events.order_by("at", "id").values_list("kind", "to_status__name", "resolution", "body"))


def test_create_minimal_ticket(ticketing, instance, clock):
    response = create(ticketing)

    assert response.status_code == 201, response.content
    item = response.json()["item"]
    ticket = Ticket.objects.get()
    assert item["id"] == str(ticket.uuid)
    assert response["Location"] == f"/ticketing/v1/tickets/{ticket.uuid}"
    assert response["ETag"].startswith('"')
    assert item["ticketId"] == 1 and ticket.number == 1 and ticket.key == "HD-1"
    assert item["status"] == "Open" and ticket.status.name == "Open" and ticket.state == "not_started"
    assert item["priority"] == "Medium"
    assert item["requestor"] == REQUESTOR
    assert item["createdBy"] == REQUESTOR
    assert item["createdOn"] == "2024-06-03T09:00:00Z"
    # The requestor became a person with both aliases.
    person = Person.objects.get()
    assert ticket.reporter == person and person.name == "Jason Doe" and person.needs_review
    assert set(person.aliases.values_list("value", flat=True)) == {REQUESTOR["id"], REQUESTOR["email"]}
    assert events(ticket.uuid) == []


def test_numbers_are_per_instance_and_skip_keys_in_use(ticketing, instance, clock):
    from tests.support.factories import TicketFactory

    TicketFactory(project=instance, key="HD-2", number=None)  # an imported ticket holds HD-2
    numbers = [create(ticketing).json()["item"]["ticketId"] for _ in range(3)]
    assert numbers == [1, 3, 4]
    assert sorted(Ticket.objects.values_list("key", flat=True)) == ["HD-1", "HD-2", "HD-3", "HD-4"]


def test_create_with_every_field(ticketing, instance, helper, clock, custom_fields, tag_category):
    ticket = {
        "description": "ticket description<br>line 1<br>line 2",
        "priority": "Urgent",
        "assignee": HELPER,
        "expectedDate": "2023-07-26T17:00:00Z",
        "status": "Started",
        "customFields": {
            PEOPLE_FIELD: [
                {"id": "1111aaaa-0000-4000-8000-000000000000", "name": "Allan Deyoung", "email": "allan@acme.test"}
            ],
            ITEMS_FIELD: [OPTION_A, OPTION_B],
            TEXTAREA_FIELD: "long text area\nbla bla bla",
            TEXT_FIELD: "text in custom field",
            TOGGLE_FIELD: True,
            SINGLE_ITEM_FIELD: [OPTION_B],
            DATE_FIELD: "2023-07-26T19:00:00+02:00",
        },
        "tags": [{"tagCategoryId": CATEGORY, "text": "sdsad"}, {"tagCategoryId": CATEGORY, "text": "vpn"}],
    }
    response = create(ticketing, ticket, QUERY_STRING="timezone=2")

    assert response.status_code == 201, response.content
    item = response.json()["item"]
    assert item["priority"] == "Urgent"
    assert item["assignee"] == {"id": HELPER_ID, "name": "Alex Wilber", "email": "alexw@acme.test"}
    assert item["status"] == "Started"
    assert item["expectedDate"] == "2023-07-26T19:00:00+02:00"  # rendered in the caller's timezone
    assert item["createdOn"] == "2024-06-03T11:00:00+02:00"
    assert item["customFields"][DATE_FIELD] == "2023-07-26T19:00:00+02:00"
    assert item["customFields"][ITEMS_FIELD] == [OPTION_A, OPTION_B]
    assert item["customFields"][TOGGLE_FIELD] is True
    assert sorted(tag["text"] for tag in item["tags"]) == ["sdsad", "vpn"]
    stored = Ticket.objects.get()
    assert stored.custom_fields[DATE_FIELD] == "2023-07-26T17:00:00Z"  # stored in UTC
    assert stored.assignee == helper  # resolved by the id alias
    assert Tag.objects.filter(category_id=CATEGORY, text="sdsad").exists()  # a new tag text of the category
    # Assignment and the move to Started are history; the state follows the workflow.
    assert [e[:2] for e in events(stored.uuid)] == [(ASSIGNEE_KIND, None), (STATUS, "In Progress")]
    assert stored.state == "active"


@pytest.mark.parametrize(
    ("ticket", "where"),
    [
        ({"title": None}, ["ticket", "title"]),
        ({"title": ""}, ["ticket", "title"]),
        ({"title": "x" * 501}, ["ticket", "title"]),
        ({"requestor": None}, ["ticket", "requestor"]),
        ({"requestor": {"id": "x", "name": "n", "email": "not an email"}}, ["ticket", "requestor", "email"]),
        ({"priority": "High"}, ["ticket", "priority"]),
        ({"status": "In Progress"}, ["ticket", "status"]),
        ({"expectedDate": "tomorrow"}, ["ticket", "expectedDate"]),
        ({"expectedDate": "2024-13-01"}, ["ticket", "expectedDate"]),
        ({"customFields": {"not-a-field": "x"}}, ["ticket", "customFields", "not-a-field"]),
        ({"customFields": {"00000000-0000-4000-8000-000000000000": "x"}}, ["ticket", "customFields"]),
        ({"customFields": {TEXT_FIELD: 3}}, ["ticket", "customFields", TEXT_FIELD]),
        ({"customFields": {TOGGLE_FIELD: "true"}}, ["ticket", "customFields", TOGGLE_FIELD]),
        ({"customFields": {DATE_FIELD: "soon"}}, ["ticket", "customFields", DATE_FIELD]),
        ({"customFields": {ITEMS_FIELD: ["not-an-option"]}}, ["ticket", "customFields", ITEMS_FIELD]),
        ({"customFields": {SINGLE_ITEM_FIELD: [OPTION_A, OPTION_B]}}, ["ticket", "customFields", SINGLE_ITEM_FIELD]),
        ({"customFields": {PEOPLE_FIELD: [{"id": "x"}]}}, ["ticket", "customFields", PEOPLE_FIELD]),
        ({"customFields": {TEXT_FIELD: "x" * 4001}}, ["ticket", "customFields", TEXT_FIELD]),
        ({"customFields": {TEXT_FIELD: "nul\x00"}}, ["ticket", "customFields", TEXT_FIELD]),
        ({"title": "nul\x00"}, ["ticket", "title"]),
        ({"customFields": "nope"}, ["ticket", "customFields"]),
        ({"tags": [{"tagCategoryId": "00000000-0000-4000-8000-000000000000", "text": "x"}]}, ["ticket", "tags"]),
        ({"tags": [{"tagCategoryId": "short", "text": "x"}]}, ["ticket", "tags"]),
        ({"tags": [{"tagCategoryId": CATEGORY, "text": "old"}]}, ["ticket", "tags"]),
        ({"resolution": "fixed"}, ["ticket", "resolution"]),
    ],
)
def test_bad_ticket_is_a_400_naming_the_field_and_writes_nothing(
    ticketing, instance, clock, custom_fields, tag_category, ticket, where
):
    before = counts()
    body = {"title": "Help", "requestor": REQUESTOR, **ticket}
    body = {key: value for key, value in body.items() if value is not None}
    response = ticketing.post(TICKETS, {"ticket": body, "user": REQUESTOR}, format="json")

    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["error"] is True
    node = payload["errors"]
    for key in where:
        node = node[key] if isinstance(node, dict) else node
    assert node
    assert f"ticket.{where[1]}" in payload["message"]
    assert counts() == before


def test_required_custom_fields_and_several_problems_at_once(ticketing, instance, clock, custom_fields):
    custom_fields["text"].required = True
    custom_fields["text"].save()
    response = ticketing.post(
        TICKETS, {"ticket": {"priority": "Whenever", "customFields": {TOGGLE_FIELD: 1}}}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]["ticket"]
    assert set(errors) == {"title", "requestor", "priority", "customFields"}
    assert set(errors["customFields"]) == {TEXT_FIELD, TOGGLE_FIELD}
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("body", [None, [], "text", {"ticket": "x"}, {"user": REQUESTOR}])
def test_malformed_bodies_are_400(ticketing, instance, body):
    response = ticketing.post(TICKETS, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] is True


@pytest.mark.parametrize("body", ["{not json", '{"ticket": {"title": "lone \\ud800"}}'])
def test_invalid_json_is_400(ticketing, instance, body):
    response = ticketing.post(TICKETS, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] is True


def test_people_resolve_through_aliases(ticketing, instance, helper, clock):
    # Same requestor twice: one person. A user known by email only gains the id alias.
    create(ticketing)
    create(ticketing)
    assert Person.objects.filter(name="Jason Doe").count() == 1
    known = PersonFactory(organization=instance.organization, name="Grace", email="grace@acme.test")
    grace = {"id": "2222bbbb-0000-4000-8000-000000000000", "name": "Grace H.", "email": "Grace@Acme.test"}
    item = create(ticketing, {"requestor": grace}).json()["item"]
    assert Ticket.objects.get(uuid=item["id"]).reporter == known
    assert set(known.aliases.values_list("value", flat=True)) == {grace["id"], "grace@acme.test"}
    assert item["requestor"] == {"id": grace["id"], "name": "Grace", "email": "grace@acme.test"}
    # An email-to-ticket requestor (all three fields the email).
    mail = {"id": "someone@outside.test", "name": "someone@outside.test", "email": "someone@outside.test"}
    item = create(ticketing, {"requestor": mail}).json()["item"]
    assert item["requestor"] == mail


def test_update_writes_history_for_description_and_assignee(ticketing, instance, helper, clock, custom_fields):
    created = create(ticketing, {"description": "first", "customFields": {TEXT_FIELD: "a", TOGGLE_FIELD: True}})
    ticket_id = created.json()["item"]["id"]
    clock.advance(hours=1)
    response = ticketing.put(
        f"{TICKETS}/{ticket_id}",
        {
            "updates": {
                "title": "My 2nd ticket", "description": "second", "priority": "Important", "assignee": HELPER,
                "customFields": {TEXT_FIELD: "b", TOGGLE_FIELD: None},
            },
            "user": HELPER,
        },
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    item = response.json()["item"]
    assert (item["title"], item["description"], item["priority"]) == ("My 2nd ticket", "second", "Important")
    assert item["customFields"] == {TEXT_FIELD: "b"}
    assert item["assignee"]["id"] == HELPER_ID
    assert item["lastUpdatedOn"] == "2024-06-03T10:00:00Z"
    assert item["lastUpdatedBy"]["id"] == HELPER_ID
    assert [e[0] for e in events(ticket_id)] == [DESCRIPTION_EDIT, ASSIGNEE_KIND]
    assert set(TicketEvent.objects.values_list("actor", flat=True)) == {helper.id}
    # Unassign with null; `ticket` is accepted instead of `updates`.
    response = ticketing.put(f"{TICKETS}/{ticket_id}", {"ticket": {"assignee": None}}, format="json")
    assert response.json()["item"]["assignee"] is None
    assert [e[0] for e in events(ticket_id)] == [DESCRIPTION_EDIT, ASSIGNEE_KIND, ASSIGNEE_KIND]
    # Unchanged values write no history.
    ticketing.put(
        f"{TICKETS}/{ticket_id}", {"updates": {"description": "second", "title": "My 2nd ticket"}}, format="json"
    )
    assert len(events(ticket_id)) == 3


def test_update_replaces_tags(ticketing, instance, clock, tag_category):
    ticket_id = create(ticketing, {"tags": [{"tagCategoryId": CATEGORY, "text": "vpn"}]}).json()["item"]["id"]
    response = ticketing.put(
        f"{TICKETS}/{ticket_id}", {"updates": {"tags": [{"tagCategoryId": CATEGORY.upper(), "text": "wifi"}]}},
        format="json",
    )  # fmt: skip
    assert response.json()["item"]["tags"] == [{"tagCategoryId": CATEGORY, "text": "wifi"}]


@pytest.mark.parametrize(
    "body",
    [{}, {"updates": {"title": ""}}, {"updates": {"requestor": None}}, {"updates": {"status": "Done"}},
     {"updates": {"title": "x"}, "ticket": {"title": "y"}}, {"updates": "x"}],
)  # fmt: skip
def test_bad_updates_are_400_and_change_nothing(ticketing, instance, clock, body):
    ticket_id = create(ticketing).json()["item"]["id"]
    before = counts()
    response = ticketing.put(f"{TICKETS}/{ticket_id}", body, format="json")
    assert response.status_code == 400, response.content
    assert counts() == before
    assert Ticket.objects.get().title == "VPN does not connect"


def test_if_match_with_the_etag(ticketing, instance, clock):
    created = create(ticketing)
    ticket_id = created.json()["item"]["id"]
    etag = ticketing.get(f"{TICKETS}/{ticket_id}")["ETag"]
    assert etag == created["ETag"]
    assert ticketing.get(f"{TICKETS}/{ticket_id}", {"timezone": "5"})["ETag"] == etag  # a version, not a rendering

    response = ticketing.put(f"{TICKETS}/{ticket_id}", {"updates": {"title": "A"}}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    new_etag = response["ETag"]
    assert new_etag != etag
    # A client still holding the old ETag is refused, and nothing changes.
    stale = ticketing.put(f"{TICKETS}/{ticket_id}", {"updates": {"title": "B"}}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale["ETag"] == new_etag
    assert stale.json()["error"] is True
    assert Ticket.objects.get().title == "A"
    stale_status = ticketing.put(
        f"{TICKETS}/{ticket_id}/status", {"status": "Started"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale_status.status_code == 412
    assert Ticket.objects.get().status.name == "Open"
    # `*` and a list naming the current one pass.
    assert (
        ticketing.put(
            f"{TICKETS}/{ticket_id}", {"updates": {"title": "C"}}, format="json", HTTP_IF_MATCH="*"
        ).status_code
        == 200
    )
    current = ticketing.get(f"{TICKETS}/{ticket_id}")["ETag"]
    both = f'"nope", {current}'
    assert (
        ticketing.put(
            f"{TICKETS}/{ticket_id}", {"updates": {"title": "D"}}, format="json", HTTP_IF_MATCH=both
        ).status_code
        == 200
    )


def test_status_changes_with_resolution_comment_and_reopen(ticketing, instance, helper, clock):
    ticket_id = create(ticketing).json()["item"]["id"]
    clock.advance(minutes=10)
    started = ticketing.put(f"{TICKETS}/{ticket_id}/status", {"status": "Started", "user": HELPER}, format="json")
    assert started.status_code == 200 and started.json()["item"]["status"] == "Started"
    clock.advance(minutes=50)
    body = {"status": "Resolved", "resolution": "fixed", "comment": "Great job!", "user": HELPER}
    resolved = ticketing.post(f"{TICKETS}/{ticket_id}/status", body, format="json")  # POST as in the document
    assert resolved.status_code == 200, resolved.content
    item = resolved.json()["item"]
    assert (item["status"], item["resolution"], item["lastResolutionComment"]) == ("Resolved", "fixed", "Great job!")
    assert item["firstResolutionOn"] == item["lastResolutionOn"] == "2024-06-03T10:00:00Z"
    ticket = Ticket.objects.get()
    assert (ticket.state, ticket.closed_at, ticket.closed_by, ticket.resolved_at) == (
        "done", clock.now, helper, clock.now,
    )  # fmt: skip
    assert events(ticket_id) == [(STATUS, "In Progress", "", ""), (STATUS, "Resolved", "fixed", "Great job!")]

    clock.advance(hours=1)
    reopened = ticketing.put(f"{TICKETS}/{ticket_id}/status", {"status": "Reopened", "user": REQUESTOR}, format="json")
    item = reopened.json()["item"]
    assert item["status"] == "Reopened"
    assert item["resolution"] == ""
    ticket.refresh_from_db()
    assert ticket.status.name == "Open" and ticket.closed_at is None and ticket.closed_by is None
    assert ticket.reopened_by.name == "Jason Doe"

    clock.advance(hours=1)
    closed = ticketing.put(
        f"{TICKETS}/{ticket_id}/status", {"status": "Closed", "resolution": "cancelled"}, format="json"
    )
    assert closed.json()["item"]["status"] == "Closed"
    ticket.refresh_from_db()
    assert ticket.status.name == "Cancelled" and ticket.state == "canceled"
    assert closed.json()["item"]["firstResolutionOn"] == "2024-06-03T10:00:00Z"
    assert closed.json()["item"]["lastResolutionOn"] == "2024-06-03T12:00:00Z"


def test_status_to_the_current_one_records_only_the_comment(ticketing, instance, clock):
    ticket_id = create(ticketing).json()["item"]["id"]
    response = ticketing.put(
        f"{TICKETS}/{ticket_id}/status", {"status": "Open", "comment": "still here"}, format="json"
    )
    assert response.status_code == 200
    assert events(ticket_id) == [(COMMENT, None, "", "still here")]


@pytest.mark.parametrize(
    "body",
    [{}, {"status": "Done"}, {"status": "Started", "resolution": "fixed"}, {"status": "Resolved", "resolution": "meh"},
     {"status": "Resolved", "user": {"id": "x"}}],
)  # fmt: skip
def test_bad_status_changes_are_400(ticketing, instance, clock, body):
    ticket_id = create(ticketing).json()["item"]["id"]
    response = ticketing.put(f"{TICKETS}/{ticket_id}/status", body, format="json")
    assert response.status_code == 400
    assert events(ticket_id) == []


def test_a_workflow_without_a_status_for_the_label_is_a_clear_400(ticketing, instance, clock):
    ticket_id = create(ticketing).json()["item"]["id"]
    instance.statuses.filter(state="active").delete()
    response = ticketing.put(f"{TICKETS}/{ticket_id}/status", {"status": "Started"}, format="json")
    assert response.status_code == 400
    assert "no status for 'Started'" in response.json()["message"]


def test_status_mapping_from_instance_settings(ticketing, instance, clock):
    instance.instance_settings = {"statusMapping": {"Started": "Waiting on Requester"}}
    instance.save()
    ticket_id = create(ticketing).json()["item"]["id"]
    ticketing.put(f"{TICKETS}/{ticket_id}/status", {"status": "Started"}, format="json")
    assert Ticket.objects.get().status.name == "Waiting on Requester"
    assert ticketing.get(f"{TICKETS}/{ticket_id}").json()["item"]["status"] == "Started"


@pytest.mark.parametrize("route", ["comments", "activities"])
def test_comments_through_both_routes(ticketing, instance, helper, clock, route):
    ticket_id = create(ticketing).json()["item"]["id"]
    clock.advance(minutes=7)
    response = ticketing.post(
        f"{TICKETS}/{ticket_id}/{route}", {"comment": "comment from API", "user": HELPER, "isPrivate": True},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    item = response.json()["item"]
    assert item == {
        "id": item["id"], "ticketId": ticket_id, "comment": "comment from API", "isPrivate": True,
        "createdDateTime": "2024-06-03T09:07:00Z",
        "user": {"id": HELPER_ID, "name": "Alex Wilber", "email": "alexw@acme.test"},
    }  # fmt: skip
    ticket = Ticket.objects.get()
    event = ticket.events.get()
    assert (event.kind, event.is_public, event.actor) == (COMMENT, False, helper)
    assert ticket.first_helper_response_at == clock.now  # a helper's comment is the first response
    assert ticket.last_message_at == clock.now and ticket.last_message_by == helper


@pytest.mark.parametrize(
    "body", [{}, {"comment": "", "user": HELPER}, {"comment": "   ", "user": HELPER}, {"comment": "x"}]
)
def test_bad_comments_are_400(ticketing, instance, clock, body):
    ticket_id = create(ticketing).json()["item"]["id"]
    response = ticketing.post(f"{TICKETS}/{ticket_id}/comments", body, format="json")
    assert response.status_code == 400
    assert events(ticket_id) == []


def test_a_requestor_comment_is_not_a_helper_response(ticketing, instance, helper, clock):
    ticket_id = create(ticketing).json()["item"]["id"]
    ticketing.post(f"{TICKETS}/{ticket_id}/comments", {"comment": "any news?", "user": REQUESTOR}, format="json")
    ticket = Ticket.objects.get()
    assert ticket.first_helper_response_at is None
    assert ticket.last_message_by.name == "Jason Doe"


def test_unknown_ticket_ids_are_404(ticketing, instance):
    for ticket_id in ("00000000-0000-4000-8000-000000000000", "not-a-uuid", "1"):
        response = ticketing.get(f"{TICKETS}/{ticket_id}")
        assert response.status_code == 404
        assert response.json()["error"] is True
        assert (
            ticketing.post(
                f"{TICKETS}/{ticket_id}/comments", {"comment": "x", "user": HELPER}, format="json"
            ).status_code
            == 404
        )


class TestIdempotencyKey:
    def test_a_replayed_create_returns_the_first_response_and_creates_one_ticket(self, ticketing, instance, clock):
        first = create(ticketing, HTTP_IDEMPOTENCY_KEY="create-1")
        clock.advance(minutes=5)
        replay = create(ticketing, HTTP_IDEMPOTENCY_KEY="create-1")

        assert first.status_code == replay.status_code == 201
        assert replay.json() == first.json()
        assert replay["ETag"] == first["ETag"] and replay["Location"] == first["Location"]
        assert replay["Idempotent-Replayed"] == "true"
        assert not first.has_header("Idempotent-Replayed")
        assert Ticket.objects.count() == 1
        # Another key creates another ticket.
        assert create(ticketing, HTTP_IDEMPOTENCY_KEY="create-2").json()["item"]["ticketId"] == 2

    def test_the_same_key_with_another_request_is_422(self, ticketing, instance, clock):
        create(ticketing, HTTP_IDEMPOTENCY_KEY="k")
        response = create(ticketing, {"title": "Something else"}, HTTP_IDEMPOTENCY_KEY="k")
        assert response.status_code == 422
        assert Ticket.objects.count() == 1

    def test_a_rejected_request_stores_nothing_and_can_be_retried(self, ticketing, instance, clock):
        bad = ticketing.post(TICKETS, {"ticket": {"title": "x"}}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        assert bad.status_code == 400
        assert IdempotencyRecord.objects.count() == 0
        assert create(ticketing, HTTP_IDEMPOTENCY_KEY="k").status_code == 201

    def test_keys_are_per_instance_and_expire_after_a_day(self, ticketing, instance, clock):
        create(ticketing, HTTP_IDEMPOTENCY_KEY="k")
        clock.advance(hours=25)
        create(ticketing, HTTP_IDEMPOTENCY_KEY="k")
        assert Ticket.objects.count() == 2
        assert IdempotencyRecord.objects.count() == 1

    def test_status_and_comment_posts_replay(self, ticketing, instance, helper, clock):
        ticket_id = create(ticketing).json()["item"]["id"]
        comment = {"comment": "hello", "user": HELPER}
        first = ticketing.post(f"{TICKETS}/{ticket_id}/comments", comment, format="json", HTTP_IDEMPOTENCY_KEY="c")
        again = ticketing.post(f"{TICKETS}/{ticket_id}/comments", comment, format="json", HTTP_IDEMPOTENCY_KEY="c")
        assert again.json() == first.json()
        status = {"status": "Started"}
        ticketing.post(f"{TICKETS}/{ticket_id}/status", status, format="json", HTTP_IDEMPOTENCY_KEY="s")
        ticketing.post(f"{TICKETS}/{ticket_id}/status", status, format="json", HTTP_IDEMPOTENCY_KEY="s")
        assert [e[0] for e in events(ticket_id)] == [COMMENT, STATUS]

    @pytest.mark.parametrize("key", ["", "   ", "x" * 256, "a\x00b"])
    def test_bad_keys_are_400(self, ticketing, instance, key):
        response = create(ticketing, HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 400
        assert "Idempotency-Key" in response.json()["message"]
        assert Ticket.objects.count() == 0


WRONG_TYPES = [
    # (route, body): a JSON number or string where the document has another type is a 400.
    ("create", {"ticket": {"title": 1, "requestor": REQUESTOR}}),
    ("create", {"ticket": {"title": "T", "requestor": REQUESTOR, "description": 12.5}}),
    ("create", {"ticket": {"title": "T", "requestor": {**REQUESTOR, "name": 7}}}),
    ("create", {"ticket": {"title": "T", "requestor": REQUESTOR, "tags": [{"tagCategoryId": CATEGORY, "text": 1}]}}),
    ("create", {"ticket": {"title": "T", "requestor": REQUESTOR, "expectedDate": "9999-12-31T23:59:59-12:00"}}),
    ("create", {"ticket": {"title": "T", "requestor": REQUESTOR, "expectedDate": 10**400}}),
    ("create", {"ticket": {"title": "T", "requestor": REQUESTOR, "customFields": {DATE_FIELD: "9999-12-31T23:59:59-12:00"}}}),  # noqa: E501
    ("update", {"updates": {"title": 10**400}}),
    ("update", {"updates": {"description": 1}}),
    ("update", {"updates": {"assignee": {**HELPER, "email": 5}}}),
    ("status", {"status": "Resolved", "comment": 1}),
    ("status", {"status": 1}),
    ("comments", {"comment": 1, "user": HELPER}),
    ("comments", {"comment": "x", "user": HELPER, "isPrivate": "true"}),
    ("activities", {"comment": 10**400, "user": HELPER}),
    ("activities", {"comment": "x", "user": HELPER, "isPrivate": 1}),
]  # fmt: skip


@pytest.mark.parametrize(("route", "body"), WRONG_TYPES)
@pytest.mark.parametrize("raw", [False, True])
def test_wrong_json_types_are_400_and_write_nothing(
    ticketing, instance, clock, custom_fields, tag_category, route, body, raw
):
    ticket_id = create(ticketing).json()["item"]["id"]
    before = (Ticket.objects.count(), TicketEvent.objects.count(), Ticket.objects.get().updated_at)
    method, url = {
        "create": ("post", TICKETS), "update": ("put", f"{TICKETS}/{ticket_id}"),
        "status": ("put", f"{TICKETS}/{ticket_id}/status"), "comments": ("post", f"{TICKETS}/{ticket_id}/comments"),
        "activities": ("post", f"{TICKETS}/{ticket_id}/activities"),
    }[route]  # fmt: skip
    if raw:  # the same body with a NUL byte in every string
        payload = json.dumps(body).replace('"T"', '"T\\u0000"').replace('"x"', '"x\\u0000"')
        response = getattr(ticketing, method)(url, payload, content_type="application/json")
    else:
        response = getattr(ticketing, method)(url, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"] is True and response.json()["message"]
    assert (Ticket.objects.count(), TicketEvent.objects.count(), Ticket.objects.get().updated_at) == before


@pytest.mark.parametrize("route", ["", "/status", "/comments", "/activities"])
@pytest.mark.parametrize("payload", ["{not json", "[]", '"text"', "1e999999", "null", "\x00", '{"a": 1}' + "x"])
def test_malformed_json_on_every_write_route_is_400(ticketing, instance, clock, route, payload):
    ticket_id = create(ticketing).json()["item"]["id"]
    method = "put" if route in ("", "/status") else "post"
    response = getattr(ticketing, method)(f"{TICKETS}/{ticket_id}{route}", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert TicketEvent.objects.count() == 0
