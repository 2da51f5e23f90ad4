"""Running connections: the per-connection lock, one run with its outcome recorded on the
connection, and the scheduled runs of due connections."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Model, Q
from django.utils import timezone

from connectors import registry
from connectors.errors import ConnectorError

logger = logging.getLogger(__name__)

LOCK_SECONDS = 2 * 60 * 60
"""How long a run's lock holds before another run may take it (a crashed worker's lock expires)."""


def connection_lock_acquire(*, connection: Model, seconds: int = LOCK_SECONDS) -> bool:
    """Take the connection's run lock: one conditional UPDATE, so two workers cannot both win."""
    now = timezone.now()
    model = type(connection)
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    taken = model.objects.filter(Q(pk=connection.pk) & free).update(locked_until=now + timedelta(seconds=seconds))
    return bool(taken)


def connection_lock_release(*, connection: Model) -> None:
    type(connection).objects.filter(pk=connection.pk).update(locked_until=None)


@dataclass
class RunOutcome:
    """One run: whether it ran (not locked out), its error message if it failed, and its summary."""

    connection: str
    ran: bool = True
    error: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def connection_run(*, source_name: str, connection_id: int, full: bool = False, progress=None) -> RunOutcome:
    """Run one connection's sync under its lock and record the outcome on it: start and finish
    times, counts, and the error message (empty after a success). A run that finds the connection
    locked does nothing. A ConnectorError ends the run with its message; whatever pages committed
    before it stay (each page is whole), the cursor stays at the last committed page."""
    source = registry.source(source_name)
    model = source.connection_model
    connection = model.objects.select_related("organization").get(pk=connection_id)
    outcome = RunOutcome(connection=connection.name)
    if not connection_lock_acquire(connection=connection):
        outcome.ran = False
        outcome.lines = [f"{connection.name}: another run is in progress; skipped"]
        return outcome
    started = timezone.now()
    model.objects.filter(pk=connection.pk).update(last_run_started_at=started)
    try:
        summary = source.sync(connection=connection, full=full, progress=progress or (lambda message: None))
    except ConnectorError as error:
        outcome.error = error.message
        logger.warning("connection %s: %s", connection.name, error.message)
        model.objects.filter(pk=connection.pk).update(
            last_run_finished_at=timezone.now(), last_error=error.message, locked_until=None
        )
        outcome.lines = [f"{connection.name}: failed: {error.message}"]
        return outcome
    except Exception as error:
        message = f"unexpected error ({type(error).__name__}); see the server log"
        logger.exception("connection %s: unexpected error", connection.name)
        model.objects.filter(pk=connection.pk).update(
            last_run_finished_at=timezone.now(), last_error=message, locked_until=None
        )
        raise
    except BaseException:
        connection_lock_release(connection=connection)
        raise
    outcome.counts, outcome.lines = dict(summary.counts), summary.lines()
    now = timezone.now()
    model.objects.filter(pk=connection.pk).update(
        last_run_finished_at=now, last_success_at=now, last_run_counts=outcome.counts, last_error="",
        locked_until=None,
    )  # fmt: skip
    return outcome


def due_connections() -> list[tuple[str, int]]:
    """(source, connection id) of every enabled connection whose interval has passed."""
    now = timezone.now()
    due = []
    for source in registry.sources():
        for connection in source.connection_model.objects.filter(enabled=True).order_by("id"):
            if connection.is_due(now=now):
                due.append((source.name, connection.id))
    return due


def connections_named(*, name: str | None) -> list[tuple[str, int]]:
    """(source, connection id) of the enabled connections, or of the one named (enabled or not)."""
    found = []
    for source in registry.sources():
        queryset = source.connection_model.objects.order_by("id")
        queryset = queryset.filter(name=name) if name else queryset.filter(enabled=True)
        found += [(source.name, connection_id) for connection_id in queryset.values_list("id", flat=True)]
    return found
