"""Jira sync services: a connection's scheduled or manual run, a webhook's refresh of some issues,
and the import of a directory of saved responses. All of them read pages of issues and hand each
to the `PageWriter` (the bundle import); the cursor moves only with a committed page."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.utils import timezone

from accounts.models import Organization
from connectors.jira.client import JiraClient
from connectors.jira.mapping import Catalog, issue_facts
from connectors.jira.models import DEFAULT_CANCEL_RESOLUTIONS, JiraConnection
from connectors.jira.readers import DirectoryReader, LiveReader
from connectors.jira.writer import SOURCE, PageWriter
from connectors.models import ExternalId
from imports.services import ImportSummary
from tickets.models import Ticket

logger = logging.getLogger(__name__)
MISSING_KEYS_SHOWN = 20
EVERY_ISSUE_JQL = 'created >= "1970/01/01"'


@dataclass
class JiraRunSummary:
    """Counts of one run (stored on the connection) and, after a full run, the tickets the site
    no longer returns."""

    connection: str
    counts: dict[str, int] = field(default_factory=dict)
    missing_keys: list[str] = field(default_factory=list)

    def add(self, name: str, value: int) -> None:
        if value or name == "issues fetched":
            self.counts[name] = self.counts.get(name, 0) + value

    def add_import(self, summary: ImportSummary) -> None:
        for name, counts in summary.counts.items():
            if name in ("organization", "team memberships", "person aliases", "helpers"):
                continue
            for what in ("created", "updated", "deleted"):
                value = getattr(counts, what)
                if value:
                    self.add(f"{name} {what}", value)
        self.add("tickets refreshed", summary.tickets_refreshed)

    def lines(self) -> list[str]:
        lines = [f"{self.connection}: " + ", ".join(f"{value} {name}" for name, value in self.counts.items())]
        if self.missing_keys:
            shown = ", ".join(self.missing_keys[:MISSING_KEYS_SHOWN])
            more = len(self.missing_keys) - MISSING_KEYS_SHOWN
            lines.append(
                f"  {len(self.missing_keys)} ticket(s) the site no longer returns (kept): {shown}"
                + (f" and {more} more" if more > 0 else "")
            )
        return lines


def _write_pages(
    *,
    organization: Organization,
    connection_id: int,
    catalog: Catalog,
    pages: Iterable[list[dict]],
    summary: JiraRunSummary,
    progress: Callable[[str], None],
    before_write: Callable[[set[str]], None] | None = None,
    after_write: Callable[[str | None], None] | None = None,
    seen: set[str] | None = None,
) -> None:
    writer = PageWriter(organization=organization, connection_id=connection_id, catalog=catalog)
    summary.counts.setdefault("issues fetched", 0)
    for page in pages:
        if not page:
            continue
        facts = [issue_facts(issue, catalog) for issue in page]
        if before_write:
            before_write({account for fact in facts for account in fact.accounts})
        newest = max((fact.updated_at for fact in facts if fact.updated_at), default=None)
        written = writer.write(facts, after_write=(lambda newest=newest: after_write(newest)) if after_write else None)
        summary.add("issues fetched", len(facts))
        summary.add("people created", written.people_created)
        summary.add_import(written.summary)
        if seen is not None:
            seen.update(fact.jira_id for fact in facts)
        progress(
            f"{summary.counts['issues fetched']} issues fetched and written "
            f"({summary.counts.get('tickets created', 0)} tickets created, "
            f"{summary.counts.get('ticket events created', 0)} events added)"
        )


def connection_sync(*, connection: JiraConnection, full: bool = False, progress=None, client=None) -> JiraRunSummary:
    """One run of a connection: issues updated since the cursor (minus the overlap), or all of them
    with `full`, which also reports the tickets the site no longer returns."""
    progress = progress or (lambda message: None)
    client = client or JiraClient.for_connection(connection)
    reader = LiveReader(
        client=client, scope_jql=connection.scope_jql(), boards=connection.boards(),
        story_points_field=connection.story_points_field,
    )  # fmt: skip
    summary = JiraRunSummary(connection=connection.name)
    try:
        catalog = reader.catalog(cancelling=connection.cancelling())
        cursor = dict(connection.cursor or {})
        since = None
        if not full and cursor.get("updated"):
            since = datetime.fromisoformat(cursor["updated"]) - timedelta(minutes=connection.overlap_minutes)
        jql = reader.jql(since=since)
        progress(f"{connection.name}: reading {jql}")

        def advance(newest: str | None) -> None:
            if newest and newest > (cursor.get("updated") or ""):
                cursor["updated"] = newest
            cursor["story_points_field"] = catalog.fields.story_points or ""
            JiraConnection.objects.filter(pk=connection.pk).update(cursor=cursor)

        seen: set[str] = set()
        _write_pages(
            organization=connection.organization, connection_id=connection.pk, catalog=catalog,
            pages=reader.pages(catalog=catalog, jql=jql), summary=summary, progress=progress,
            before_write=lambda accounts: reader.fill_users(catalog=catalog, accounts=_unknown(connection, accounts)),
            after_write=advance, seen=seen if full else None,
        )  # fmt: skip
    finally:
        client.close()
    if full:
        summary.missing_keys = _missing_keys(connection_id=connection.pk, seen=seen)
    return summary


def issues_refresh(*, connection: JiraConnection, issue_ids: list[str], client=None) -> JiraRunSummary:
    """Re-read some issues at once (a webhook said they changed); the cursor stays."""
    client = client or JiraClient.for_connection(connection)
    reader = LiveReader(
        client=client, scope_jql=connection.scope_jql(), boards=connection.boards(),
        story_points_field=connection.story_points_field,
    )  # fmt: skip
    summary = JiraRunSummary(connection=connection.name)
    try:
        catalog = reader.catalog(cancelling=connection.cancelling())
        _write_pages(
            organization=connection.organization, connection_id=connection.pk, catalog=catalog,
            pages=reader.pages(catalog=catalog, jql=reader.jql(issue_ids=issue_ids)), summary=summary,
            progress=lambda message: None,
            before_write=lambda accounts: reader.fill_users(catalog=catalog, accounts=_unknown(connection, accounts)),
        )  # fmt: skip
    finally:
        client.close()
    return summary


def directory_import(
    *,
    connection: JiraConnection,
    directory: Path,
    progress=None,
) -> JiraRunSummary:
    """Import saved responses into the connection's organization, as a live run would."""
    reader = DirectoryReader(directory=directory, story_points_field=connection.story_points_field)
    catalog = reader.catalog(cancelling=connection.cancelling())
    summary = JiraRunSummary(connection=connection.name)
    _write_pages(
        organization=connection.organization, connection_id=connection.pk, catalog=catalog,
        pages=reader.pages(), summary=summary, progress=progress or (lambda message: None),
    )  # fmt: skip
    now = timezone.now()
    JiraConnection.objects.filter(pk=connection.pk).update(
        last_run_started_at=now, last_run_finished_at=now, last_success_at=now, last_run_counts=summary.counts,
        last_error="",
    )  # fmt: skip
    return summary


def import_connection(
    *,
    organization_slug: str,
    name: str | None = None,
    flavour: str = JiraConnection.Flavour.CLOUD,
    site_url: str = "",
    email: str = "",
    token: str = "",
    jql: str = "",
    boards: list[int] | None = None,
    story_points_field: str = "",
    cancel_resolutions: list[str] | None = None,
) -> JiraConnection:
    """The connection `import_jira` runs under: found by name (default: the organization's slug and
    the site, or "files"), created disabled (no schedule) when new, updated with the options."""
    organization, _created = Organization.objects.get_or_create(
        slug=organization_slug, defaults={"name": organization_slug}
    )
    host = site_url.split("://", 1)[-1].strip("/") if site_url else "files"
    name = name or f"{organization_slug}:{host}"[:100]
    connection = JiraConnection.objects.filter(name=name).first()
    if connection is None:
        connection = JiraConnection(name=name, organization=organization, enabled=False)
    elif connection.organization_id != organization.id:
        raise ValueError(f"connection {name!r} belongs to another organization")
    connection.flavour = flavour
    connection.site_url = site_url or connection.site_url or "https://files.invalid"
    connection.email = email or connection.email
    if token:
        connection.token = token
    # Jira Cloud refuses unbounded searches: "every issue" is bounded by a condition every issue meets.
    connection.jql = jql or connection.jql or ("" if connection.project_keys else EVERY_ISSUE_JQL)
    if boards is not None:
        connection.board_ids = ",".join(str(board) for board in boards)
    connection.story_points_field = story_points_field or connection.story_points_field
    connection.cancel_resolutions = list(
        cancel_resolutions or connection.cancel_resolutions or DEFAULT_CANCEL_RESOLUTIONS
    )
    connection.save()
    return connection


def _unknown(connection: JiraConnection, accounts: set[str]) -> set[str]:
    known = ExternalId.objects.filter(
        source=SOURCE, connection_id=connection.pk, kind="person", external_id__in=list(accounts)
    ).values_list("external_id", flat=True)
    return accounts - set(known)


def _missing_keys(*, connection_id: int, seen: set[str]) -> list[str]:
    mapped = dict(
        ExternalId.objects.filter(source=SOURCE, connection_id=connection_id, kind="ticket").values_list(
            "external_id", "internal_id"
        )
    )
    gone = [ticket_id for jira_id, ticket_id in mapped.items() if jira_id not in seen]
    return sorted(Ticket.objects.filter(id__in=gone).values_list("key", flat=True))


def connection_projects(*, connection: JiraConnection) -> list[int]:
    """Tally ids of the projects the connection wrote."""
    rows = ExternalId.objects.filter(source=SOURCE, connection_id=connection.pk, kind="project")
    return list(rows.values_list("internal_id", flat=True))
