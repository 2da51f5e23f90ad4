"""Generate and import a deterministic demo organization, anchored to a day (today by default)."""

import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.progress import command_progress
from imports.demo.bundle import demo_bundle_write, demo_id_offset
from imports.reading import bundle_read
from imports.services import bundle_import
from imports.validation.index import BundleInvalid


def anchor_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today must be a date like 2024-06-30, not {text!r}") from None


class Command(BaseCommand):
    help = (
        "Generate a realistic demo organization (teams, people, delivery projects and a help desk, "
        "tickets with full histories, sprints, repositories, commits, pull requests, deployments) and "
        "import it through the bundle import. The data covers the six months before the anchor day "
        "(--today, default today in UTC), help-desk requests included up to minutes before it. "
        "Deterministic for a given seed and anchor day; running it again with the same arguments changes "
        "nothing (on a later day it moves the demo to that day). Several demo organizations can share a "
        "database: each gets its own block of ids."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=2000, help="Number of tickets (default 2000).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument("--org", default="demo", help="Organization slug (default 'demo').")
        parser.add_argument(
            "--today", help="The anchor day, YYYY-MM-DD (default: today in UTC); the demo's clock is its midnight UTC."
        )

    def handle(self, *args, tickets: int, seed: int, org: str, today: str | None, **options):
        if tickets < 1:
            raise CommandError("--tickets must be at least 1.")
        anchor = anchor_date(today) if today else datetime.now(UTC).date()
        progress = command_progress(name="seed_demo", stream=self.stderr)
        started = time.monotonic()
        progress.stage("generating")
        with tempfile.NamedTemporaryFile(prefix="tally-demo-", suffix=".json") as file:
            demo_bundle_write(
                file, tickets=tickets, seed=seed, slug=org, today=anchor, id_offset=demo_id_offset(slug=org)
            )
            file.flush()
            generated = time.monotonic()
            took = generated - started
            self.stdout.write(
                f"Generated {tickets} tickets (seed {seed}, up to {anchor.isoformat()}) in {took:.1f}s; importing..."
            )
            summary = self._import(Path(file.name), progress=progress)
        progress.close()
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"Imported in {time.monotonic() - generated:.1f}s.")

    def _import(self, path: Path, *, progress):
        """Import the generated file, streamed like `import_bundle` reads one."""
        try:
            return bundle_import(data=bundle_read(path), progress=progress, validate_alongside=True)
        except BundleInvalid as invalid:  # a generator bug, not a user error
            progress.close()
            for problem in invalid.problems[:50]:
                self.stderr.write(problem)
            raise CommandError(f"The demo bundle is invalid ({len(invalid.problems)} problems).") from None
