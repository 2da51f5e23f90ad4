"""Re-derive stored ticket values when what they depend on changes: a ticket's history, a
project's workflow mapping or jitter weights, or the organization's intra-lane setting. The refresh runs after the
transaction commits, once per project or organization, through Celery."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.models import Organization
from metrics.scheduling import schedule_organization_rebuild, schedule_project_refresh, schedule_ticket_refresh
from tickets.models import Project, Status, Ticket
from tickets.signals import history_changed

_MAPPING_FIELDS = ("lane", "state", "is_waiting", "is_canceled")
_WEIGHT_FIELDS = ("comment_weight", "description_edit_weight", "assignee_change_weight")


def _changed(instance, fields) -> bool:
    previous = type(instance).objects.filter(pk=instance.pk).values(*fields).first()
    return previous is None or any(previous[f] != getattr(instance, f) for f in fields)


@receiver(history_changed, sender=Ticket)
def _history_changed(sender, ticket_id: int, **kwargs):
    schedule_ticket_refresh(ticket_id)


@receiver(pre_save, sender=Status)
def _status_mapping_changing(sender, instance, raw=False, **kwargs):
    # A new status is in no ticket's history yet: nothing to re-derive.
    instance._mapping_changed = not raw and instance.pk is not None and _changed(instance, _MAPPING_FIELDS)


@receiver(post_save, sender=Status)
def _status_mapping_changed(sender, instance, **kwargs):
    if instance._mapping_changed:
        schedule_project_refresh(instance.project_id)


@receiver(post_delete, sender=Status)
def _status_deleted(sender, instance, **kwargs):
    schedule_project_refresh(instance.project_id)


@receiver(pre_save, sender=Project)
def _weights_changing(sender, instance, raw=False, **kwargs):
    instance._weights_changed = not raw and instance.pk is not None and _changed(instance, _WEIGHT_FIELDS)


@receiver(post_save, sender=Project)
def _weights_changed(sender, instance, created, **kwargs):
    if getattr(instance, "_weights_changed", False):
        schedule_project_refresh(instance.pk)


@receiver(pre_save, sender=Organization)
def _setting_changing(sender, instance, raw=False, **kwargs):
    instance._setting_changed = (
        not raw and instance.pk is not None and _changed(instance, ("backflow_counts_intra_lane_changes",))
    )


@receiver(post_save, sender=Organization)
def _setting_changed(sender, instance, **kwargs):
    if getattr(instance, "_setting_changed", False):
        schedule_organization_rebuild(instance.pk)
