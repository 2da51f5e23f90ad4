"""import_bundle, seed_demo, import_git and rebuild_metrics report progress on stderr while they
run (here with a forced refresh interval of 0 and small batches, so a small job reports often),
and their summary on stdout at the end."""

import json
import re
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Organization
from imports.demo.bundle import demo_bundle
from metrics.models import StatusInterval, TicketMetrics
from tests.support.factories import OrganizationFactory
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 30)
LINE = re.compile(
    r"^(?P<name>\w+): (?P<stage>[^0-9]+?)(?: (?P<done>\d+)(?:/(?P<total>\d+) \(\d+%\))?)?, \d+s elapsed$"
)


@pytest.fixture(autouse=True)
def every_report_prints(settings, monkeypatch):
    settings.PROGRESS_LINE_SECONDS = 0
    monkeypatch.setattr("imports.writes.tickets.TICKET_CHUNK", 25)
    monkeypatch.setattr("metrics.services.BATCH_SIZE", 30)


def run(*args) -> tuple[str, list[re.Match]]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    return out.getvalue(), matches


def counts(lines: list[re.Match], stage: str) -> list[tuple[int, int]]:
    return [(int(m["done"]), int(m["total"])) for m in lines if m["stage"] == stage and m["done"]]


def test_import_bundle_prints_progress_while_it_runs(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(demo_bundle(tickets=100, seed=3, slug="progress", today=TODAY)))

    out, lines = run("import_bundle", str(path))

    assert {m["name"] for m in lines} == {"import_bundle"}
    stages = list(dict.fromkeys(m["stage"] for m in lines))
    assert stages == [
        "reading", "validating", "organization, teams, people, projects, sprints", "tickets",
        "repositories, commits, pull requests, deployments", "coding days",
    ]  # fmt: skip
    assert counts(lines, "tickets") == [(0, 100), (25, 100), (50, 100), (75, 100), (100, 100)]
    assert out.splitlines()[0] == "Organization progress: imported"  # the summary, at the end
    assert "per-ticket metrics recomputed for 100 ticket(s)" in out


def test_import_bundle_is_quiet_when_quick(settings, tmp_path):
    settings.PROGRESS_LINE_SECONDS = 3600
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(demo_bundle(tickets=30, seed=3, slug="quick", today=TODAY)))

    out, lines = run("import_bundle", str(path))

    assert lines == [] and "Organization quick: imported" in out


def test_seed_demo_prints_progress():
    out, lines = run("seed_demo", "--tickets", "60", "--org", "seeded", "--today", TODAY.isoformat())

    assert lines[0]["name"] == "seed_demo" and lines[0]["stage"] == "generating"
    assert counts(lines, "tickets")[-1] == (60, 60)
    assert "Organization seeded: imported" in out and out.rstrip().splitlines()[-1].startswith("Imported in")


def test_rebuild_metrics_rebuilds_one_organization():
    run("seed_demo", "--tickets", "70", "--org", "one", "--today", TODAY.isoformat())
    run("seed_demo", "--tickets", "40", "--org", "other", "--today", TODAY.isoformat())
    one, other = Organization.objects.get(slug="one"), Organization.objects.get(slug="other")
    expected = sorted(TicketMetrics.objects.filter(organization=one).values_list("ticket_id", "cycle_time_seconds"))
    other_rebuilt_at = other.metrics_computed_at
    TicketMetrics.objects.filter(organization=one).update(cycle_time_seconds=1)
    StatusInterval.objects.filter(organization=one).delete()

    out, lines = run("rebuild_metrics", "--org", "one")

    restored = sorted(TicketMetrics.objects.filter(organization=one).values_list("ticket_id", "cycle_time_seconds"))
    assert restored == expected
    assert StatusInterval.objects.filter(organization=one).exists()
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.metrics_computed_at is not None and other.metrics_computed_at == other_rebuilt_at
    assert counts(lines, "one") == [(0, 70), (30, 70), (60, 70), (70, 70)]
    assert re.fullmatch(r"Organization one: 70 ticket\(s\) rebuilt in \d+\.\ds\n", out)


def test_rebuild_metrics_without_org_rebuilds_every_organization():
    OrganizationFactory(slug="b-empty")
    OrganizationFactory(slug="a-empty")

    out, _lines = run("rebuild_metrics")

    assert [line.split(":")[0] for line in out.splitlines()] == ["Organization a-empty", "Organization b-empty"]
    assert all(org.metrics_computed_at for org in Organization.objects.all())


def test_rebuild_metrics_names_an_unknown_organization():
    with pytest.raises(CommandError, match="No organization with slug 'nope'"):
        call_command("rebuild_metrics", "--org", "nope", stdout=StringIO(), stderr=StringIO())


def test_import_git_prints_progress(tmp_path):
    OrganizationFactory(slug="git")
    repo = GitRepo(tmp_path / "repo")
    for index in range(3):
        repo.write("a.txt", [f"line {index}"])
        repo.commit(f"c{index}", author=("Ada", "ada@git.test"), when=datetime(2025, 6, 2, 9 + index, tzinfo=UTC))

    out, lines = run("import_git", str(repo.path), "--repository", "core", "--org", "git")

    assert [(m["stage"], m["done"]) for m in lines if m["stage"] == "commits"] == [
        ("commits", None), ("commits", "1"), ("commits", "2"), ("commits", "3"),
    ]  # fmt: skip
    assert "Repository core: imported 3 commit(s)" in out


def test_import_bundle_reports_the_refresh_of_stored_tickets_when_a_setting_changed(tmp_path):
    bundle = demo_bundle(tickets=60, seed=3, slug="setting", today=TODAY)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    run("import_bundle", str(path))
    bundle["organization"]["settings"]["backflow_counts_intra_lane_changes"] = False
    path.write_text(json.dumps(bundle))

    out, lines = run("import_bundle", str(path))

    assert counts(lines, "per-ticket metrics of stored tickets")[-1][0] == 60
    assert "per-ticket metrics recomputed for 60 ticket(s)" in out
