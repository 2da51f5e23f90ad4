"""Schedule metric refreshes to run after the current transaction commits, each at most once per
transaction: many history appends to one ticket, or many status edits of one project, make one task."""

from collections.abc import Callable

from django.db import transaction

from metrics import tasks


class _AfterCommit:
    """A callback registered once with `on_commit`, collecting arguments until it runs."""

    def __init__(self, send: Callable[[set], None]):
        self.send = send
        self.items: set = set()
        self.done = False

    def __call__(self) -> None:
        self.done = True
        self.send(self.items)


def _batch(key: str, send: Callable[[set], None]) -> _AfterCommit:
    """The pending batch for `key` in the current transaction, registering a new one when none is
    (still) registered: a rolled-back or already-run batch is never reused."""
    connection = transaction.get_connection()
    batches = connection.__dict__.setdefault("_tally_after_commit", {})
    batch = batches.get(key)
    if batch is None or batch.done or not any(callback is batch for _, callback, _ in connection.run_on_commit):
        batch = batches[key] = _AfterCommit(send)
        # Registered before items are added: outside a transaction on_commit runs at once.
        transaction.on_commit(batch)
    return batch


def schedule_ticket_refresh(ticket_id: int) -> None:
    """Refresh this ticket's derived values after commit, in one task with every other ticket
    changed in the same transaction."""
    if transaction.get_connection().in_atomic_block:
        _batch("tickets", lambda ids: tasks.refresh_ticket_metrics.delay(sorted(ids))).items.add(ticket_id)
    else:
        tasks.refresh_ticket_metrics.delay([ticket_id])


def schedule_project_refresh(project_id: int) -> None:
    _batch(f"project:{project_id}", lambda _: tasks.refresh_project_metrics.delay(project_id))


def schedule_organization_rebuild(organization_id: int) -> None:
    _batch(f"organization:{organization_id}", lambda _: tasks.rebuild_organization_metrics.delay(organization_id))
