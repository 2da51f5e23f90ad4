"""GitHub sync services: a connection's scheduled or manual run, a webhook's refresh of one pull
request, and the import of a directory of saved responses (the same run over saved files).

A run reads, per repository: pull requests changed since the last run (newest first, stopping at
the cursor; the first page asked with `If-None-Match`, so an unchanged repository costs a 304),
each with its sizes, reviews and commits; deployments from the chosen source; and issues as
tickets when chosen. Every page is written whole through the bundle import; the cursor (times and
ETags) moves only when a repository's phase is complete, so a failed run re-reads, never skips."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from accounts.models import Organization
from connectors.errors import ConnectorError, RemoteNotFound
from connectors.github.client import GitHubClient
from connectors.github.deployments import deployment_batches
from connectors.github.files import saved_transport
from connectors.github.issues import issues_sync
from connectors.github.mapping import has_sizes, pull_request_facts
from connectors.github.models import GitHubConnection
from connectors.github.writer import Batch, BatchWriter
from imports.services import ImportSummary

logger = logging.getLogger(__name__)
KEPT_COUNTS = ("pull requests", "pull request reviews", "pull request tickets", "commits", "deployments",
               "deployment commits", "people", "tickets", "ticket events", "people needing review")  # fmt: skip


@dataclass
class GitHubRunSummary:
    """Counts of one run (stored on the connection)."""

    connection: str
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, value: int) -> None:
        if value or name in ("pull requests read",):
            self.counts[name] = self.counts.get(name, 0) + value

    def add_import(self, summary: ImportSummary) -> None:
        for name, counts in summary.counts.items():
            if name not in KEPT_COUNTS:
                continue
            for what in ("created", "updated", "deleted"):
                self.add(f"{name} {what}", getattr(counts, what))

    def writes(self) -> int:
        return sum(value for name, value in self.counts.items() if name.endswith(("created", "updated", "deleted")))

    def lines(self) -> list[str]:
        return [f"{self.connection}: " + ", ".join(f"{value} {name}" for name, value in self.counts.items())]


class RepositorySync:
    """One run over the repositories of one connection, with one client."""

    def __init__(self, *, connection: GitHubConnection, client: GitHubClient, progress, full: bool) -> None:
        self.connection = connection
        self.client = client
        self.progress = progress
        self.full = full
        self.writer = BatchWriter(organization=connection.organization, connection_id=connection.pk)
        self.summary = GitHubRunSummary(connection=connection.name)
        self.cursor = dict(connection.cursor or {})

    def state(self, repository: str) -> dict:
        return self.cursor.setdefault("repositories", {}).setdefault(repository, {})

    def save_cursor(self) -> None:
        GitHubConnection.objects.filter(pk=self.connection.pk).update(cursor=self.cursor)

    def write(self, batch: Batch) -> None:
        if batch.is_empty():
            return
        written = self.writer.write(batch)
        self.summary.add_import(written.summary)

    def repositories(self) -> list[str]:
        """`owner/name` entries as they are; `owner/*` expanded to the owner's repositories."""
        names: list[str] = []
        for entry in self.connection.repository_names():
            owner, name = entry.split("/", 1)
            if name != "*":
                names.append(entry)
                continue
            try:
                pages = list(self.client.pages(f"/orgs/{owner}/repos", params={"type": "all"}))
            except RemoteNotFound:
                pages = list(self.client.pages(f"/users/{owner}/repos"))
            names += [repo["full_name"] for page in pages for repo in page.items or [] if not repo.get("archived")]
        return list(dict.fromkeys(names))

    def run(self) -> GitHubRunSummary:
        for repository in self.repositories():
            html_url = f"https://github.com/{repository}"
            self.pull_requests(repository, html_url)
            if self.connection.deployment_source != GitHubConnection.DeploymentSource.NONE:
                for batch in deployment_batches(sync=self, repository=repository, html_url=html_url):
                    self.write(batch)
                self.save_cursor()
            if self.connection.issues_as_tickets:
                issues_sync(sync=self, repository=repository)
                self.save_cursor()
        self.summary.add("requests", self.client.requests_made)
        self.summary.add("not modified (304)", self.client.not_modified)
        return self.summary

    # --- pull requests ------------------------------------------------------------------------

    def pull_requests(self, repository: str, html_url: str) -> None:
        state = self.state(repository)
        since = None if self.full else state.get("pulls_updated")
        etag = "" if self.full else state.get("pulls_etag", "")
        newest, first_etag, read = since, None, 0
        params = {"state": "all", "sort": "updated", "direction": "desc"}
        for page in self.client.pages(f"/repos/{repository}/pulls", params=params, etag=etag):
            if first_etag is None:
                first_etag = page.etag
            if page.items is None:  # 304: nothing changed since the last run
                break
            changed = [pull for pull in page.items if since is None or pull["updated_at"] >= since]
            self.write(self.pull_request_batch(repository, html_url, changed))
            read += len(changed)
            self.summary.add("pull requests read", len(changed))
            newest = max([newest or "", *(pull["updated_at"] for pull in changed)]) or None
            self.progress(f"{repository}: {read} pull requests read and written")
            if len(changed) < len(page.items):
                break
        state["pulls_updated"] = newest
        state["pulls_etag"] = first_etag or etag
        self.save_cursor()

    def pull_request_batch(self, repository: str, html_url: str, pulls: list[dict]) -> Batch:
        batch = Batch(repository=repository, html_url=html_url)
        for pull in pulls:
            if not has_sizes(pull):
                pull = {**pull, **self.client.get(f"/repos/{repository}/pulls/{pull['number']}")}
            number = pull["number"]
            reviews = self.client.items(f"/repos/{repository}/pulls/{number}/reviews")
            commits = self.client.items(f"/repos/{repository}/pulls/{number}/commits")
            facts = pull_request_facts(pull, reviews=reviews, commits=commits)
            for commit in facts.commits:
                if commit.login and not commit.bot and commit.email:
                    batch.emails.setdefault(commit.login, set()).add(commit.email)
            batch.pull_requests.append(facts)
        return batch


def connection_sync(*, connection: GitHubConnection, full: bool = False, progress=None, client=None):
    """One run of a connection (the registry's sync function)."""
    client = client or GitHubClient.for_connection(connection)
    try:
        return RepositorySync(
            connection=connection, client=client, progress=progress or (lambda message: None), full=full
        ).run()
    finally:
        client.close()


def pull_request_refresh(*, connection: GitHubConnection, repository: str, number: int, client=None):
    """Re-read one pull request at once (a webhook said it changed); the cursor stays."""
    client = client or GitHubClient.for_connection(connection)
    try:
        sync = RepositorySync(connection=connection, client=client, progress=lambda message: None, full=False)
        pull = client.get(f"/repos/{repository}/pulls/{number}")
        sync.write(sync.pull_request_batch(repository, f"https://github.com/{repository}", [pull]))
        return sync.summary
    finally:
        client.close()


def directory_import(*, connection: GitHubConnection, directory: Path, progress=None) -> GitHubRunSummary:
    """Import saved responses (named as in docs/connectors-github.md) as a full run would."""
    if not Path(directory).is_dir():
        raise ConnectorError(f"{directory}: not a directory")
    client = GitHubClient(
        api_url="https://files.invalid",
        transport=saved_transport(Path(directory), repository=connection.repositories.strip()),
    )
    summary = connection_sync(connection=connection, full=True, progress=progress, client=client)
    now = timezone.now()
    GitHubConnection.objects.filter(pk=connection.pk).update(
        last_run_started_at=now, last_run_finished_at=now, last_success_at=now, last_run_counts=summary.counts,
        last_error="",
    )  # fmt: skip
    return summary


def import_connection(
    *,
    organization_slug: str,
    repository: str,
    name: str | None = None,
    api_url: str = "",
    token: str = "",
    options: dict | None = None,
) -> GitHubConnection:
    """The connection `import_github` runs under: found by name (default: the organization's slug
    and the repository), created disabled (no schedule) when new, updated with the options."""
    organization, _created = Organization.objects.get_or_create(
        slug=organization_slug, defaults={"name": organization_slug}
    )
    name = name or f"{organization_slug}:github:{repository}"[:100]
    connection = GitHubConnection.objects.filter(name=name).first()
    if connection is None:
        connection = GitHubConnection(name=name, organization=organization, enabled=False)
    elif connection.organization_id != organization.id:
        raise ValueError(f"connection {name!r} belongs to another organization")
    connection.repositories = repository
    if api_url:
        connection.api_url = api_url
    if token:
        connection.token = token
    for key, value in (options or {}).items():
        if value is not None:
            setattr(connection, key, value)
    connection.full_clean(exclude=["token", "webhook_secret"])
    connection.save()
    return connection
