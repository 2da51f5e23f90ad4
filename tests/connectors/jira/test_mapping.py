"""Jira records to Tally facts: text, times, sprint values, changelog items, cancellation."""

from connectors.jira.mapping import Catalog, FieldIds, StatusRef, issue_facts
from connectors.jira.readers import field_ids
from connectors.jira.text import plain_text, points, sprint_record, utc_iso


def test_times_are_utc_with_microseconds():
    assert utc_iso("2020-06-12T08:13:13.360+0800") == "2020-06-12T00:13:13.360000Z"
    assert utc_iso("2020-06-12T00:38:51.882Z") == "2020-06-12T00:38:51.882000Z"


def test_atlassian_document_format_becomes_text():
    doc = {
        "type": "doc",
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Hello "}, {"type": "mention",
             "attrs": {"text": "@Kevin"}}]},
            {"type": "bulletList", "content": [{"type": "listItem", "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "one"}, {"type": "hardBreak"},
                                                  {"type": "text", "text": "two"}]}]}]},
        ],
    }  # fmt: skip
    assert plain_text(doc) == "Hello @Kevin\none\ntwo"
    assert plain_text("v2 text") == "v2 text"
    assert plain_text(None) == ""


def test_story_points_ignore_junk():
    assert points("-1") is None and points("abc") is None and points("") is None
    assert points("3.0") == 3 and points(2.5) == 2.5


def test_data_center_sprint_strings():
    value = (
        "com.atlassian.greenhopper.service.sprint.Sprint@1b2c[id=12,rapidViewId=3,state=CLOSED,name=Sprint, the 2nd,"
        "startDate=2024-01-01T10:00:00.000Z,endDate=2024-01-14T10:00:00.000Z,completeDate=<null>,sequence=12]"
    )
    record = sprint_record(value)
    assert record["id"] == "12" and record["state"] == "closed" and record["name"] == "Sprint, the 2nd"
    assert record["completeDate"] is None


def test_fields_are_found_by_name_and_schema():
    fields = [
        {"id": "customfield_1", "name": "Story point estimate"},
        {"id": "customfield_2", "name": "Sprints", "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
        {"id": "customfield_3", "name": "Epic Link"},
    ]
    assert field_ids(fields) == FieldIds(
        story_points="customfield_1", sprint="customfield_2", epic_link="customfield_3"
    )
    assert field_ids(fields, story_points_override="customfield_9").story_points == "customfield_9"


def issue(histories, **fields) -> dict:
    base = {
        "created": "2024-01-01T00:00:00.000+0000", "updated": "2024-01-05T00:00:00.000+0000",
        "status": {"id": "6"}, "summary": "S", "project": {"id": "1", "key": "P"}, "issuetype": {"name": "Bug"},
        "customfield_10": 5,
    }  # fmt: skip
    base.update(fields)
    return {"id": "100", "key": "P-1", "fields": base, "changelog": {"histories": histories, "total": len(histories)}}


def history(at, *items, author="acc-1"):
    return {"id": at[-2:], "created": f"2024-01-0{at}T00:00:00.000+0000", "author": {"accountId": author},
            "items": list(items)}  # fmt: skip


def item(field, frm, to, from_string=None, to_string=None, field_id=None):
    return {
        "field": field,
        "fieldId": field_id,
        "from": frm,
        "to": to,
        "fromString": from_string,
        "toString": to_string,
    }


CATALOG = {"1": {"name": "Open", "category": "new"}, "3": {"name": "Doing", "category": "indeterminate"},
           "6": {"name": "Closed", "category": "done"}}  # fmt: skip


def catalog() -> Catalog:
    return Catalog(
        statuses=dict(CATALOG), cancelling=frozenset({"won't do"}), fields=FieldIds(story_points="customfield_10")
    )


def test_changelog_items_become_events_and_the_rest_is_ignored():
    facts = issue_facts(
        issue(
            [
                history("2", item("status", "1", "3", "Open", "Doing"), item("Rank", None, None)),
                history("3", item("assignee", None, "acc-2", None, "Ann")),
                history("3", item("Story Points", "", "3", "", "3", field_id="customfield_10")),
                history("4", item("resolution", None, "1", None, "Done"), item("status", "3", "6", "Doing", "Closed")),
                history("4", item("description", None, None), item("Workflow", "1", "2")),
            ],
            assignee={"accountId": "acc-2", "displayName": "Ann"},
        ),
        catalog(),
    )
    kinds = [event["type"] for event in facts.events]
    assert kinds == ["status", "assignee", "story_points", "status", "description_edit"]  # no initial assignee
    assert facts.initial_status == StatusRef("1")
    assert facts.story_points is None  # the first story points item's `from`
    assert facts.events[-2]["to"] == StatusRef("6") and facts.events[-2]["resolution"] == "Done"


def test_a_later_cancelling_resolution_makes_a_done_ticket_cancelled():
    facts = issue_facts(
        issue(
            [
                history("2", item("status", "1", "6", "Open", "Closed"), item("resolution", None, "1", None, "Done")),
                history("3", item("resolution", "1", "2", "Done", "Won't Do")),
            ],
            resolution={"name": "Won't Do"},
        ),
        catalog(),
    )
    statuses = [event["to"] for event in facts.events if event["type"] == "status"]
    assert statuses == [StatusRef("6"), StatusRef("6", cancelled=True)]


def test_without_status_items_the_current_status_is_the_initial_one_and_points_come_from_the_field():
    facts = issue_facts(issue([]), catalog())
    assert facts.initial_status == StatusRef("6") and facts.story_points == 5
    assert facts.events == []
