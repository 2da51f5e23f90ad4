"""The refresh outbox: requests recorded with the writes that need them, drained by a worker.

`refresh_request_record` inserts the request in the caller's transaction (a second request for
the same target while one is pending is the same request). After the transaction commits,
`refresh_requests_kick` asks a worker to drain; when the broker cannot be reached the write has
still committed with its request, and beat's sweep every minute (or the next kick) drains it. A
drain takes pending rows with SKIP LOCKED, so concurrent drains share the work, and deletes them
in the transaction that stored the refreshed values: a worker killed midway leaves them pending."""

import logging

from django.db import transaction

from metrics.models import RefreshRequest
from metrics.services import organization_metrics_rebuild, project_metrics_refresh, ticket_metrics_refresh

logger = logging.getLogger(__name__)
Kind = RefreshRequest.Kind
DRAIN_BATCH = 500


def refresh_request_record(*, kind: str, target_id: int) -> None:
    """Record that `target_id`'s derived values need a refresh (in the current transaction)."""
    RefreshRequest.objects.bulk_create([RefreshRequest(kind=kind, target_id=target_id)], ignore_conflicts=True)


def _drain_batch(kind: str, limit: int) -> int:
    with transaction.atomic():
        rows = list(
            RefreshRequest.objects.select_for_update(skip_locked=True).filter(kind=kind).order_by("id")[:limit]
        )
        if not rows:
            return 0
        target_ids = [row.target_id for row in rows]
        if kind == Kind.TICKET:
            ticket_metrics_refresh(ticket_ids=target_ids)
        elif kind == Kind.PROJECT:
            for project_id in target_ids:
                project_metrics_refresh(project_id=project_id)
        else:
            for organization_id in target_ids:
                organization_metrics_rebuild(organization_id=organization_id)
        RefreshRequest.objects.filter(id__in=[row.id for row in rows]).delete()
    return len(rows)


def refresh_requests_drain(*, limit: int = DRAIN_BATCH) -> int:
    """Carry out every pending request (organizations first, whose rebuild covers their tickets
    and projects, then projects, then tickets), in batches of `limit`. Returns how many."""
    done = 0
    for kind in (Kind.ORGANIZATION, Kind.PROJECT, Kind.TICKET):
        while count := _drain_batch(kind, 1 if kind == Kind.ORGANIZATION else limit):
            done += count
    return done
