"""The append-only history of a ticket."""

from django.db import models, transaction

from accounts.models import Organization, Person
from common.references import indexes_where_set, references_of_instance_hold, unchecked_reference
from tickets.models.projects import Sprint, Status
from tickets.models.tickets import Ticket

# Set on few kinds of event (status, assignee, sprint): indexed where set.
_SPARSE_REFERENCES = ("from_status", "to_status", "from_person", "to_person", "sprint")


class TicketEvent(models.Model):
    """One entry of a ticket's append-only history, with its time and actor. The kind says which
    columns carry the change: status (from/to status, resolution), assignee (from/to person, either
    may be null), story_points (from/to value), comment (body, is_public), description_edit, and
    sprint (sprint, sprint_action add/remove). Rows are never updated in place."""

    class Kind(models.TextChoices):
        STATUS = "status"
        ASSIGNEE = "assignee"
        DESCRIPTION_EDIT = "description_edit"
        STORY_POINTS = "story_points"
        COMMENT = "comment"
        SPRINT = "sprint"

    class SprintAction(models.TextChoices):
        ADD = "add"
        REMOVE = "remove"

    # The ticket's organization, copied for the composite indexes (which serve its lookups); the
    # ticket's key is the one checked.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField()
    # References to people, statuses and sprints are checked by the writes, not by the database
    # (docs/architecture.md, "References the database does not check"): a foreign-key check per
    # column and row was most of the cost of storing a history. Django's collector still applies
    # on_delete, through an index per column, partial where few kinds of event set the column.
    actor = unchecked_reference(Person, null=True, blank=True, on_delete=models.SET_NULL, db_index=True)
    from_status = unchecked_reference(Status, null=True, blank=True, on_delete=models.PROTECT)
    to_status = unchecked_reference(Status, null=True, blank=True, on_delete=models.PROTECT)
    from_person = unchecked_reference(Person, null=True, blank=True, on_delete=models.SET_NULL)
    to_person = unchecked_reference(Person, null=True, blank=True, on_delete=models.SET_NULL)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    sprint = unchecked_reference(Sprint, null=True, blank=True, on_delete=models.CASCADE)
    sprint_action = models.CharField(max_length=8, choices=SprintAction.choices, blank=True)
    body = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["ticket_id", "at", "id"]
        indexes = [
            models.Index(fields=["organization", "ticket", "at", "id"], name="ticket_event_org_ticket_at"),
            models.Index(fields=["organization", "kind", "at"], name="ticket_event_org_kind_at"),
            models.Index(
                fields=["organization", "sprint", "at"],
                name="ticket_event_org_sprint_at",
                condition=models.Q(sprint__isnull=False),
            ),
            *indexes_where_set(prefix="ticket_event", columns=_SPARSE_REFERENCES),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ticket_id} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            references_of_instance_hold(self)
            super().save(*args, **kwargs)
