"""The point of the product (docs/ticketing-api.md): a ticket written through the
Ticketing API shows up at once in the Flow ticket log, the Flow ticket metrics and the Nephthys
help-desk stats, each from the same history."""

import json

import pytest

from tests.api.ticketing.conftest import HELPER, REQUESTOR, TICKETS
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_ticket_written_through_ticketing_is_everywhere_at_once(
    ticketing, api_client, instance, helper, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # 09:00 a requestor opens a ticket.
        created = ticketing.post(
            TICKETS, {"ticket": {"title": "VPN does not connect", "requestor": REQUESTOR}, "user": REQUESTOR},
            format="json",
        )  # fmt: skip
        assert created.status_code == 201, created.content
        ticket_id = created.json()["item"]["id"]
        # 09:30 a helper answers: the first helper response.
        clock.advance(minutes=30)
        comment = {"comment": "Looking into it.", "user": HELPER}
        assert ticketing.post(f"{TICKETS}/{ticket_id}/comments", comment, format="json").status_code == 201
        # 10:00 the helper starts work; 12:00 resolves it.
        clock.advance(minutes=30)
        started = ticketing.put(f"{TICKETS}/{ticket_id}/status", {"status": "Started", "user": HELPER}, format="json")
        assert started.json()["item"]["status"] == "Started"
        clock.advance(hours=2)
        resolved = ticketing.put(
            f"{TICKETS}/{ticket_id}/status", {"status": "Resolved", "resolution": "fixed", "user": HELPER},
            format="json",
        )  # fmt: skip
        assert resolved.json()["item"]["status"] == "Resolved"
        assert resolved.json()["item"]["firstResponseOn"] == "2024-06-03T09:30:00Z"
    clock.advance(hours=1)  # 13:00
    ticket = Ticket.objects.get(uuid=ticket_id)

    # The Flow ticket log (a Metrics API key of the same organization) lists it with its cycle time.
    log = api_client.get("/ticket-delivery/ticket-log", {"project__id": instance.id}).json()
    assert log["count"] == 1
    row = log["results"][0]
    assert (row["id"], row["key"], row["status"], row["state"]) == (ticket.id, "HD-1", "Resolved", "done")
    assert row["first_active_at"] == "2024-06-03T10:00:00Z" and row["done_at"] == "2024-06-03T12:00:00Z"
    assert row["cycle_time"] == 2.0
    assert row["transitions"] == 2
    assert row["jitter"] == 0.0  # the comment came before the ticket was active

    # The Flow ticket metrics count it completed.
    date_range = json.dumps(["2024-06-03T00:00:00Z", "2024-06-04T00:00:00Z"])
    metrics = api_client.get("/ticket-delivery/metrics", {"date_range": date_range, "project_ids": instance.id})
    assert metrics.status_code == 200, metrics.content
    assert metrics.json()["tickets_completed"]["value"] == 1
    assert metrics.json()["cycle_time"]["value"] == 2.0

    # The help-desk stats show its hang time and resolution time in minutes, and the helper.
    stats = api_client.get("/api/stats_v2").json()
    leaderboard = [{"id": helper.id, "slack_id": "", "count": 1}]
    assert stats["all_time"] == {
        "tickets_total": 1, "tickets_open": 0, "tickets_closed": 1, "tickets_in_progress": 0,
        "helpers_leaderboard": leaderboard,
        "mean_hang_time_minutes_unresolved": None, "mean_hang_time_minutes_all": 30.0,
        "mean_resolution_time_minutes": 180.0, "oldest_unanswered_ticket": None,
    }  # fmt: skip
    assert stats["past_24h"] == {
        "new_tickets_total": 1, "new_tickets_now_closed": 1, "new_tickets_still_open": 0,
        "new_tickets_in_progress": 0, "closed_today": 1, "closed_today_from_today": 1,
        "assigned_today_in_progress": 0, "helpers_leaderboard": leaderboard,
        "mean_hang_time_minutes_unresolved": None, "mean_hang_time_minutes_all": 30.0,
        "mean_resolution_time_minutes": 180.0,
    }  # fmt: skip
    assert stats["past_24h_previous"]["new_tickets_total"] == 0

    # And the Nephthys ticket routes return it.
    listed = api_client.get("/api/tickets", {"status": "closed", "since": "2024-06-03"}).json()
    assert [t["id"] for t in listed] == [ticket.id]
    one = api_client.get("/api/ticket", {"id": ticket.id}).json()
    assert one["status"] == "closed"
    assert one["closed_by"] == {"id": helper.id, "slack_id": "", "username": "Alex Wilber"}
    assert one["opened_by"]["username"] == "Jason Doe"
    assert one["closed_at"] == "2024-06-03T12:00:00Z"
