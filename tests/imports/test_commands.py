"""The import_bundle and seed_demo commands, and the demo generator."""

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Organization, Person, Team
from coding.models import Commit, Deployment, PullRequest
from imports.demo.bundle import demo_bundle
from metrics.models import StatusTransition, TicketMetrics
from tickets.models import Sprint, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 12)
EXAMPLE_BUNDLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "example-bundle.json"


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_bundle_prints_a_summary():
    output = run("import_bundle", str(EXAMPLE_BUNDLE))

    assert output.splitlines()[0] == "Organization acme: imported"
    assert "tickets                1 created, 0 updated, 0 unchanged" in output
    assert "already up to date" in run("import_bundle", str(EXAMPLE_BUNDLE))


def test_import_bundle_lists_every_problem_and_fails(tmp_path):
    bundle = json.loads(EXAMPLE_BUNDLE.read_text())
    bundle["format"] = "tally.bundle/0"
    bundle["tickets"][0]["events"][1]["to"] = 99
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle))
    errors = StringIO()

    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_bundle", str(path), stdout=StringIO(), stderr=errors)

    assert errors.getvalue().splitlines() == [
        "format: must be 'tally.bundle/1', got 'tally.bundle/0'",
        "tickets[0].events[1].to: unknown status 99 for project 500",
    ]
    assert not Organization.objects.exists()


def test_import_bundle_rejects_invalid_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{")

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_bundle", str(path))


def test_demo_bundle_is_deterministic():
    first = demo_bundle(tickets=300, seed=7, slug="demo", today=TODAY)
    second = demo_bundle(tickets=300, seed=7, slug="demo", today=TODAY)

    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first != demo_bundle(tickets=300, seed=8, slug="demo", today=TODAY)
    assert first != demo_bundle(tickets=300, seed=7, slug="demo", today=TODAY + timedelta(days=1))
    assert len(first["tickets"]) == 300


def test_seed_demo_covers_every_state_and_is_idempotent():
    output = run("seed_demo", "--tickets", "200", "--seed", "42", "--org", "demo-small", "--today", TODAY.isoformat())
    counts = row_counts()
    event_ids = list(TicketEvent.objects.order_by("id").values_list("id", flat=True))

    assert "Organization demo-small: imported" in output
    assert Ticket.objects.count() == 200
    assert set(Ticket.objects.values_list("state", flat=True)) == {
        "not_started", "active", "waiting", "done", "canceled", "unmapped",
    }  # fmt: skip
    assert StatusTransition.objects.filter(is_backflow=True).exists()
    assert TicketMetrics.objects.count() == 200
    assert Team.objects.filter(path__regex=r"^\d+\.\d+\.\d+$").exists()  # three levels
    assert Person.objects.filter(hidden_from_reports=True).count() == 1
    assert Person.objects.filter(needs_review=True).exists()  # the unknown CI bot
    assert set(Sprint.objects.values_list("state", flat=True)) == {"closed", "active", "future"}
    assert TicketEvent.objects.filter(kind="sprint", sprint_action="remove").exists()
    assert Commit.objects.filter(is_merge=True).exists() and Commit.objects.filter(rework_lines__gt=0).exists()
    assert PullRequest.objects.exists() and Deployment.objects.filter(caused_incident=True).exists()

    again = run("seed_demo", "--tickets", "200", "--seed", "42", "--org", "demo-small", "--today", TODAY.isoformat())

    assert "already up to date" in again
    assert row_counts() == counts
    assert list(TicketEvent.objects.order_by("id").values_list("id", flat=True)) == event_ids


def test_several_demo_organizations_share_a_database():
    run("seed_demo", "--tickets", "40", "--org", "first", "--today", TODAY.isoformat())
    run("seed_demo", "--tickets", "40", "--org", "second", "--today", TODAY.isoformat())
    counts = row_counts()

    again = run("seed_demo", "--tickets", "40", "--org", "second", "--today", TODAY.isoformat())

    first, second = Organization.objects.get(slug="first"), Organization.objects.get(slug="second")
    assert (
        Ticket.objects.filter(organization=first).count() == Ticket.objects.filter(organization=second).count() == 40
    )
    assert Team.objects.filter(organization=first).order_by("id").first().id == 100
    assert Team.objects.filter(organization=second).order_by("id").first().id == 100_000_100
    assert "already up to date" in again and row_counts() == counts
