"""Request bodies of the Ticketing surface, validated against the instance: workflow, custom field
definitions (`custom_fields`), tag categories. The shapes of the answers are in `shapes`."""

import uuid
from dataclasses import dataclass
from datetime import timezone
from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.ticketing.custom_fields import LONG_TEXT_MAX_LENGTH, CustomFieldsField, custom_field_value
from api.ticketing.fields import BooleanOnlyField, TextField, UserSerializer
from api.ticketing.times import DATE_TIME_HELP, DATE_TIME_PATTERN, parse_moment
from api.ticketing.workflow import CLOSED, LABELS, RESOLUTIONS, RESOLVED, InstanceWorkflow, WorkflowError
from common.api import patterns
from tickets.models import CustomFieldDefinition, Project, TagCategory

PRIORITIES = ("Low", "Medium", "Important", "Urgent")
DEFAULT_PRIORITY = "Medium"
MAX_TAGS = 100
FieldType = CustomFieldDefinition.FieldType


@dataclass
class InstanceContext:
    """What validating and rendering need to know about the instance of a request."""

    project: Project
    tz: timezone

    @cached_property
    def workflow(self) -> InstanceWorkflow:
        return InstanceWorkflow.load(self.project)

    @cached_property
    def definitions(self) -> dict[str, CustomFieldDefinition]:
        return {str(d.id): d for d in CustomFieldDefinition.objects.filter(project=self.project)}

    @cached_property
    def categories(self) -> dict[str, TagCategory]:
        return {str(c.id): c for c in TagCategory.objects.filter(project=self.project).prefetch_related("tags")}


def _instance(serializer) -> InstanceContext:
    return serializer.context["instance"]


def normalized_uuid(value: str) -> str | None:
    """The canonical (lower-case, hyphenated) form of a 36-character UUID, or None."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


# --- Request bodies -----------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": f"^{patterns.UUID}$"})
class TagCategoryIdField(TextField):
    """A tag category's id: a UUID (36 characters)."""


class TagRefSerializer(serializers.Serializer):
    tagCategoryId = TagCategoryIdField(min_length=36, max_length=36, help_text="A tag category id (36 characters).")
    text = TextField(max_length=200)

    def validate_tagCategoryId(self, value):
        normalized = normalized_uuid(value)
        if normalized is None:
            raise serializers.ValidationError("Enter a 36-character tag category id.")
        return normalized


@extend_schema_field({"type": "string", "pattern": DATE_TIME_PATTERN, "nullable": True, "description": DATE_TIME_HELP})
class MomentField(serializers.Field):
    """A date or date-time; without an offset it is read in the request's `timezone`."""

    default_error_messages = {"invalid": "Enter a date or date-time in ISO 8601 (e.g. 2024-06-01T09:00:00Z)."}

    def to_internal_value(self, data):
        try:
            return parse_moment(data, _instance(self).tz)
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value):  # pragma: no cover - request-only
        return value


class TicketFieldsSerializer(serializers.Serializer):
    """The fields of a ticket a client writes (ITicket). On update only the fields sent change."""

    title = TextField(max_length=500, required=False)
    description = TextField(
        max_length=LONG_TEXT_MAX_LENGTH, allow_blank=True, trim_whitespace=False, required=False,
        help_text="HTML allowed.",
    )  # fmt: skip
    requestor = UserSerializer(required=False)
    assignee = UserSerializer(required=False, allow_null=True, help_text="null unassigns.")
    priority = serializers.ChoiceField(PRIORITIES, required=False)
    status = serializers.ChoiceField(LABELS, required=False)
    resolution = serializers.ChoiceField(RESOLUTIONS, required=False, help_text="With status Resolved or Closed.")
    expectedDate = MomentField(required=False, allow_null=True)
    customFields = CustomFieldsField(required=False)
    tags = serializers.ListField(child=TagRefSerializer(), required=False, max_length=MAX_TAGS)

    creating = False

    def validate_customFields(self, value):
        instance = _instance(self)
        definitions = instance.definitions
        errors, normalized = {}, {}
        for field_id, field_value in value.items():
            definition = definitions.get(normalized_uuid(field_id) or "")
            if definition is None:
                errors[field_id] = ["Unknown custom field: give the 36-character id of a field of this instance."]
                continue
            if field_value is None:
                if definition.required:
                    errors[field_id] = ["This custom field is required."]
                elif not self.creating:
                    normalized[str(definition.id)] = None
                continue
            field_id = str(definition.id)
            try:
                normalized[field_id] = custom_field_value(definition, field_value, instance.tz)
            except ValueError as problem:
                errors[field_id] = [str(problem)]
        if self.creating:
            given = {normalized_uuid(field_id) for field_id in value}
            for field_id, definition in definitions.items():
                if definition.required and field_id not in given:
                    errors[field_id] = ["This custom field is required."]
        if errors:
            raise serializers.ValidationError(errors)
        return normalized

    def validate_tags(self, value):
        categories = _instance(self).categories
        errors, tags = {}, []
        for index, tag in enumerate(value):
            category = categories.get(tag["tagCategoryId"])
            if category is None or category.deleted:
                errors[index] = {"tagCategoryId": ["Unknown tag category of this instance (see GET /tags)."]}
                continue
            text = tag["text"]
            if any(t.text == text and t.deleted for t in category.tags.all()):
                errors[index] = {"text": [f"The tag '{text}' is deleted in this category."]}
                continue
            if (category, text) not in tags:
                tags.append((category, text))
        if errors:
            raise serializers.ValidationError([errors.get(i, {}) for i in range(len(value))])
        return tags

    def validate(self, attrs):
        label, resolution = attrs.get("status"), attrs.get("resolution", "")
        if resolution and label not in (RESOLVED, CLOSED):
            raise serializers.ValidationError(
                {"resolution": ["A resolution goes with the status Resolved or Closed."]}
            )
        if label is not None:
            try:
                attrs["status"] = _instance(self).workflow.target(label, resolution)
            except WorkflowError as problem:
                raise serializers.ValidationError({"status": [str(problem)]}) from None
        return attrs


class TicketCreateFieldsSerializer(TicketFieldsSerializer):
    title = TextField(max_length=500)
    requestor = UserSerializer()

    creating = True


class TicketCreateSerializer(serializers.Serializer):
    ticket = TicketCreateFieldsSerializer()
    user = UserSerializer(required=False, allow_null=True, help_text="Who creates it; default the requestor.")


class TicketUpdateSerializer(serializers.Serializer):
    updates = TicketFieldsSerializer(required=False, help_text="The fields to change (send only those).")
    ticket = TicketFieldsSerializer(required=False, help_text="Accepted instead of `updates`.")
    user = UserSerializer(required=False, allow_null=True, help_text="Who makes the change.")

    def validate(self, attrs):
        given = [name for name in ("updates", "ticket") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError({"updates": ["Send the fields to change as `updates` (or `ticket`)."]})
        attrs["changes"] = attrs.pop(given[0])
        return attrs


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(LABELS)
    resolution = serializers.ChoiceField(RESOLUTIONS, required=False, help_text="With Resolved or Closed.")
    comment = TextField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, trim_whitespace=False)
    user = UserSerializer(required=False, allow_null=True, help_text="Who changes the status.")

    def validate(self, attrs):
        label, resolution = attrs["status"], attrs.get("resolution", "")
        if resolution and label not in (RESOLVED, CLOSED):
            raise serializers.ValidationError(
                {"resolution": ["A resolution goes with the status Resolved or Closed."]}
            )
        try:
            attrs["target"] = _instance(self).workflow.target(label, resolution)
        except WorkflowError as problem:
            raise serializers.ValidationError({"status": [str(problem)]}) from None
        return attrs


class CommentCreateSerializer(serializers.Serializer):
    comment = TextField(max_length=LONG_TEXT_MAX_LENGTH, trim_whitespace=False)
    user = UserSerializer(help_text="The author.")
    isPrivate = BooleanOnlyField(required=False, default=False, help_text="A private (internal) note.")

    def validate_comment(self, value):
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value
