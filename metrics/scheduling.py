"""Schedule metric refreshes: each is recorded in the refresh outbox in the current transaction
(`metrics.refresh_requests`), and after the transaction commits one task per transaction asks a
worker to drain the outbox. The write never depends on the broker: a failed publish is logged and
the request waits for the next drain (beat sweeps every minute)."""

from django.db import transaction

from common.publishing import publish_once
from metrics import tasks
from metrics.models import RefreshRequest
from metrics.refresh_requests import refresh_request_record

Kind = RefreshRequest.Kind


def refresh_requests_kick() -> None:
    """Ask a worker to drain the outbox now; never raises for an unreachable broker (the requests
    wait in the outbox for beat's sweep)."""
    publish_once(tasks.drain_refresh_requests)


class _AfterCommit:
    """A kick registered once with `on_commit` per transaction and kind of request."""

    def __init__(self):
        self.done = False

    def __call__(self) -> None:
        self.done = True
        refresh_requests_kick()


def _kick_after_commit(kind: str) -> None:
    """Register the transaction's kick for requests of `kind` unless one is still registered (a
    rolled-back or already-run one is never reused). Outside a transaction, kick at once."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        refresh_requests_kick()
        return
    kicks = connection.__dict__.setdefault("_tally_refresh_kicks", {})
    pending = kicks.get(kind)
    if pending is None or pending.done or not any(callback is pending for _, callback, _ in connection.run_on_commit):
        pending = kicks[kind] = _AfterCommit()
        transaction.on_commit(pending)


def _schedule(kind: str, target_id: int) -> None:
    refresh_request_record(kind=kind, target_id=target_id)
    _kick_after_commit(kind)


def schedule_ticket_refresh(ticket_id: int) -> None:
    """Refresh this ticket's derived values after commit (with every other request pending then)."""
    _schedule(Kind.TICKET, ticket_id)


def schedule_project_refresh(project_id: int) -> None:
    _schedule(Kind.PROJECT, project_id)


def schedule_organization_rebuild(organization_id: int) -> None:
    _schedule(Kind.ORGANIZATION, organization_id)
