"""Import a local git repository's commits (docs/flow-coding-metrics.md, "import_git")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from coding.models import Repository
from coding.services.commits import GitImportError
from coding.services.git import git_import
from common.progress import command_progress

NAME_MAX = Repository._meta.get_field("name").max_length  # tags have the same limit
URL_MAX = Repository._meta.get_field("url").max_length


class Command(BaseCommand):
    help = (
        "Import the commits of a local git repository: additions, deletions, files, merges, hunk-aware "
        "lines and the rework / help-others / legacy-refactor split, authors resolved to people through "
        "their emails and aliases (unknown authors become people flagged for review). Incremental: a "
        "re-run imports only commits the previous run did not reach; after a history rewrite (force-push), "
        "stored commits the refs no longer reach are dropped. Coding-day rollups are refreshed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path of the repository (a working tree or a bare repository).")
        parser.add_argument("--repository", required=True, help="Name of the repository in Tally.")
        parser.add_argument(
            "--tag", action="append", default=[], dest="tags", help="A repository tag to add (repeatable)."
        )
        parser.add_argument(
            "--org", help="Slug of the organization; may be left out when the server has only one organization."
        )
        parser.add_argument(
            "--ref",
            action="append",
            default=[],
            dest="refs",
            help="A branch, tag or commit to import (repeatable; default HEAD).",
        )
        parser.add_argument("--all", action="store_true", help="Import every ref (all branches and tags).")
        parser.add_argument(
            "--first-parent", action="store_true", help="Follow only the first parent of merges (the mainline)."
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help=(
                "Walk the whole history again, updating stored commits that differ and dropping those the refs "
                "do not reach."
            ),
        )
        parser.add_argument("--url", help="URL of the repository, shown by the API.")

    def handle(self, *args, path: str, repository: str, tags: list[str], org: str | None, refs: list[str], **options):
        if not Path(path).is_dir():
            raise CommandError(f"No such directory: {path}")
        if not repository.strip():
            raise CommandError("--repository must not be empty")
        limits = [("--repository", repository, NAME_MAX), *(("--tag", tag, NAME_MAX) for tag in tags)]
        if options["url"] is not None:
            limits.append(("--url", options["url"], URL_MAX))
        for label, value, limit in limits:
            if len(value.strip()) > limit or "\x00" in value:
                raise CommandError(f"{label} must be at most {limit} characters, without NUL: {value[:40]!r}...")
        for ref in refs:
            if ref.startswith("-"):
                raise CommandError(f"Not a ref: {ref!r}")
        organization = _organization(org)
        progress = command_progress(name="import_git", stream=self.stderr)
        try:
            summary = git_import(
                organization=organization,
                path=path,
                repository_name=repository.strip(),
                tags=[tag for tag in tags if tag.strip()],
                refs=["--all"] if options["all"] else refs or ["HEAD"],
                first_parent=options["first_parent"],
                full=options["full"],
                url=options["url"],
                progress=progress,
            )
        except GitImportError as error:
            raise CommandError(str(error)) from None
        finally:
            progress.close()
        for line in summary.lines():
            self.stdout.write(line)


def _organization(slug: str | None) -> Organization:
    if slug:
        try:
            return Organization.objects.get(slug=slug)
        except Organization.DoesNotExist:
            raise CommandError(f"No organization with slug {slug!r}") from None
    organizations = list(Organization.objects.all()[:2])
    if len(organizations) != 1:
        raise CommandError("Name the organization with --org SLUG" if organizations else "No organization exists yet")
    return organizations[0]
