"""Generate and import a deterministic demo organization."""

import time

from django.core.management.base import BaseCommand, CommandError

from imports.demo.bundle import demo_bundle, demo_id_offset
from imports.services import bundle_import
from imports.validation.index import BundleInvalid


class Command(BaseCommand):
    help = (
        "Generate a realistic demo organization (teams, people, delivery projects and a help desk, "
        "tickets with full histories, sprints, repositories, commits, pull requests, deployments) and "
        "import it through the bundle import. Deterministic for a given seed; running it again with "
        "the same arguments changes nothing. Several demo organizations can share a database: each gets its own "
        "block of ids."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=2000, help="Number of tickets (default 2000).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument("--org", default="demo", help="Organization slug (default 'demo').")

    def handle(self, *args, tickets: int, seed: int, org: str, **options):
        if tickets < 1:
            raise CommandError("--tickets must be at least 1.")
        started = time.monotonic()
        bundle = demo_bundle(tickets=tickets, seed=seed, slug=org, id_offset=demo_id_offset(slug=org))
        generated = time.monotonic()
        self.stdout.write(f"Generated {tickets} tickets (seed {seed}) in {generated - started:.1f}s; importing...")
        try:
            summary = bundle_import(data=bundle)
        except BundleInvalid as invalid:  # a generator bug, not a user error
            for problem in invalid.problems[:50]:
                self.stderr.write(problem)
            raise CommandError(f"The demo bundle is invalid ({len(invalid.problems)} problems).") from None
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"Imported in {time.monotonic() - generated:.1f}s.")
