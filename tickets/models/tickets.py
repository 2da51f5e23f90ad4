"""Tickets."""

import uuid

from django.db import models, transaction

from accounts.models import Organization, Person
from common.references import indexes_where_set, references_of_instance_hold, unchecked_reference
from tickets.models.projects import Project, Sprint, Status


class TicketState(models.TextChoices):
    """The state a ticket is in, as the ticket log and ticket-by-status report it."""

    UNMAPPED = "unmapped"
    NOT_STARTED = "not_started"
    ACTIVE = "active"
    WAITING = "waiting"
    DONE = "done"
    CANCELED = "canceled"


def _person(**options) -> models.ForeignKey:
    """A reference to a person the writes check rather than the database (docs/architecture.md,
    "References the database does not check")."""
    return unchecked_reference(Person, null=True, blank=True, on_delete=models.SET_NULL, **options)


# Nullable references, indexed where set (for on_delete).
_OPTIONAL_REFERENCES = ("assignee", "reporter", "created_by", "sprint", "closed_by", "reopened_by", "last_message_by")


class Ticket(models.Model):
    """A ticket. Its current status and state are kept in step with its history (the last status
    event); help-desk facts (first helper response, closed / reopened by, last message) likewise."""

    # Indexed by `ticket_org_id` (organization, id), which serves every read the single-column index did.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, db_index=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tickets")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Ticketing API id.")
    number = models.PositiveIntegerField(null=True, blank=True, help_text="Ticketing API ticket number.")
    key = models.CharField(max_length=64)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    work_type = models.CharField(max_length=50, blank=True)
    priority = models.CharField(max_length=50, blank=True)
    status = unchecked_reference(Status, on_delete=models.PROTECT, db_index=True)
    state = models.CharField(max_length=16, choices=TicketState.choices, default=TicketState.UNMAPPED)
    story_points = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    assignee = _person()
    reporter = _person()
    created_by = _person(
        help_text="Who created the ticket through the Ticketing API (the request's `user`); null for imports."
    )
    sprint = unchecked_reference(Sprint, null=True, blank=True, on_delete=models.SET_NULL)
    epic = models.CharField(max_length=200, blank=True)
    labels = models.JSONField(default=list, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    resolution = models.CharField(max_length=200, blank=True)
    expected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Help-desk facts.
    first_helper_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = _person()
    reopened_by = _person()
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_message_by = _person()
    import_digest = models.CharField(
        max_length=32, blank=True, default="", editable=False,
        help_text="Digest of the bundle ticket the last import wrote, while nothing else has changed the ticket "
        "since: an import of the same ticket skips it. Cleared by every other save.",
    )  # fmt: skip

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "key"], name="ticket_unique_project_key"),
            models.UniqueConstraint(
                fields=["organization", "project", "number"],
                condition=models.Q(number__isnull=False),
                name="ticket_unique_project_number",
            ),
        ]
        indexes = [
            # The ticket log's default ordering (and its page-id and count reads, index-only).
            models.Index(fields=["organization", "id"], name="ticket_org_id"),
            models.Index(fields=["organization", "project", "id"], name="ticket_org_project"),
            models.Index(fields=["organization", "project", "created_at", "id"], name="ticket_org_project_created"),
            models.Index(fields=["organization", "state", "id"], name="ticket_org_state"),
            models.Index(fields=["organization", "assignee", "id"], name="ticket_org_assignee"),
            models.Index(fields=["organization", "work_type", "id"], name="ticket_org_work_type"),
            models.Index(fields=["organization", "created_at", "id"], name="ticket_org_created"),
            models.Index(fields=["organization", "updated_at", "id"], name="ticket_org_updated"),
            *indexes_where_set(prefix="ticket", columns=_OPTIONAL_REFERENCES),
        ]

    def __str__(self) -> str:
        return self.key

    def save(self, *args, update_fields=None, **kwargs) -> None:
        """A ticket changed outside the bundle import no longer matches the bundle ticket its
        digest describes: the next import compares it in full (and restores the bundle's values)."""
        self.import_digest = ""
        if update_fields is not None:
            update_fields = {*update_fields, "import_digest"}
        with transaction.atomic():
            references_of_instance_hold(self, fields=update_fields)
            super().save(*args, update_fields=update_fields, **kwargs)
