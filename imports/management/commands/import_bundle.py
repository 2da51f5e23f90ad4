"""Load an organization's bundle (docs/bundle-format.md)."""

from django.core.management.base import BaseCommand, CommandError

from common.progress import command_progress
from imports.reading import BundleUnreadable, bundle_file, bundle_read
from imports.services import bundle_import
from imports.validation.index import BundleInvalid


class Command(BaseCommand):
    help = (
        "Import a tally.bundle/1 JSON document describing one organization (docs/bundle-format.md). "
        "The whole bundle is validated first: a bad bundle is rejected with every problem listed and "
        "nothing is written. Re-importing the same bundle changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the bundle (JSON); '-' reads standard input.")

    def handle(self, *args, file: str, **options):
        progress = command_progress(name="import_bundle", stream=self.stderr)
        progress.stage("reading")
        try:
            with bundle_file(file) as path:
                summary = bundle_import(data=bundle_read(path), progress=progress, validate_alongside=True)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except BundleUnreadable as error:
            raise CommandError(f"{file}: {error}") from None
        except BundleInvalid as invalid:
            progress.close()
            for problem in invalid.problems:
                self.stderr.write(problem)
            raise CommandError(f"Bundle rejected: {len(invalid.problems)} problem(s); nothing was written.") from None
        progress.close()
        for line in summary.lines():
            self.stdout.write(line)
