"""Celery tasks: they take ids and call a service.

The refreshes and the rebuild are idempotent (each re-derives stored values from history), so
they are acknowledged late: a worker killed while running one leaves the message to be delivered
again (at once when a prefork child dies; after the broker's visibility time-out when the whole
worker does)."""

from celery import shared_task

from accounts.models import Organization
from metrics import services

IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**IDEMPOTENT)
def refresh_ticket_metrics(ticket_ids: list[int]) -> int:
    return services.ticket_metrics_refresh(ticket_ids=ticket_ids)


@shared_task(**IDEMPOTENT)
def refresh_project_metrics(project_id: int) -> int:
    return services.project_metrics_refresh(project_id=project_id)


@shared_task(**IDEMPOTENT)
def rebuild_organization_metrics(organization_id: int) -> int:
    return services.organization_metrics_rebuild(organization_id=organization_id)


@shared_task(**IDEMPOTENT)
def drain_refresh_requests() -> int:
    """After writes commit, and every minute from beat: carry out the pending refresh requests."""
    from metrics.refresh_requests import refresh_requests_drain

    return refresh_requests_drain()


@shared_task
def rebuild_all_organizations() -> int:
    """Nightly: fan out one rebuild per organization."""
    ids = list(Organization.objects.values_list("id", flat=True))
    for organization_id in ids:
        rebuild_organization_metrics.delay(organization_id)
    return len(ids)
