"""A ticket's page: fields, computed values and their sources, the status timeline, the events."""

import re
from datetime import timedelta

import pytest
from django.test import TestCase

from metrics.models import TicketMetrics
from tests.support.factories import SprintFactory, TicketFactory
from tests.support.queries import query_count
from tests.support.staff_delivery import BASE
from tickets.models import Ticket, TicketEvent
from tickets.services.history import ticket_event_append

Kind = TicketEvent.Kind

pytestmark = pytest.mark.django_db


def page(client, ticket):
    response = client.get(f"/staff/tickets/{ticket.id}/")
    assert response.status_code == 200
    return response, response.content.decode()


def by_key(delivery, key) -> Ticket:
    return next(t for t in delivery.tickets if t.key == key)


def test_computed_values_and_where_they_come_from(delivery_client, delivery):
    # CORE-1: Grace assigned; In Progress +1 h, Blocked +4, In Progress +9, In Review +12, a comment +14,
    # back to In Progress +15 (a backflow), a description edit +16, In Review +30, Done +40.
    _, body = page(delivery_client, by_key(delivery, "CORE-1"))
    assert '<h1><span class="key">CORE-1</span> Ticket 01 billing report</h1>' in body
    row = re.search(r'<tr id="value-cycle-time">(.*?)</tr>', body, re.S).group(1)
    assert "39 h" in row and "Done 2024-06-03 14:00 − first active 2024-06-01 23:00" in row
    row = re.search(r'<tr id="value-queue-time">(.*?)</tr>', body, re.S).group(1)
    assert "5 h" in row and "Blocked 5 h 0 min" in row
    row = re.search(r'<tr id="value-backflows">(.*?)</tr>', body, re.S).group(1)
    assert ">1 <" in row and "out of 7 transitions" in row  # intra-lane changes count
    row = re.search(r'<tr id="value-jitter">(.*?)</tr>', body, re.S).group(1)
    # Weights 2/1/1: one comment and one edit while active, the assignment before it started.
    assert ">75<" in row
    assert "comments 1 × 2 ÷ 4 × 100 = 50" in row and "description edits 1 × 1 ÷ 4 × 100 = 25" in row
    assert "assignee changes 0 × 1 ÷ 4 × 100 = 0" in row
    assert "Assignees while active: Grace." in body


def test_the_numbers_are_the_ticket_logs(delivery_client, delivery_api, delivery):
    ticket = by_key(delivery, "CORE-1")
    row = delivery_api.get("/ticket-delivery/ticket-log", {"ordering": "id", "limit": 100}).json()["results"]
    row = next(r for r in row if r["key"] == "CORE-1")
    _, body = page(delivery_client, ticket)
    assert f">{row['cycle_time']:g} h<" in body and f">{row['queue_time']:g} h<" in body
    assert row["backflows"] == 1 and row["transitions"] == 7 and row["jitter"] == 75.0


def test_status_history_is_a_timeline_of_intervals_coloured_by_state(delivery_client, delivery):
    _, body = page(delivery_client, by_key(delivery, "CORE-1"))
    svg = re.search(r'<svg class="timeline".*?</svg>', body, re.S).group(0)
    assert 'role="img"' in svg and '<title id="timeline-title">Status timeline of CORE-1</title>' in svg
    states = re.findall(r'<rect class="segment state-(\w+)', svg)
    assert states == ["not_started", "active", "waiting", "active", "active", "active", "active", "done"]
    rows = re.findall(r'<text class="row-label"[^>]*>([^<]+)</text>', svg)
    assert rows == ["To Do", "In Progress", "Blocked", "In Review", "Done"]  # workflow order
    assert "ongoing" in re.findall(r'<rect class="segment state-done([^"]*)"', svg)[0]
    assert "http" not in svg.replace("http://www.w3.org", "")  # nothing to fetch
    # The same intervals as a table.
    assert len(re.findall(r"<tr><td>", re.search(r'<table id="intervals">.*?</table>', body, re.S).group(0))) == 8


def test_events_in_order_marking_what_counted_for_jitter(delivery_client, delivery):
    _, body = page(delivery_client, by_key(delivery, "CORE-1"))
    events = re.findall(
        r'<li class="event">\s*<time datetime="([^"]+)">.*?<strong>([^<]+)</strong>(.*?)</li>', body, re.S
    )
    kinds = [kind for _, kind, _ in events]
    assert kinds == ["Assignee", "Status", "Status", "Status", "Status", "Comment", "Status", "Description edit",
                     "Status", "Status"]  # fmt: skip
    assert [at for at, _, _ in events] == sorted(at for at, _, _ in events)
    counted = [kind for _, kind, rest in events if 'class="badge jitter"' in rest]
    assert counted == ["Comment", "Description edit"]
    assert "unassigned → Grace" in events[0][2]
    assert "In Review → In Progress" in events[6][2]


def test_every_kind_of_event_with_its_actor_and_comment_text(delivery_client, delivery):
    """Sprint moves, story-point changes, private comments with their text, resolutions, actors."""
    core, statuses = delivery.projects["CORE"], delivery.workflows["CORE"]
    ada, grace = delivery.people["ada"], delivery.people["grace"]
    sprint = SprintFactory(project=core, name="Sprint 7")
    new = TicketFactory(project=core, key="CORE-900", created_at=BASE, updated_at=BASE, story_points=None)
    new.state = new.status.mapped.display_state
    new.save()
    at = [BASE + timedelta(hours=h) for h in range(8)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        ticket_event_append(ticket=new, kind=Kind.SPRINT, at=at[1], actor=ada, sprint=sprint, sprint_action="add")
        ticket_event_append(ticket=new, kind=Kind.STATUS, at=at[2], actor=ada, to_status=statuses["In Progress"])
        ticket_event_append(ticket=new, kind=Kind.STORY_POINTS, at=at[3], actor=grace, to_value="5")
        ticket_event_append(ticket=new, kind=Kind.COMMENT, at=at[4], actor=grace, body="Needs <b>review</b>\nsoon",
                            is_public=False)  # fmt: skip
        ticket_event_append(ticket=new, kind=Kind.SPRINT, at=at[5], sprint=sprint, sprint_action="remove")
        ticket_event_append(ticket=new, kind=Kind.STATUS, at=at[6], actor=ada, to_status=statuses["Done"],
                            resolution="Fixed")  # fmt: skip
    _, body = page(delivery_client, new)
    events = re.findall(
        r'<li class="event">\s*<time[^>]*>([^<]+)</time>\s*<strong>([^<]+)</strong>(.*?)</li>', body, re.S
    )
    shown = [(when, kind, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rest)).strip()) for when, kind, rest in events]
    assert [(kind, text.replace(" jitter", "")) for _, kind, text in shown] == [
        ("Sprint", "added to Sprint 7 by Ada"),
        ("Status", "To Do → In Progress by Ada"),
        ("Story points", "— → 5 by Grace"),
        ("Comment", "private by Grace Needs &lt;b&gt;review&lt;/b&gt; soon"),
        ("Sprint", "removed from Sprint 7"),
        ("Status", "In Progress → Done (resolution: Fixed) by Ada"),
    ]
    assert [when for when, _, _ in shown] == [f"2024-06-01 {10 + h:02d}:00" for h in (1, 2, 3, 4, 5, 6)]
    assert "<blockquote>Needs &lt;b&gt;review&lt;/b&gt;<br>soon</blockquote>" in body  # the text, escaped
    assert [kind for _, kind, text in shown if " jitter" in text] == ["Comment"]  # while active


def test_transitions_mark_backflows(delivery_client, delivery):
    _, body = page(delivery_client, by_key(delivery, "CORE-1"))
    row = r'<tr class="backflow"><td><time[^>]*>([^<]+)</time></td><td>([^<]+)</td><td>([^<]+)</td>'
    backflows = re.findall(row, body)
    assert backflows == [("2024-06-02 13:00", "In Review", "In Progress")]


def test_a_ticket_without_computed_values_still_shows(delivery_client, delivery):
    ticket = by_key(delivery, "OPS-2")
    TicketMetrics.objects.filter(ticket=ticket).delete()
    _, body = page(delivery_client, ticket)
    assert "No values have been computed for this ticket yet" in body
    log = delivery_client.get("/staff/tickets/", {"q": "OPS-2"})
    assert log.status_code == 200 and 'data-ticket-key="OPS-2"' in log.content.decode()


def test_query_count_does_not_grow_with_the_history(delivery_client, delivery, django_assert_max_num_queries):
    short = by_key(delivery, "CORE-4")  # two assignments, never started
    long = by_key(delivery, "CORE-1")  # ten events, eight intervals, seven transitions
    assert short.events.count() == 2 and long.events.count() == 10
    delivery_client.get("/")  # warm-up
    assert query_count(lambda: delivery_client.get(f"/staff/tickets/{short.id}/")) == query_count(
        lambda: delivery_client.get(f"/staff/tickets/{long.id}/")
    )
    with django_assert_max_num_queries(12):
        delivery_client.get(f"/staff/tickets/{long.id}/")
