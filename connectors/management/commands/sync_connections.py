"""Run configured connections now (docs/connectors-jira.md)."""

from django.core.management.base import BaseCommand, CommandError

from connectors.services import connection_run, connections_named


class Command(BaseCommand):
    help = (
        "Sync every enabled connection (Jira, GitHub, ...), or the one named, now. Prints progress and "
        "a summary per connection; exits non-zero when a run failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", help="Only the connection with this name (even if disabled).")
        parser.add_argument(
            "--full", action="store_true", help="Re-read everything, not only what changed since the last run."
        )

    def handle(self, *args, name: str | None = None, full: bool = False, **options):
        targets = connections_named(name=name)
        if name and not targets:
            raise CommandError(f"No connection named {name!r}.")
        failed = []
        for source_name, connection_id in targets:
            outcome = connection_run(
                source_name=source_name, connection_id=connection_id, full=full, progress=self.stdout.write
            )
            for line in outcome.lines:
                self.stdout.write(line)
            if outcome.error:
                failed.append(outcome.connection)
        if failed:
            raise CommandError(f"{len(failed)} connection(s) failed: {', '.join(failed)}")
        if not targets:
            self.stdout.write("No enabled connections.")
