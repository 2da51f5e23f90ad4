"""What every connector shares: the abstract connection (organization, schedule, last run, lock,
webhook secret) and the table that maps a remote system's ids to Tally's."""

import secrets
from datetime import datetime, timedelta

from django.db import models

from accounts.models import Organization
from connectors.crypto import EncryptedTextField


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class ConnectionBase(models.Model):
    """A configured link to one remote site for one organization. A source (Jira, GitHub) adds its
    own fields (site, credentials, scope). `cursor` is the source's sync state, advanced only after
    a committed page; `locked_until` is the run lock (one run per connection at a time)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, unique=True, help_text="Names it in `sync_connections --name`.")
    enabled = models.BooleanField(default=True, help_text="Synced on schedule when enabled.")
    sync_interval_minutes = models.PositiveIntegerField(default=15, help_text="Minutes between scheduled runs.")
    webhook_secret = EncryptedTextField(
        default=new_webhook_secret, blank=True, help_text="Shared secret the webhook must present."
    )
    cursor = models.JSONField(default=dict, blank=True, editable=False)
    last_run_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_counts = models.JSONField(default=dict, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def is_due(self, *, now: datetime) -> bool:
        """Enabled, and never run or last started at least one interval ago."""
        if not self.enabled:
            return False
        if self.last_run_started_at is None:
            return True
        return self.last_run_started_at + timedelta(minutes=self.sync_interval_minutes) <= now


class ExternalId(models.Model):
    """Maps (source, connection, kind, remote id) to the id of the Tally row made for it. Remote ids
    are unique only within one site, Tally ids across the whole database, so rows are created under
    ids Tally allocates and found again through this table."""

    source = models.CharField(max_length=20)
    connection_id = models.BigIntegerField()
    kind = models.CharField(max_length=20, help_text="project, status, ticket, person, sprint, ...")
    external_id = models.CharField(max_length=255)
    internal_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "connection_id", "kind", "external_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "connection_id", "kind", "external_id"], name="external_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["source", "connection_id", "kind", "internal_id"], name="external_id_internal"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.connection_id}:{self.kind}:{self.external_id} -> {self.internal_id}"
