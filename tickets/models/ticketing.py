"""State kept for the Ticketing API itself (not ticket data): the responses of idempotent POSTs."""

from django.db import models

from accounts.models import Organization
from tickets.models.projects import Project


class IdempotencyRecord(models.Model):
    """The first response to a Ticketing API POST sent with an `Idempotency-Key` header, kept per
    instance so that a retry with the same key replays it instead of writing again. The record is
    written in the same transaction as the POST's effects, so it exists exactly when they do.
    `request_hash` fingerprints the method, path and body: the same key with another request is
    refused. Records older than the replay window are ignored and replaced."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "key"], name="idempotency_unique_key"),
        ]
        indexes = [models.Index(fields=["organization", "project", "created_at"], name="idempotency_org_created")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
