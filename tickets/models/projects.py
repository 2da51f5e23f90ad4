"""Ticket projects, their workflow mapping, sprints and help-desk helpers."""

from django.db import models

from accounts.models import Organization, Person
from common.references import ReferencedModel
from formulas.tickets import MappedStatus


class Project(models.Model):
    """A ticket project: a Jira-like delivery project or a help-desk (ticketing) instance. Its
    workflow is the ordered list of its statuses; jitter weights are per project."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery"
        HELPDESK = "helpdesk"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")
    key = models.CharField(max_length=50)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DELIVERY)
    comment_weight = models.PositiveIntegerField(default=1)
    description_edit_weight = models.PositiveIntegerField(default=1)
    assignee_change_weight = models.PositiveIntegerField(default=1)
    instance_settings = models.JSONField(
        default=dict, blank=True, help_text="Ticketing instance settings (assignees, automatic assignment, ...)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="project_unique_org_key")]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"

    @property
    def jitter_weights(self) -> dict[str, int]:
        return {
            "comment": self.comment_weight,
            "description_edit": self.description_edit_weight,
            "assignee_change": self.assignee_change_weight,
        }


class Status(ReferencedModel):
    """A raw tracker status of a project, mapped by its id to a lane (ordered) and a state. A
    status without a lane and state is unmapped. `is_waiting` marks an active status as waiting
    (queue time); `is_canceled` marks a done-lane status that does not count as completed."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started"
        ACTIVE = "active"
        DONE = "done"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="statuses")
    external_id = models.BigIntegerField(help_text="The tracker's status id; statuses are mapped by id.")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    lane = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, null=True, blank=True)
    is_waiting = models.BooleanField(default=False)
    is_canceled = models.BooleanField(default=False)

    class Meta:
        ordering = ["project_id", "position", "id"]
        verbose_name_plural = "statuses"
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "external_id"], name="status_unique_ext_id"),
            models.CheckConstraint(
                condition=models.Q(lane__isnull=True, state__isnull=True)
                | models.Q(lane__isnull=False, state__isnull=False),
                name="status_lane_and_state_together",
            ),
            models.CheckConstraint(
                condition=~models.Q(is_waiting=True) | models.Q(state="active"), name="status_waiting_is_active"
            ),
            models.CheckConstraint(
                condition=~models.Q(is_canceled=True) | models.Q(state="done"), name="status_canceled_is_done"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def mapped(self) -> MappedStatus:
        return MappedStatus(lane=self.lane, state=self.state, waiting=self.is_waiting, canceled=self.is_canceled)


class Sprint(ReferencedModel):
    """A sprint of a project's board. Its membership history is kept as sprint add/remove events
    on tickets, so committed, injected and removed work can be rebuilt for any sprint."""

    class State(models.TextChoices):
        FUTURE = "future"
        ACTIVE = "active"
        CLOSED = "closed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sprints")
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.FUTURE)
    start_at = models.DateTimeField(null=True, blank=True)
    planned_end_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project_id", "start_at", "id"]
        indexes = [models.Index(fields=["organization", "project", "start_at"], name="sprint_org_project_start")]

    def __str__(self) -> str:
        return self.name


class Helper(models.Model):
    """A person who answers tickets on a help-desk project; a comment by a helper is a helper response."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="helpers")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="helper_of")

    class Meta:
        ordering = ["project_id", "person_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "project", "person"], name="helper_unique_project_person")
        ]
