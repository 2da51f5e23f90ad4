"""Ticketing-instance settings: keys, custom field definitions, tag categories and tags."""

import uuid

from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from accounts.models import Organization
from tickets.models.projects import Project
from tickets.models.tickets import Ticket


class InstanceApiKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        return self.filter(revoked=False).select_related("project", "organization")


class InstanceApiKey(AbstractAPIKey):
    """A ticketing instance key, valid for one instance (project) only: primary (read/write) or
    secondary (read-only), as the Ticketing document describes."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="instance_keys")
    read_only = models.BooleanField(default=False, help_text="Secondary (read-only) key.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = InstanceApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "ticketing instance key"
        ordering = ["-created", "id"]


class CustomFieldDefinition(models.Model):
    """A custom field of a ticketing instance, identified by a 36-character UUID."""

    class FieldType(models.TextChoices):
        TEXT = "text"
        TEXTAREA = "textarea"
        TOGGLE = "toggle"
        DATEPICKER = "datepicker"
        PEOPLEPICKER = "peoplepicker"
        ITEMPICKER = "itempicker"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="custom_fields")
    name = models.CharField(max_length=200)
    field_type = models.CharField(max_length=16, choices=FieldType.choices)
    options = models.JSONField(default=list, blank=True, help_text='Item picker options: [{"id": uuid, "text": ...}]')
    multiple = models.BooleanField(default=False, help_text="Item / people picker accepts several values.")
    required = models.BooleanField(default=False)
    placement = models.CharField(max_length=16, default="left", blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["project_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class TagCategory(models.Model):
    """A tag category of a ticketing instance; tags are texts within it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tag_categories")
    text = models.CharField(max_length=200)
    color = models.CharField(max_length=32, blank=True)
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["project_id", "text", "id"]
        verbose_name_plural = "tag categories"

    def __str__(self) -> str:
        return self.text


class Tag(models.Model):
    """A tag of a category."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    category = models.ForeignKey(TagCategory, on_delete=models.CASCADE, related_name="tags")
    text = models.CharField(max_length=200)
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["category_id", "text", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "category", "text"], name="tag_unique_text")]

    def __str__(self) -> str:
        return self.text


class TicketTag(models.Model):
    """A tag put on a ticket."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ticket_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["ticket_id", "tag_id", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "ticket", "tag"], name="ticket_tag_unique")]
