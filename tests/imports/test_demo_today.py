"""seed_demo anchored to a day: on that day the help desk's rolling windows and the staff metrics
page's default range hold data, the history spans the six months before it, nothing happens after
its midnight, and the same seed and day give the same demo."""

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max, Min
from django.test import Client
from django.utils import timezone

from accounts.models import Organization
from coding.models import Commit, PullRequest
from imports.demo.bundle import demo_bundle, demo_clock
from tests.support.factories import ApiKeyFactory, UserFactory, bearer_client
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
# The day the demo is loaded: today, so the coding routes' three-year window holds it as in use.
TODAY = datetime.now(UTC).date()
MIDNIGHT = demo_clock(today=TODAY)


def seed(slug: str, *extra: str, tickets: int = 600) -> Organization:
    call_command("seed_demo", "--tickets", str(tickets), "--org", slug, *extra, stdout=StringIO(), stderr=StringIO())
    return Organization.objects.get(slug=slug)


def test_on_the_anchor_day_the_help_desk_windows_and_the_metrics_page_have_data(monkeypatch):
    organization = seed("today", "--today", TODAY.isoformat())
    api = bearer_client(ApiKeyFactory(user__organization=organization).plaintext)
    staff = Client()
    staff.force_login(UserFactory(organization=organization))

    for hours in (0.25, 9, 18, 23.5):  # any time of the day the demo was loaded
        monkeypatch.setattr(timezone, "now", lambda hours=hours: MIDNIGHT + timedelta(hours=hours))
        stats = api.get("/api/stats_v2").json()
        assert stats["past_24h"]["new_tickets_total"] > 0, hours
        assert stats["past_7d"]["new_tickets_total"] > stats["past_24h"]["new_tickets_total"], hours

    page = staff.get("/staff/metrics/")
    assert page.status_code == 200
    metrics = page.context["metrics"]
    assert metrics["tickets_completed"]["value"] > 0
    end = date.fromisoformat(metrics["date_range"][1][:10])  # the day after the latest completion
    assert TODAY - timedelta(days=3) <= end <= TODAY


def test_the_history_spans_six_months_up_to_the_anchor_midnight():
    organization = seed("span", "--today", "2026-03-10", tickets=300)
    clock = datetime(2026, 3, 10, tzinfo=UTC)
    tickets = Ticket.objects.filter(organization=organization).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    events = TicketEvent.objects.filter(ticket__organization=organization).aggregate(last=Max("at"))
    commits = Commit.objects.filter(organization=organization).aggregate(
        first=Min("authored_at"), last=Max("authored_at")
    )

    assert clock - timedelta(days=184) <= tickets["first"] <= clock - timedelta(days=180)
    assert clock - timedelta(minutes=10) <= tickets["last"] < clock
    assert events["last"] < clock
    assert clock - timedelta(days=185) <= commits["first"] and commits["last"] < clock
    assert clock - timedelta(days=10) <= commits["last"]
    assert not PullRequest.objects.filter(organization=organization, created_at__gte=clock).exists()


def test_without_today_the_demo_is_about_today():
    days = {datetime.now(UTC).date()}
    organization = seed("default", tickets=40)
    days.add(datetime.now(UTC).date())  # in case midnight passed meanwhile

    last = Ticket.objects.filter(organization=organization).aggregate(last=Max("created_at"))["last"]
    assert any(demo_clock(today=day) - timedelta(hours=1) < last < demo_clock(today=day) for day in days)


def test_the_same_seed_and_day_give_the_same_demo():
    day = date(2025, 11, 3)
    bundle = demo_bundle(tickets=200, seed=5, slug="d", today=day)

    assert json.dumps(bundle, sort_keys=True) == json.dumps(
        demo_bundle(tickets=200, seed=5, slug="d", today=day), sort_keys=True
    )
    later = demo_bundle(tickets=200, seed=5, slug="d", today=day + timedelta(days=30))
    assert later["tickets"][0]["created_at"] > bundle["tickets"][0]["created_at"]


def test_a_bad_anchor_day_is_refused():
    with pytest.raises(CommandError, match="--today must be a date like 2024-06-30"):
        call_command("seed_demo", "--tickets", "10", "--today", "March 3rd", stdout=StringIO())
    assert not Organization.objects.exists()
