"""Import Jira issues with their history and sprints, from saved responses or a live site
(docs/connectors-jira.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from connectors.commands import run_import_command
from connectors.jira.models import JiraConnection
from connectors.jira.services import directory_import, import_connection


class Command(BaseCommand):
    help = (
        "Import Jira issues (whole changelog, comments), statuses, sprints and users into an organization, "
        "through the bundle import. --from-dir reads saved responses (*issues*.json, status.json, "
        "*sprints*.json, users.json); --url reads a live site. Re-running writes only what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization slug (created when missing).")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--from-dir", type=Path, help="Directory of saved Jira responses.")
        source.add_argument("--url", help="Site URL, e.g. https://example.atlassian.net")
        parser.add_argument("--email", help="Jira Cloud: the account's e-mail (with --token).")
        parser.add_argument("--token", help="Jira Cloud API token (with --email).")
        parser.add_argument("--pat", help="Jira Data Center personal access token.")
        parser.add_argument("--jql", default="", help="Which issues (default: every issue the account can see).")
        parser.add_argument("--board", type=int, action="append", default=[], help="Board whose sprints to read.")
        parser.add_argument("--story-points-field", default="", help="Custom field id of story points.")
        parser.add_argument(
            "--cancel-resolution", action="append", default=[],
            help="A resolution that means cancelled (repeatable; default Won't Do, Won't Fix, Duplicate, ...).",
        )  # fmt: skip
        parser.add_argument("--connection", help="Name of the connection to record the id mapping under.")
        parser.add_argument("--full", action="store_true", help="Live: re-read every issue, not only changed ones.")

    def handle(self, *args, **options):
        live = bool(options["url"])
        if live and not (options["pat"] or (options["email"] and options["token"])):
            raise CommandError("A live import needs --email and --token (Jira Cloud) or --pat (Data Center).")
        try:
            connection = import_connection(
                organization_slug=options["org"], name=options["connection"],
                flavour=JiraConnection.Flavour.DATA_CENTER if options["pat"] else JiraConnection.Flavour.CLOUD,
                site_url=options["url"] or "", email=options["email"] or "",
                token=options["pat"] or options["token"] or "", jql=options["jql"],
                boards=options["board"] if live else None, story_points_field=options["story_points_field"],
                cancel_resolutions=options["cancel_resolution"] or None,
            )  # fmt: skip
        except ValueError as error:
            raise CommandError(str(error)) from None
        run_import_command(
            write=self.stdout.write, source_name="jira", connection=connection, live=live,
            full=options["full"], directory=options["from_dir"], directory_import=directory_import,
        )  # fmt: skip
