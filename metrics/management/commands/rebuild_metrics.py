"""Rebuild the derived per-ticket values by hand: what the nightly Celery task does, for one
organization (`--org SLUG`) or all of them, in this process, with progress."""

import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from common.progress import command_progress
from metrics.services import organization_metrics_rebuild
from tickets.models import Ticket


class Command(BaseCommand):
    help = (
        "Re-derive every ticket's metrics, status intervals, transitions and credits from its history, as the "
        "nightly rebuild does: one organization with --org SLUG, else every organization, one after the other. "
        "Each organization is rebuilt in one transaction (readers see the old values until it commits)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Slug of the organization to rebuild (default: every organization).")

    def handle(self, *args, org: str | None, **options):
        organizations = Organization.objects.order_by("slug")
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"No organization with slug {org!r}")
        progress = command_progress(name="rebuild_metrics", stream=self.stderr)
        lines = []
        try:
            for organization in organizations:
                started = time.monotonic()
                progress.stage(organization.slug, total=Ticket.objects.filter(organization=organization).count())
                count = organization_metrics_rebuild(organization_id=organization.id, progress=progress)
                lines.append(f"Organization {organization.slug}: {count} ticket(s) rebuilt in "
                             f"{time.monotonic() - started:.1f}s")  # fmt: skip
        finally:
            progress.close()
        for line in lines or ["No organization to rebuild."]:
            self.stdout.write(line)
