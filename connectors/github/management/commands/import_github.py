"""Import pull requests, reviews, commits, deployments and (optionally) issues of a GitHub
repository, from saved responses or live (docs/connectors-github.md)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from connectors.commands import run_import_command
from connectors.github.models import GitHubConnection
from connectors.github.services import directory_import, import_connection


class Command(BaseCommand):
    help = (
        "Import a GitHub repository's pull requests (reviews, commits), deployments and optionally issues into an "
        "organization through the bundle import. --from-dir reads saved responses (pulls.json, "
        "pulls/<n>/reviews.json, pulls/<n>/commits.json, actions-runs.json, issues*.json); --token reads GitHub "
        "live. Re-running writes only what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization slug (created when missing).")
        parser.add_argument("--repository", required=True, help="owner/name (live: or owner/* for all).")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--from-dir", type=Path, help="Directory of saved GitHub responses.")
        source.add_argument("--token", help="Personal access token (live).")
        parser.add_argument("--api-url", default="", help="GitHub Enterprise Server: https://HOST/api/v3")
        parser.add_argument(
            "--deployments", choices=[c.value for c in GitHubConnection.DeploymentSource],
            help="Where deployments come from (default: workflow_runs).",
        )  # fmt: skip
        parser.add_argument("--workflow-pattern", help="Workflow runs: workflow names that deploy (default deploy*).")
        parser.add_argument("--branches", help="Workflow runs: comma-separated branches (default main, master).")
        parser.add_argument("--environment", help="Workflow runs: their environment (default production).")
        parser.add_argument("--issues", action="store_true", help="Import GitHub issues as tickets.")
        parser.add_argument("--in-progress-label", help="Issues: the label that means in progress.")
        parser.add_argument("--connection", help="Name of the connection to record the id mapping under.")
        parser.add_argument("--full", action="store_true", help="Live: re-read everything, not only changes.")

    def handle(self, *args, **options):
        try:
            connection = import_connection(
                organization_slug=options["org"], repository=options["repository"], name=options["connection"],
                api_url=options["api_url"], token=options["token"] or "",
                options={
                    "deployment_source": options["deployments"],
                    "deployment_workflow_pattern": options["workflow_pattern"],
                    "deployment_branches": options["branches"], "deployment_environment": options["environment"],
                    "issues_as_tickets": True if options["issues"] else None,
                    "in_progress_label": options["in_progress_label"],
                },
            )  # fmt: skip
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        run_import_command(
            write=self.stdout.write, source_name="github", connection=connection, live=bool(options["token"]),
            full=options["full"], directory=options["from_dir"], directory_import=directory_import,
        )  # fmt: skip
