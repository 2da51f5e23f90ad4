"""Celery tasks: they take ids and call a service."""

from celery import shared_task

from accounts.models import Organization
from metrics import services


@shared_task
def refresh_ticket_metrics(ticket_ids: list[int]) -> int:
    return services.ticket_metrics_refresh(ticket_ids=ticket_ids)


@shared_task
def refresh_project_metrics(project_id: int) -> int:
    return services.project_metrics_refresh(project_id=project_id)


@shared_task
def rebuild_organization_metrics(organization_id: int) -> int:
    return services.organization_metrics_rebuild(organization_id=organization_id)


@shared_task
def rebuild_all_organizations() -> int:
    """Nightly: fan out one rebuild per organization."""
    ids = list(Organization.objects.values_list("id", flat=True))
    for organization_id in ids:
        rebuild_organization_metrics.delay(organization_id)
    return len(ids)
