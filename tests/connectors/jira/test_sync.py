"""Syncing from a server shaped like Jira: Cloud and Data Center paging, retries, idempotence,
incremental changes, bad credentials, and the same rows as `import_jira --from-dir`."""

import logging
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection as db_connection

from accounts.models import Person
from connectors.jira.models import JiraConnection
from connectors.jira.text import utc_iso
from connectors.models import ExternalId
from connectors.services import connection_run
from tests.connectors.jira.conftest import make_connection
from tests.connectors.jira.fake_jira import CORPUS, SITE_TIME_ZONE, FakeJira, Fault, corpus_issues
from tests.connectors.jira.rows import written_rows
from tests.support.factories import OrganizationFactory, PersonFactory
from tickets.models import Sprint, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

CORPUS_ISSUES = len(corpus_issues())
LATEST_UPDATE = max(utc_iso(issue["fields"]["updated"]) for issue in corpus_issues())


def run(connection: JiraConnection, *, full: bool = False):
    return connection_run(source_name="jira", connection_id=connection.pk, full=full)


def search_requests(site: FakeJira) -> list:
    return [r for r in site.requests if "/search" in r.path]


def test_cloud_sync_pages_by_next_page_token_and_survives_429_and_500(jira, connection):
    jira.faults = [
        Fault("/rest/api/3/search/jql", 429, {"Retry-After": "1"}),
        Fault("/rest/api/3/issue/", 500),
    ]
    outcome = run(connection)

    assert outcome.error == ""
    assert Ticket.objects.filter(organization=connection.organization).count() == CORPUS_ISSUES
    searches = search_requests(jira)
    assert all(r.path == "/rest/api/3/search/jql" for r in searches)
    assert len(searches) == 1 + (CORPUS_ISSUES + 1) // 2  # the 429, then pages of two
    assert sum(1 for r in searches if "nextPageToken" in r.query) == (CORPUS_ISSUES + 1) // 2 - 1
    assert any(r.path.endswith("/changelog") for r in jira.requests)  # embedded changelogs were partial
    assert outcome.counts["issues fetched"] == CORPUS_ISSUES
    assert outcome.counts["tickets created"] == CORPUS_ISSUES
    connection.refresh_from_db()
    assert connection.last_error == "" and connection.last_success_at is not None
    assert connection.last_run_counts["tickets created"] == CORPUS_ISSUES
    assert connection.cursor["updated"] == LATEST_UPDATE
    assert connection.cursor["story_points_field"] == "customfield_10024"


def test_data_center_sync_pages_by_start_at_and_gives_the_same_rows(jira, jira_dc):
    cloud = make_connection(jira)
    other = OrganizationFactory(slug="dc", name="Acme")
    center = make_connection(jira_dc, organization=other, name="ee-dc")
    assert run(cloud).error == "" and run(center).error == ""

    searches = search_requests(jira_dc)
    assert {r.path for r in searches} == {"/rest/api/2/search"}
    assert [int(r.query["startAt"][0]) for r in searches] == list(range(0, CORPUS_ISSUES, 2))
    assert written_rows(other) == written_rows(cloud.organization)


def test_import_jira_from_dir_gives_the_same_rows_as_the_sync(jira, connection, capsys):
    run(connection)
    call_command(
        "import_jira", "--org", "files", "--from-dir", str(CORPUS), "--story-points-field", "customfield_10024"
    )
    out = capsys.readouterr().out
    assert f"{CORPUS_ISSUES} issues fetched and written" in out
    assert f"{CORPUS_ISSUES} tickets created" in out

    files = OrganizationFactory._meta.model.objects.get(slug="files")
    assert written_rows(files) == written_rows(connection.organization)
    assert Ticket.objects.filter(organization=files).count() == CORPUS_ISSUES


def test_a_second_sync_with_nothing_changed_writes_nothing(jira, connection, django_assert_max_num_queries):
    run(connection)
    before = written_rows(connection.organization)
    events = TicketEvent.objects.count()

    outcome = run(connection)

    assert outcome.error == ""
    assert set(outcome.counts) == {"issues fetched"}  # nothing created, updated or deleted
    assert written_rows(connection.organization) == before
    assert TicketEvent.objects.count() == events
    # Incremental: only issues updated since the cursor minus the overlap are asked for.
    last_search = search_requests(jira)[-1]
    since = datetime.fromisoformat(LATEST_UPDATE) - timedelta(minutes=10)
    local = since.astimezone(ZoneInfo(SITE_TIME_ZONE)).strftime("%Y/%m/%d %H:%M")
    assert f'updated >= "{local}"' in last_search.query["jql"][0]


def test_a_status_change_adds_exactly_that_event(jira, connection):
    run(connection)
    ticket = Ticket.objects.get(key="K5-2")
    before = list(TicketEvent.objects.filter(ticket=ticket).values_list("id", flat=True))
    jira.move("K5-2", to_status={"id": "3", "name": "In Progress"}, at="2030-01-02T10:00:00.000+0800",
              author_id="5e9711ba34f7b90c0fbc37d3")  # fmt: skip

    outcome = run(connection)

    assert outcome.counts["ticket events created"] == 1
    assert outcome.counts["tickets updated"] == 1
    new = TicketEvent.objects.filter(ticket=ticket).exclude(id__in=before).get()
    assert (new.kind, new.to_status.external_id, new.from_status.external_id) == ("status", 3, 10033)
    assert new.at.isoformat() == "2030-01-02T02:00:00+00:00"
    ticket.refresh_from_db()
    assert ticket.state == "active" and ticket.status.name == "In Progress"
    assert TicketEvent.objects.filter(ticket=ticket).count() == len(before) + 1


def test_a_wrong_token_leaves_a_401_message_and_writes_nothing(jira, db):
    connection = make_connection(jira, token="wrong-token")
    outcome = run(connection)

    connection.refresh_from_db()
    assert "HTTP 401" in connection.last_error and "credentials" in connection.last_error
    assert outcome.error == connection.last_error
    assert connection.last_success_at is None
    assert not Ticket.objects.exists() and not ExternalId.objects.exists() and not Sprint.objects.exists()


def test_a_failing_page_keeps_the_committed_pages_and_the_cursor_before_it(jira, connection, settings):
    settings.CONNECTORS_HTTP = {**settings.CONNECTORS_HTTP, "attempts": 2}
    jira.faults = [Fault("/rest/api/3/search/jql", 200)]  # placeholder replaced below
    jira.faults = []
    pages_served = []

    original = jira.server.handler

    def third_page_fails(request):
        if request.path == "/rest/api/3/search/jql":
            pages_served.append(request)
            if len(pages_served) >= 3:
                from tests.connectors.server import Reply

                return Reply(503, {"errorMessages": ["maintenance"]})
        return original(request)

    jira.server.handler = third_page_fails
    outcome = run(connection)

    assert "HTTP 503" in outcome.error
    assert Ticket.objects.count() == 4  # two whole pages, nothing of the third
    connection.refresh_from_db()
    newest = max(t.updated_at for t in Ticket.objects.all())
    assert connection.cursor["updated"] <= newest.isoformat().replace("+00:00", "Z")
    assert connection.last_error.startswith("GET /rest/api/3/search/jql: HTTP 503")


def test_the_token_is_encrypted_at_rest_and_never_logged(jira, connection, caplog):
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT token FROM jira_connector_jiraconnection WHERE id = %s", [connection.pk])
        (stored,) = cursor.fetchone()
    assert jira.token not in stored and stored.startswith("fernet:")
    assert JiraConnection.objects.get(pk=connection.pk).token == jira.token

    caplog.set_level(logging.DEBUG)
    jira.faults = [Fault("/rest/api/3/search/jql", 429, {"Retry-After": "0"})]
    run(connection)
    bad = make_connection(jira, name="bad", organization=connection.organization, token="wrong-secret-value")
    run(bad)
    assert caplog.records  # the retry and the failure were logged
    for record in caplog.records:
        message = record.getMessage()
        assert jira.token not in message and "wrong-secret-value" not in message


def test_full_sync_reports_tickets_the_site_no_longer_returns(jira, connection):
    run(connection)
    jira.issues = [issue for issue in jira.issues if issue["key"] != "EE-5"]

    outcome = run(connection, full=True)

    assert "1 ticket(s) the site no longer returns (kept): EE-5" in "\n".join(outcome.lines)
    assert Ticket.objects.filter(key="EE-5").exists()
    assert "updated >= " not in search_requests(jira)[-1].query["jql"][0]


def test_people_are_matched_by_email_and_unknown_ones_flagged_once(jira, connection):
    known = PersonFactory(organization=connection.organization, name="Kevin", email="kevin.lin@merico.dev")
    jira.users["5e9711ba34f7b90c0fbc37d3"]["emailAddress"] = "Kevin.Lin@merico.dev"
    run(connection)
    run(connection, full=True)

    reporter_ids = set(Ticket.objects.filter(key__startswith="EE").values_list("reporter_id", flat=True))
    assert known.id in reporter_ids
    created = Person.objects.filter(organization=connection.organization, needs_review=True)
    assert created.exists()
    names = list(created.values_list("name", flat=True))
    assert len(names) == len(set(names))  # never duplicated by a re-sync
    assert not Person.objects.get(id=known.id).needs_review


def test_a_run_skips_a_locked_connection(jira, connection):
    from connectors.services import connection_lock_acquire

    assert connection_lock_acquire(connection=connection)
    outcome = run(connection)
    assert outcome.ran is False and not Ticket.objects.exists()
    assert not jira.requests


def test_sync_connections_command_runs_named_connections(jira, connection, capsys):
    call_command("sync_connections", "--name", connection.name)
    out = capsys.readouterr().out
    assert "issues fetched and written" in out
    assert f"{connection.name}: {CORPUS_ISSUES} issues fetched" in out
    assert Ticket.objects.count() == CORPUS_ISSUES


def test_unknown_fields_path_corpus_is_present():
    assert Path(CORPUS, "status.json").exists()


def test_admin_choices_survive_a_full_resync(jira, connection):
    from tickets.models import Helper, Project, Status

    run(connection)
    project = Project.objects.get(organization=connection.organization, key="EE")
    project.comment_weight, project.kind = 3, "helpdesk"
    project.save()
    helper = PersonFactory(organization=connection.organization)
    Helper.objects.create(organization=connection.organization, project=project, person=helper)
    in_progress = Status.objects.get(project=project, external_id=3)
    in_progress.is_waiting, in_progress.position, in_progress.name = True, 0, "Renamed in Tally"
    in_progress.save()
    reviewed = Person.objects.filter(organization=connection.organization, needs_review=True).first()
    reviewed.needs_review, reviewed.name = False, "Confirmed Name"
    reviewed.save()

    run(connection, full=True)

    project.refresh_from_db()
    assert (project.comment_weight, project.kind) == (3, "helpdesk")
    assert list(Helper.objects.filter(project=project).values_list("person_id", flat=True)) == [helper.id]
    in_progress.refresh_from_db()
    assert in_progress.is_waiting and in_progress.position == 0
    assert in_progress.name == "In Progress"  # names follow Jira
    reviewed.refresh_from_db()
    assert (reviewed.needs_review, reviewed.name) == (False, "Confirmed Name")


def test_import_jira_live_with_a_personal_access_token(jira_dc, capsys):
    call_command(
        "import_jira", "--org", "live", "--url", jira_dc.url, "--pat", jira_dc.token, "--jql", "project = EE",
        "--board", "8",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert f"live:127.0.0.1:{jira_dc.url.rsplit(':', 1)[1]}: {CORPUS_ISSUES} issues fetched" in out
    connection = JiraConnection.objects.get(organization__slug="live")
    assert connection.flavour == "datacenter" and not connection.enabled
    assert connection.token == jira_dc.token
    assert search_requests(jira_dc)[0].query["jql"][0].startswith("(project = EE)")


def test_import_jira_live_with_a_wrong_token_fails_clearly(jira):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="HTTP 401"):
        call_command("import_jira", "--org", "live", "--url", jira.url, "--email", jira.email, "--token", "nope")
    assert not Ticket.objects.exists()
