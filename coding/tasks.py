"""Celery tasks of the coding app: they take ids and call a service."""

from celery import shared_task

from accounts.models import Organization
from coding.services import rollups


@shared_task(acks_late=True, reject_on_worker_lost=True)  # idempotent: redelivered if a worker dies
def refresh_coding_days(organization_id: int, repository_ids: list[int] | None = None) -> int:
    """Rewrite the coding-day rollups of an organization (or of some of its repositories)."""
    return rollups.coding_days_refresh(organization_id=organization_id, repository_ids=repository_ids)


@shared_task
def rebuild_all_coding_days() -> int:
    """Nightly: one rollup rebuild per organization."""
    ids = list(Organization.objects.values_list("id", flat=True))
    for organization_id in ids:
        refresh_coding_days.delay(organization_id)
    return len(ids)
