"""Syncing from a server shaped like GitHub: `Link` paging in pages of 5, a 403 secondary rate
limit waited out, every pull request's times as the records say, a second run that costs only 304s
and writes nothing, bad tokens, and the same rows as `import_github --from-dir`."""

import pytest
from django.core.management import call_command
from django.db import connection as db_connection

from accounts.models import Person
from coding.models import PullRequest, PullRequestReview
from connectors.github.models import GitHubConnection
from connectors.services import connection_run
from tests.connectors.github.conftest import make_connection
from tests.connectors.github.expected import pull_times
from tests.connectors.github.fake_github import (
    CORPUS,
    DEFAULT_CORPUS,
    REPOSITORY,
    Fault,
    corpus_list,
    corpus_pulls,
)
from tests.connectors.github.rows import written_rows
from tests.support.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db
PULLS = f"/repos/{REPOSITORY}/pulls"


def run(connection: GitHubConnection, *, full: bool = False):
    return connection_run(source_name="github", connection_id=connection.pk, full=full)


def test_sync_pages_by_link_waits_out_a_secondary_limit_and_matches_every_record(github, connection):
    github.faults = [Fault(PULLS, 403, {"Retry-After": "1"})]

    outcome = run(connection)

    assert outcome.error == ""
    pulls = corpus_pulls()
    assert len(pulls) == 41 or CORPUS != DEFAULT_CORPUS
    assert PullRequest.objects.filter(organization=connection.organization).count() == len(pulls)
    listed = [request for request in github.requests if request.path == PULLS]
    pages = (len(pulls) + 4) // 5
    assert len(listed) == 1 + pages  # the 403, then the pull requests in pages of 5
    assert [request.query.get("page", ["1"])[0] for request in listed[1:]] == [str(n) for n in range(1, pages + 1)]
    assert outcome.counts["pull requests read"] == len(pulls)
    stored = {pull.number: pull for pull in PullRequest.objects.filter(organization=connection.organization)}
    for number, want in pull_times().items():
        got = stored[number]
        assert (got.created_at, got.merged_at, got.closed_at, got.first_review_at, got.first_commit_at) == (
            want.created,
            want.merged,
            want.closed,
            want.first_review,
            want.first_commit,
        ), number
    reviews = sum(len([r for r in corpus_list(p["number"], "reviews") if r.get("submitted_at")]) for p in pulls)
    assert PullRequestReview.objects.filter(organization=connection.organization).count() == reviews
    by_login = {pull["user"]["login"] for pull in pulls}
    assert set(Person.objects.filter(organization=connection.organization).values_list("name", flat=True)) >= by_login
    connection.refresh_from_db()
    assert connection.last_error == "" and connection.cursor["repositories"][REPOSITORY]["pulls_etag"]


def test_a_second_run_with_nothing_changed_costs_only_304s_and_writes_nothing(github, connection):
    assert run(connection).error == ""
    before = written_rows(connection.organization)
    github.requests.clear()

    outcome = run(connection)

    assert outcome.error == ""
    conditional = [request for request in github.requests if "if-none-match" in request.headers]
    assert conditional and len(conditional) == len(github.requests)
    assert outcome.counts["not modified (304)"] == len(conditional)
    assert not [name for name in outcome.counts if name.endswith(("created", "updated", "deleted"))]
    assert written_rows(connection.organization) == before


def test_a_changed_pull_request_is_read_again_and_only_it(github, connection, tmp_path):
    assert run(connection).error == ""
    pulls = corpus_pulls()
    newest = max(pulls, key=lambda pull: pull["updated_at"])
    changed = {**newest, "title": "Renamed CORE-7", "updated_at": "2030-01-01T00:00:00Z"}
    github.saved._cache["pulls.json"] = [changed if p["number"] == newest["number"] else p for p in pulls]
    github.requests.clear()

    outcome = run(connection)

    assert outcome.error == "" and outcome.counts["pull requests read"] == 1
    assert PullRequest.objects.get(number=newest["number"]).title == "Renamed CORE-7"
    assert PullRequest.objects.get(number=newest["number"]).ticket_keys == ["CORE-7"]


def test_a_wrong_token_stops_the_run_with_a_clear_message_and_writes_nothing(github, db):
    connection = make_connection(github, token="ghp_wrong")

    outcome = run(connection)

    assert "HTTP 401" in outcome.error and "token" in outcome.error
    connection.refresh_from_db()
    assert connection.last_error == outcome.error and "ghp_wrong" not in connection.last_error
    assert not PullRequest.objects.exists()


def test_a_missing_repository_is_a_404_message(github, db):
    connection = make_connection(github, repositories="panjf2000/nope")
    outcome = run(connection)
    assert "HTTP 404" in outcome.error and "repository" in outcome.error


def test_people_match_by_commit_email_and_unknown_ones_are_flagged(github, db):
    organization = OrganizationFactory(slug="acme")
    andy = PersonFactory(organization=organization, name="Andy Pan", email="panjf2000@gmail.com")
    connection = make_connection(github, organization=organization)

    assert run(connection).error == ""

    assert not Person.objects.filter(organization=organization, name="panjf2000").exists()
    assert PullRequestReview.objects.filter(reviewer=andy).count() == len(
        [r for p in corpus_pulls() for r in corpus_list(p["number"], "reviews") if r["user"]["login"] == "panjf2000"]
    )
    andy.refresh_from_db()
    assert andy.needs_review is False
    assert Person.objects.get(organization=organization, name="KevinBaiSg").needs_review is True


def test_import_github_from_dir_writes_the_same_rows_as_a_sync(github, connection):
    assert run(connection).error == ""
    other = OrganizationFactory(slug="files", name="Files")

    call_command("import_github", "--org", "files", "--repository", REPOSITORY, "--from-dir", str(CORPUS))

    assert written_rows(other) == written_rows(connection.organization)
    call_command("import_github", "--org", "files", "--repository", REPOSITORY, "--from-dir", str(CORPUS))
    assert written_rows(other) == written_rows(connection.organization)


def test_the_token_column_holds_no_plaintext(github, connection):
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT token FROM github_connector_githubconnection WHERE id = %s", [connection.pk])
        (stored,) = cursor.fetchone()
    assert github.token not in stored and stored.startswith("fernet:")
    assert GitHubConnection.objects.get(pk=connection.pk).token == github.token


def test_sync_connections_and_the_beat_task_run_github_connections(github, connection, capsys):
    from connectors.services import due_connections

    assert ("github", connection.pk) in due_connections()
    call_command("sync_connections", "--name", connection.name)
    out = capsys.readouterr().out
    total = len(corpus_pulls())
    assert f"{REPOSITORY}: {total} pull requests read and written" in out
    assert "ants: " in out and f"{total} pull requests created" in out
    connection.refresh_from_db()
    assert connection.last_run_counts["pull requests created"] == total
    assert ("github", connection.pk) not in due_connections()


def test_import_github_live_with_a_token_and_api_url(github, db, capsys):
    call_command(
        "import_github", "--org", "live", "--repository", REPOSITORY, "--token", github.token, "--api-url", github.url
    )
    connection = GitHubConnection.objects.get(name=f"live:github:{REPOSITORY}")
    assert connection.enabled is False and connection.token == github.token and connection.api_url == github.url
    assert PullRequest.objects.filter(organization=connection.organization).count() == len(corpus_pulls())
    assert "pull requests created" in capsys.readouterr().out
