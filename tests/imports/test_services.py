"""bundle_import: the example of docs/bundle-format.md, idempotence, rejection of bad bundles, id clashes, commit
authors, help-desk facts and re-imports of a changed history."""

import copy
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps

from accounts.models import Organization, Person, PersonAlias, Team
from accounts.services import team_create
from coding.models import Commit, DeploymentCommit, PersonCodingDay
from imports.services import bundle_import
from imports.validation.index import BundleInvalid
from metrics.models import StatusTransition, TicketCredit, TicketMetrics
from tests.support.factories import ApiKeyFactory, OrganizationFactory, TeamFactory, bearer_client
from tickets.models import Helper, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

EXAMPLE_BUNDLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "example-bundle.json"


def spec_bundle() -> dict:
    return json.loads(EXAMPLE_BUNDLE.read_text())


def every_row() -> dict[str, list[dict]]:
    """A full dump of every table (all columns, ids included)."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in apps.get_models()}


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_importing_the_spec_example_twice_yields_identical_rows():
    first = bundle_import(data=spec_bundle())
    after_first = every_row()
    second = bundle_import(data=spec_bundle())

    assert first.changed and not second.changed
    assert second.tickets_refreshed == 0
    assert every_row() == after_first
    assert TicketEvent.objects.filter(ticket_id=9001).count() == 7


def test_spec_example_ticket_metrics():
    bundle_import(data=spec_bundle())

    metrics = TicketMetrics.objects.get(ticket_id=9001)
    # First active 2024-06-02T09:05Z, done 2024-06-05T16:00Z: 78.92 hours.
    assert metrics.first_active_at == at("2024-06-02T09:05:00Z")
    assert metrics.cycle_time_seconds == 284100
    # One comment (weight 2) and one description edit (weight 1) while active, weights sum to 4;
    # the assignee change at 09:00 happened while not started.
    assert metrics.jitter == 75.0
    assert (metrics.jitter_comments, metrics.jitter_description_edits, metrics.jitter_assignee_changes) == (1, 1, 0)
    assert list(TicketCredit.objects.filter(ticket_id=9001).values_list("person_id", flat=True)) == [1001]


def test_spec_example_ticket_row_and_history():
    bundle_import(data=spec_bundle())

    ticket = Ticket.objects.select_related("status").get(id=9001)
    assert (ticket.status.external_id, ticket.status.name, ticket.state) == (6, "Done", "done")
    assert ticket.story_points == Decimal("5")
    assert ticket.assignee_id == ticket.reporter_id == 1001
    assert ticket.sprint_id == 77
    assert ticket.updated_at == ticket.resolved_at == ticket.closed_at == at("2024-06-05T16:00:00Z")
    assert ticket.closed_by_id == 1001
    status_changes = [
        (e.from_status.external_id, e.to_status.external_id)
        for e in TicketEvent.objects.filter(ticket=ticket, kind="status").select_related("from_status", "to_status")
    ]
    assert status_changes == [(1, 3), (3, 6)]
    points = TicketEvent.objects.get(ticket=ticket, kind="story_points")
    assert (points.from_value, points.to_value) == ("3", "5")
    assignee = TicketEvent.objects.get(ticket=ticket, kind="assignee")
    assert (assignee.from_person_id, assignee.to_person_id) == (None, 1001)


def test_spec_example_people_teams_and_coding_rows():
    bundle_import(data=spec_bundle())

    assert Team.objects.get(id=110).path == "100.110"
    assert set(PersonAlias.objects.filter(person_id=1001).values_list("value", flat=True)) == {
        "ada@acme.test",
        "ada@users.noreply.example",
    }
    commit = Commit.objects.get(sha="9fceb02d0ae598e95dc970b74767f19372d61af8")
    assert commit.author_id == 1001
    assert commit.authored_at == at("2024-06-03T08:00:00Z")
    assert (commit.author_utc_offset_minutes, commit.authored_local_date) == (120, date(2024, 6, 3))
    assert (commit.new_work_lines, commit.haloc, commit.rework_lines) == (10, 12, 0)
    assert DeploymentCommit.objects.get(deployment_id=6001).commit_id == commit.id


def test_bad_bundle_is_rejected_with_every_problem_and_nothing_written():
    bundle = spec_bundle()
    bundle["tickets"][0]["events"][1]["to"] = 99
    bundle["people"][0]["teams"] = [999]
    bundle["sprints"][0]["start"] = "2024-06-03 09:00"
    before = row_counts()

    with pytest.raises(BundleInvalid) as rejected:
        bundle_import(data=bundle)

    assert rejected.value.problems == [
        "people[0].teams[0]: unknown team 999",
        "sprints[0].start: expected an ISO 8601 timestamp with offset or Z, got '2024-06-03 09:00'",
        "tickets[0].events[1].to: unknown status 99 for project 500",
    ]
    assert row_counts() == before


def test_team_id_used_by_another_organization_is_a_problem_and_nothing_is_written():
    other = OrganizationFactory(slug="globex")
    TeamFactory(organization=other, id=100, name="Globex Engineering")
    before = row_counts()

    with pytest.raises(BundleInvalid) as rejected:
        bundle_import(data=spec_bundle())

    assert rejected.value.problems == ["teams[0].id: team id 100 is already used by another organization"]
    assert row_counts() == before


def test_project_key_held_by_another_project_of_the_organization_is_a_problem():
    bundle_import(data=spec_bundle())
    bundle = spec_bundle()
    bundle["projects"][0]["id"] = 501
    for section in ("sprints", "tickets"):
        for item in bundle[section]:
            item["project"] = 501

    with pytest.raises(BundleInvalid) as rejected:
        bundle_import(data=bundle)

    assert "projects[0].key: project key 'CORE' is already used by 500 in this organization" in rejected.value.problems


def test_unknown_commit_author_becomes_a_person_needing_review():
    bundle = spec_bundle()
    bundle["commits"][0]["author_email"] = "Stranger@Elsewhere.test"

    bundle_import(data=bundle)
    bundle_import(data=bundle)

    commit = Commit.objects.get()
    stranger = Person.objects.get(needs_review=True)
    assert commit.author == stranger
    assert stranger.email == "stranger@elsewhere.test"
    assert list(stranger.aliases.values_list("value", flat=True)) == ["stranger@elsewhere.test"]


def test_a_later_bundle_person_takes_over_an_unknown_authors_commits():
    bundle = spec_bundle()
    bundle["commits"][0]["author_email"] = "bob@acme.test"
    bundle_import(data=bundle)
    assert Commit.objects.get().author.needs_review

    bundle["people"].append({"id": 1002, "name": "Bob", "email": "bob@acme.test", "teams": [110]})
    bundle_import(data=bundle)

    assert Commit.objects.get().author_id == 1002
    assert not Person.objects.filter(needs_review=True).exists()


def test_reimporting_a_changed_history_only_touches_the_changed_events():
    bundle = spec_bundle()
    bundle_import(data=bundle)
    kept = set(TicketEvent.objects.exclude(kind="description_edit").values_list("id", flat=True))
    events = bundle["tickets"][0]["events"]
    events[:] = [e for e in events if e["type"] != "description_edit"]
    events.insert(0, {"at": "2024-06-04T10:00:00Z", "type": "comment", "by": 1001, "body": "ping", "public": False})

    summary = bundle_import(data=bundle)

    assert (summary.counts["ticket events"].created, summary.counts["ticket events"].deleted) == (1, 1)
    assert kept < set(TicketEvent.objects.values_list("id", flat=True))
    metrics = TicketMetrics.objects.get(ticket_id=9001)
    assert (metrics.jitter_comments, metrics.jitter_description_edits) == (2, 0)
    assert Ticket.objects.get(id=9001).last_message_at == at("2024-06-04T10:00:00Z")


def test_a_changed_workflow_mapping_re_derives_stored_tickets():
    bundle = spec_bundle()
    bundle_import(data=bundle)
    bundle["projects"][0]["statuses"][2]["lane"] = 2  # Blocked moves to the review lane
    bundle["projects"][0]["jitter_weights"]["comment"] = 3

    summary = bundle_import(data=bundle)

    assert summary.tickets_refreshed == 1
    assert TicketMetrics.objects.get(ticket_id=9001).jitter == pytest.approx(100 * 4 / 5)


def test_helpdesk_facts():
    bundle = spec_bundle()
    bundle["people"].append({"id": 1002, "name": "Helen Helper", "email": "helen@acme.test"})
    bundle["projects"].append(
        {
            "id": 510, "key": "HELP", "name": "Help", "kind": "helpdesk", "helpers": [1002],
            "statuses": [
                {"id": 1, "name": "Open", "lane": 0, "state": "not_started"},
                {"id": 2, "name": "In Progress", "lane": 1, "state": "active"},
                {"id": 4, "name": "Resolved", "lane": 2, "state": "done"},
            ],
        }
    )  # fmt: skip
    bundle["tickets"].append(
        {
            "id": 9101, "project": 510, "key": "HELP-12", "title": "VPN", "reporter": 1001,
            "created_at": "2024-06-01T10:00:00Z",
            "events": [
                {"at": "2024-06-01T10:30:00Z", "type": "comment", "by": 1001, "body": "still there?"},
                {"at": "2024-06-01T11:00:00Z", "type": "comment", "by": 1002, "body": "looking", "public": False},
                {"at": "2024-06-01T11:05:00Z", "type": "status", "to": 2, "by": 1002},
                {"at": "2024-06-01T12:00:00Z", "type": "status", "to": 4, "by": 1002},
                {"at": "2024-06-02T09:00:00Z", "type": "status", "to": 1, "by": 1001},
                {"at": "2024-06-02T10:00:00Z", "type": "comment", "by": 1002, "body": "fixed"},
                {"at": "2024-06-02T10:01:00Z", "type": "status", "to": 4, "by": 1002},
            ],
        }
    )  # fmt: skip

    bundle_import(data=bundle)

    ticket = Ticket.objects.get(id=9101)
    assert list(Helper.objects.filter(project_id=510).values_list("person_id", flat=True)) == [1002]
    assert ticket.number == 12
    assert ticket.first_helper_response_at == at("2024-06-01T11:00:00Z")
    assert (ticket.closed_at, ticket.closed_by_id) == (at("2024-06-02T10:01:00Z"), 1002)
    assert ticket.reopened_by_id == 1001
    assert (ticket.last_message_at, ticket.last_message_by_id) == (at("2024-06-02T10:00:00Z"), 1002)
    assert ticket.state == "done"


def test_events_in_any_order_are_ordered_by_time():
    bundle = spec_bundle()
    shuffled = copy.deepcopy(bundle)
    shuffled["tickets"][0]["events"].reverse()

    bundle_import(data=shuffled)
    reversed_rows = every_row()["tickets.TicketEvent"]
    TicketEvent.objects.all().delete()
    bundle_import(data=bundle)

    def without_ids(rows):
        return sorted((r["at"], r["kind"], r["from_status_id"], r["to_status_id"]) for r in rows)

    assert without_ids(every_row()["tickets.TicketEvent"]) == without_ids(reversed_rows)


def test_automatic_ids_continue_after_imported_ids():
    summary = bundle_import(data=spec_bundle())
    organization = Team.objects.get(id=100).organization

    team = team_create(organization=organization, name="Later")

    assert summary.organization == "acme"
    assert team.id not in (100, 110)
    assert StatusTransition.objects.filter(ticket_id=9001).count() == 2


def test_a_changed_organization_setting_re_derives_every_ticket():
    bundle = spec_bundle()
    bundle_import(data=bundle)
    bundle["organization"]["settings"]["backflow_counts_intra_lane_changes"] = False

    summary = bundle_import(data=bundle)

    assert summary.counts["organization"].updated == 1
    assert summary.tickets_refreshed == 1
    assert not Team.objects.get(id=100).organization.backflow_counts_intra_lane_changes


def test_a_deployment_may_ship_commits_stored_by_an_earlier_import():
    bundle_import(data=spec_bundle())
    later = spec_bundle()
    later["commits"] = []
    later["deployments"][0].update(id=6002, deployed_at="2024-06-05T12:00:00Z")

    bundle_import(data=later)

    assert DeploymentCommit.objects.get(deployment_id=6002).commit.sha == "9fceb02d0ae598e95dc970b74767f19372d61af8"


def test_a_stored_ticket_without_derived_values_is_refreshed_on_reimport():
    bundle_import(data=spec_bundle())
    TicketMetrics.objects.all().delete()

    summary = bundle_import(data=spec_bundle())

    assert summary.tickets_refreshed == 1
    assert TicketMetrics.objects.get(ticket_id=9001).cycle_time_seconds == 284100


def test_imported_commits_are_rolled_up_into_coding_days_that_the_route_reads():
    first = bundle_import(data=spec_bundle())
    day = PersonCodingDay.objects.get()
    assert first.coding_days == 1
    assert (day.person_id, day.day, day.commits, day.additions) == (1001, date(2024, 6, 3), 1, 10)

    again = bundle_import(data=spec_bundle())
    assert again.coding_days == 0 and PersonCodingDay.objects.get().id == day.id

    bundle = spec_bundle()
    recent = date.today() - timedelta(days=10)
    bundle["commits"][0].update(additions=40, authored_at=f"{recent.isoformat()}T10:00:00+02:00")
    assert bundle_import(data=bundle).coding_days == 1
    assert (PersonCodingDay.objects.get().day, PersonCodingDay.objects.get().additions) == (recent, 40)

    client = bearer_client(ApiKeyFactory(user__organization=Organization.objects.get(slug="acme")).plaintext)
    response = client.get(
        "/v3/customer/metrics/code_fundamentals/period_metrics/",
        {"start_date": (recent - timedelta(days=20)).isoformat(), "resolution": "period"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1
