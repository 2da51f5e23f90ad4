"""Bundle import (docs/bundle-format.md): validate a whole bundle, then upsert everything it describes in one
transaction and refresh the derived per-ticket values of the tickets whose inputs changed, and the
per-person coding days when commits changed."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts.models import Person
from coding.services.rollups import coding_days_refresh
from common.db import constraints_check_now, statistics_refresh_if_grown
from common.progress import SILENT, Progress
from common.references import organization_rows_hold
from imports.parsing import batched
from imports.sync import Counts
from imports.validation.background import BackgroundValidation, ValidationFailed, validation_alongside_possible
from imports.validation.bundle import bundle_sections, bundle_validate
from imports.validation.database import ids_of_another_organization
from imports.validation.index import BundleInvalid
from imports.writes.accounts import organization_upsert, people_upsert, teams_upsert
from imports.writes.coding import commits_upsert, deployments_upsert, pull_requests_upsert, repositories_upsert
from imports.writes.reviews import pull_request_details_sync
from imports.writes.tickets import ProjectsWritten, WrittenChunk, projects_upsert, sprints_upsert, tickets_upsert
from metrics.models import TicketMetrics
from metrics.services import DERIVED_MODELS, created_tickets_derive, ticket_metrics_refresh
from tickets.models import Sprint, Status, Ticket, TicketEvent

CHUNK = 2000


@dataclass
class ImportSummary:
    """What one import did: counts per kind of row, and how many tickets had their derived
    values (metrics, status intervals, transitions, credits) recomputed."""

    organization: str
    counts: dict[str, Counts] = field(default_factory=dict)
    tickets_refreshed: int = 0
    coding_days: int = 0

    @property
    def changed(self) -> bool:
        return any(counts.changed for counts in self.counts.values()) or bool(self.tickets_refreshed)

    def lines(self) -> list[str]:
        """The summary as short text lines, one per kind of row."""
        width = max((len(name) for name in self.counts), default=0)
        lines = [f"Organization {self.organization}: {'imported' if self.changed else 'already up to date'}"]
        lines += [
            f"  {name.ljust(width)}  {counts}"
            for name, counts in self.counts.items()
            if counts.created or counts.updated or counts.unchanged or counts.deleted
        ]
        lines.append(f"  per-ticket metrics recomputed for {self.tickets_refreshed} ticket(s)")
        if self.coding_days:
            lines.append(f"  per-person coding days rewritten: {self.coding_days}")
        return lines


def bundle_import(*, data: dict, progress: Progress = SILENT, validate_alongside: bool = False) -> ImportSummary:
    """Import one organization's bundle. Validates the whole bundle first (raising
    `imports.validation.index.BundleInvalid` with every problem, nothing written), then upserts every
    row by its bundle id in one transaction. Importing the same bundle again writes nothing.
    `progress` hears of each stage, and of tickets written and re-derived as they go.

    With `validate_alongside`, where `validation_alongside_possible()`, a child process validates
    while this one writes, and the transaction commits only once the child found the bundle valid:
    the same outcome, in less time on more than one core."""
    if validate_alongside and isinstance(data, dict) and validation_alongside_possible():
        return _bundle_import_validating_alongside(data, progress=progress)
    progress.stage("validating", total=None)
    bundle_validate(data=data)
    with transaction.atomic():
        return _bundle_write(data, progress=progress, checkpoint=_nothing)


def _bundle_import_validating_alongside(data: dict, *, progress: Progress) -> ImportSummary:
    with BackgroundValidation(data=data) as validation:
        try:
            organization = data.get("organization")
            slug = organization.get("slug") if isinstance(organization, dict) else None
            if ids_of_another_organization(bundle_sections(data), slug=slug):
                validation.raise_if_invalid(wait=True)  # the child finds those ids too, and raises
            with transaction.atomic():
                summary = _bundle_write(data, progress=progress, checkpoint=validation.raise_if_invalid)
                progress.stage("validating", total=None)
                validation.raise_if_invalid(wait=True)
                return summary
        except (BundleInvalid, ValidationFailed):
            raise
        except Exception:
            validation.raise_if_invalid(wait=True)  # problems in the bundle explain the failure: name them
            raise


def _nothing() -> None:
    pass


def _bundle_write(data: dict, *, progress: Progress, checkpoint: Callable[[], None]) -> ImportSummary:
    """Write a bundle (validated, or being validated: `checkpoint`, called between stages and
    chunks of tickets, raises when it is found invalid)."""
    progress.stage("organization, teams, people, projects, sprints")
    organization, organization_counts, setting_changed = organization_upsert(data=data["organization"])
    summary = ImportSummary(organization=organization.slug, counts={"organization": organization_counts})
    summary.counts["teams"] = teams_upsert(organization=organization, teams=data.get("teams") or [])
    people = data.get("people") or []
    bundle_person_ids = {person["id"] for person in people}
    summary.counts.update(
        _in_chunks(
            partial(people_upsert, bundle_person_ids=bundle_person_ids), organization=organization, people=people
        )
    )
    projects = projects_upsert(organization=organization, projects=data.get("projects") or [])
    summary.counts.update(projects.counts)
    sprint_counts = sprints_upsert(organization=organization, sprints=data.get("sprints") or [])
    summary.counts["sprints"] = sprint_counts
    constraints_check_now()
    for model in (Person, Status, Sprint):  # what tickets and their history refer to, unconstrained
        organization_rows_hold(model=model, organization_id=organization.id)
    checkpoint()
    derived = _DerivedValues(
        organization=organization, projects=projects, setting_changed=setting_changed, checkpoint=checkpoint
    )
    progress.stage("tickets", total=len(data.get("tickets") or []))
    tickets = tickets_upsert(
        organization=organization, tickets=data.get("tickets") or [], contexts=projects.contexts,
        after_chunk=derived.chunk_written, progress=progress,
    )  # fmt: skip
    summary.counts["tickets"], summary.counts["ticket events"] = tickets.tickets, tickets.events
    derived.remaining_refresh(progress=progress)
    summary.tickets_refreshed = derived.refreshed
    checkpoint()
    progress.stage("repositories, commits, pull requests, deployments")
    summary.counts.update(repositories_upsert(organization=organization, repositories=data.get("repositories") or []))
    commit_counts = _in_chunks(commits_upsert, organization=organization, commits=data.get("commits") or [])
    summary.counts.update(commit_counts)
    summary.counts.update(
        _in_chunks(_pull_requests_write, organization=organization, pull_requests=data.get("pull_requests") or [])
    )
    summary.counts.update(
        _in_chunks(deployments_upsert, organization=organization, deployments=data.get("deployments") or [])
    )
    if any(counts.changed for counts in commit_counts.values()):
        progress.stage("coding days")
        summary.coding_days = coding_days_refresh(organization_id=organization.id)
    return summary


class _DerivedValues:
    """Derives the values of an import's tickets as each chunk of tickets is written: those of
    the tickets it created from the history in hand, those of stored tickets it changed by a refresh
    from their stored history; at the end, refreshes the stored tickets an organization setting or a
    project's workflow changed. Keeps no list of ids: a ticket refreshed by this import is
    known by its `computed_at`. Statistics are refreshed as the tables grow, so the queries of
    later chunks plan for the rows of earlier ones."""

    def __init__(
        self, *, organization, projects: ProjectsWritten, setting_changed: bool, checkpoint: Callable[[], None]
    ) -> None:
        self.organization, self.setting_changed, self.checkpoint = organization, setting_changed, checkpoint
        self.changed_project_ids = projects.changed_project_ids
        self.now = timezone.now()
        self.refreshed = 0
        self.grown: Counter = Counter()

    def chunk_written(self, chunk: WrittenChunk) -> None:
        self.checkpoint()
        self.grown.update({Ticket: chunk.counts.tickets.created, TicketEvent: chunk.counts.events.created})
        self._statistics()
        count = created_tickets_derive(tickets=chunk.created, histories=chunk.histories, now=self.now)
        if not self.setting_changed:  # else every stored ticket is refreshed at the end
            in_changed_projects = {t["id"] for t in chunk.tickets if t["project"] in self.changed_project_ids}
            ids = chunk.refresh_ids | (in_changed_projects - set(chunk.histories))
            count += ticket_metrics_refresh(ticket_ids=ids, now=self.now)
        self.refreshed += count
        self.grown.update(dict.fromkeys(DERIVED_MODELS, count))

    def remaining_refresh(self, *, progress: Progress) -> None:
        if not self.setting_changed and not self.changed_project_ids:
            return
        stored = Ticket.objects.filter(organization=self.organization)
        if not self.setting_changed:
            stored = stored.filter(project_id__in=self.changed_project_ids)
        done = TicketMetrics.objects.filter(organization=self.organization, computed_at=self.now)
        ids = stored.exclude(id__in=done.values("ticket_id")).order_by("id").values_list("id", flat=True)
        progress.stage("per-ticket metrics of stored tickets", total=ids.count())
        self._statistics()
        self.refreshed += ticket_metrics_refresh(
            ticket_ids=ids.iterator(chunk_size=2000), now=self.now, progress=progress
        )

    def _statistics(self) -> None:
        for model in statistics_refresh_if_grown(dict(self.grown)):
            del self.grown[model]


def _pull_requests_write(*, organization, pull_requests: list[dict]) -> dict[str, Counts]:
    return {
        "pull requests": pull_requests_upsert(organization=organization, pull_requests=pull_requests),
        **pull_request_details_sync(organization=organization, pull_requests=pull_requests),
    }


def _in_chunks(
    write: Callable[..., dict[str, Counts]], *, organization, **section: Iterable[dict]
) -> dict[str, Counts]:
    """Write one section (the one keyword argument besides `organization`, passed to `write` under
    its name) CHUNK items at a time, so a streamed section is never held whole; adds up the counts
    of every chunk."""
    ((parameter, items),) = section.items()
    totals: dict[str, Counts] = {}
    for chunk in batched(items, CHUNK):
        for name, counts in write(organization=organization, **{parameter: chunk}).items():
            totals.setdefault(name, Counts()).add(counts)
    return totals
