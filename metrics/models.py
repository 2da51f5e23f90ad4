"""Values derived from history, stored so that reads are aggregates over indexed rows. All of
them are rebuilt from history by `metrics.services`; none is a source of truth.

The four derived tables carry no database foreign keys: every id in them is copied from a ticket
and its history, whose own keys the database checks, and they are rewritten only while their
ticket is locked. Checking them again would cost an import one trigger per row and key (a third
of its time); deletes still cascade to them through the ORM. Nor do they have an index per key:
the composite indexes that start with the organization serve every read, and a status or person
is not deleted while history points at it."""

from django.db import models

from accounts.models import Organization, Person
from tickets.models import Status, Ticket


class TicketMetrics(models.Model):
    """Per-ticket values (docs/flow-ticket-log.md, "Ticket-log rows"): first active time, final done
    time, cycle time, queue time, transitions, backflows, jitter with its per-type counts. Durations
    in seconds."""

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, db_constraint=False, related_name="metrics"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    first_active_at = models.DateTimeField(null=True)
    done_at = models.DateTimeField(null=True, help_text="Last entry into done, for tickets now done (not canceled).")
    cycle_time_seconds = models.BigIntegerField(null=True)
    queue_time_seconds = models.BigIntegerField(default=0)
    transitions = models.PositiveIntegerField(default=0)
    backflows = models.PositiveIntegerField(default=0)
    backflow_rate = models.FloatField(null=True)
    jitter = models.FloatField(default=0)
    jitter_comments = models.PositiveIntegerField(default=0)
    jitter_description_edits = models.PositiveIntegerField(default=0)
    jitter_assignee_changes = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "ticket metrics"
        indexes = [
            models.Index(fields=["organization", "done_at"], name="ticket_metrics_org_done"),
            models.Index(fields=["organization", "cycle_time_seconds"], name="ticket_metrics_org_cycle"),
        ]


class StatusInterval(models.Model):
    """A span of time a ticket spent in one status: [started_at, ended_at), open while current."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, db_constraint=False, related_name="status_intervals")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["ticket_id", "started_at", "id"]
        indexes = [models.Index(fields=["organization", "ticket", "started_at"], name="status_interval_org_ticket")]


class StatusTransition(models.Model):
    """A status change between two mapped statuses that counts as a transition; `is_backflow`
    when it moves to an earlier lane (not into a canceled status)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, db_constraint=False, related_name="transitions")
    from_status = models.ForeignKey(
        Status, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    to_status = models.ForeignKey(
        Status, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    at = models.DateTimeField()
    is_backflow = models.BooleanField(default=False)

    class Meta:
        ordering = ["ticket_id", "at", "id"]
        indexes = [models.Index(fields=["organization", "ticket"], name="status_transition_org_ticket")]


class TicketCredit(models.Model):
    """A person credited with a ticket: its assignee at some time while it was active
    (docs/flow-ticket-log.md, "Attribution")."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, db_constraint=False, related_name="credits")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="ticket_credits"
    )

    class Meta:
        ordering = ["ticket_id", "person_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "person", "ticket"], name="ticket_credit_unique")
        ]
        indexes = [models.Index(fields=["organization", "ticket"], name="ticket_credit_org_ticket")]


class RefreshRequest(models.Model):
    """The outbox of derived-value refreshes: a write that changes what a ticket's, a project's or
    an organization's stored values derive from records a row here in its own transaction, so the
    request commits (or rolls back) with the write whether or not the broker is up. A worker
    drains the rows (`metrics.refresh_requests.refresh_requests_drain`): after each commit, and
    every minute from beat for whatever a failed publish left. At most one row per target."""

    class Kind(models.TextChoices):
        TICKET = "ticket"
        PROJECT = "project"
        ORGANIZATION = "organization"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    target_id = models.BigIntegerField()
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "target_id"], name="refresh_request_unique_target")]
