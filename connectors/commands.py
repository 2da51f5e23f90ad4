"""What the `import_<source>` commands share once they have their connection: a live run under the
connection's lock, or an import of saved responses from a directory, each printing its summary and
ending in a CommandError with the connection's message when it fails."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import CommandError

from connectors.errors import ConnectorError
from connectors.services import connection_run


def run_import_command(
    *, write: Callable[[str], None], source_name: str, connection, live: bool, full: bool, directory: Path | None,
    directory_import: Callable,
) -> None:  # fmt: skip
    """`live`: run the connection as `sync_connections` would (its outcome recorded on it).
    Otherwise import `directory` with the source's `directory_import`; a failure is recorded as
    the connection's last error."""
    if live:
        outcome = connection_run(source_name=source_name, connection_id=connection.pk, full=full, progress=write)
        for line in outcome.lines:
            write(line)
        if outcome.error or not outcome.ran:
            raise CommandError(outcome.error or "Another run of this connection is in progress.")
        return
    try:
        summary = directory_import(connection=connection, directory=directory, progress=write)
    except ConnectorError as error:
        type(connection).objects.filter(pk=connection.pk).update(last_error=error.message)
        raise CommandError(error.message) from None
    for line in summary.lines():
        write(line)
