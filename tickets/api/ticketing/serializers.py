"""Request bodies of the Ticketing surface (validated against the instance: workflow, custom field
definitions, tag categories) and the shapes of its answers (documented here, rendered by
`presenters`)."""

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, timezone
from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.models import CustomFieldDefinition, Project, TagCategory
from tickets.services_ticketing import TicketingUser

from .times import DATE_TIME_HELP, DATE_TIME_PATTERN, parse_moment, render
from .workflow import CLOSED, LABELS, RESOLUTIONS, RESOLVED, InstanceWorkflow, WorkflowError

PRIORITIES = ("Low", "Medium", "Important", "Urgent")
DEFAULT_PRIORITY = "Medium"
TEXT_MAX_LENGTH = 4000
LONG_TEXT_MAX_LENGTH = 100_000
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


class TextField(serializers.CharField):
    """A JSON string only: DRF's CharField would also take a number (`"title": 1` -> "1"), which
    is a wrong JSON type here."""

    default_error_messages = {"not_a_string": "Enter a string (got a JSON {kind})."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", kind=_json_kind(data))
        return super().to_internal_value(data)


class EmailTextField(TextField, serializers.EmailField):
    pass


class BooleanOnlyField(serializers.BooleanField):
    """A JSON boolean only (not "true", 1 or "yes")."""

    default_error_messages = {"invalid": "Enter true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


def _json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "array" if isinstance(value, list) else "object"


class UserSerializer(serializers.Serializer):
    """A Ticketing user (IUser): Microsoft 365 object id (or an email), display name, email."""

    id = TextField(max_length=254, help_text="Microsoft 365 (Entra) object id, or an email.")
    name = TextField(max_length=200)
    email = EmailTextField(max_length=254)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        return TicketingUser(id=values["id"], name=values["name"], email=values["email"])


class TagRefSerializer(serializers.Serializer):
    tagCategoryId = TextField(min_length=36, max_length=36, help_text="A tag category id (36 characters).")
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


def _storable(text: str) -> bool:
    """No NUL character (PostgreSQL refuses it) and no lone surrogate (not encodable)."""
    return "\x00" not in text and not any("\ud800" <= character <= "\udfff" for character in text)


CUSTOM_FIELD_VALUE_SCHEMA = {
    "anyOf": [
        {"type": "string"},
        {"type": "boolean"},
        {"type": "array", "items": {"type": "string"}},
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "email": {"type": "string"}},
                "required": ["id", "name", "email"],
            },
        },
    ],
    "nullable": True,
}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": CUSTOM_FIELD_VALUE_SCHEMA,
        "description": (
            "Values keyed by the 36-character custom field id (see `GET /instance`): a string for text, "
            "textarea and datepicker, a boolean for toggle, option ids for itempicker, users for peoplepicker. "
            "On update, null removes a value."
        ),
    }
)
class CustomFieldsField(serializers.DictField):
    child = serializers.JSONField(allow_null=True)


def _custom_field_value(definition: CustomFieldDefinition, value, tz: timezone):
    """A value checked against its definition and normalized; raises ValueError with the problem."""
    kind = definition.field_type
    if kind in (FieldType.TEXT, FieldType.TEXTAREA):
        limit = TEXT_MAX_LENGTH if kind == FieldType.TEXT else LONG_TEXT_MAX_LENGTH
        if not isinstance(value, str):
            raise ValueError(f"A {kind} field takes a string.")
        if len(value) > limit:
            raise ValueError(f"Ensure this value has at most {limit} characters.")
        if not _storable(value):
            raise ValueError("Null characters and lone surrogates are not allowed.")
        return value
    if kind == FieldType.TOGGLE:
        if not isinstance(value, bool):
            raise ValueError("A toggle field takes true or false.")
        return value
    if kind == FieldType.DATEPICKER:
        try:
            moment = parse_moment(value, tz)
        except ValueError:
            raise ValueError("A datepicker field takes an ISO 8601 date or date-time.") from None
        return value if len(value) == 10 else render(moment, UTC)
    values = value if isinstance(value, list) else [value]
    if not definition.multiple and len(values) > 1:
        raise ValueError("This field takes a single value.")
    if kind == FieldType.PEOPLEPICKER:
        people = UserSerializer(data=values, many=True)
        if not people.is_valid():
            raise ValueError("A peoplepicker field takes users, each with id, name and a valid email.")
        return [{"id": u.id, "name": u.name, "email": u.email} for u in people.validated_data]
    options = {str(option.get("id")) for option in definition.options or [] if isinstance(option, dict)}
    if not all(isinstance(item, str) for item in values):
        raise ValueError("An itempicker field takes option ids.")
    unknown = [item for item in values if item not in options]
    if unknown:
        raise ValueError(f"Not an option of this field: {', '.join(unknown)}.")
    return values


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
                normalized[field_id] = _custom_field_value(definition, field_value, instance.tz)
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


# --- Answers (documentation of what `presenters` renders) ---------------------------------------

DATE_TIME = {"type": "string", "format": "date-time"}


class UserOutSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()


class TagOutSerializer(serializers.Serializer):
    tagCategoryId = serializers.CharField()
    text = serializers.CharField()


@extend_schema_field({"type": "object", "additionalProperties": CUSTOM_FIELD_VALUE_SCHEMA})
class CustomFieldsOutField(serializers.DictField):
    pass


class TicketItemSerializer(serializers.Serializer):
    """ITicket. Times are ISO 8601 in the request's `timezone`."""

    id = serializers.UUIDField(help_text="The ticket id (a UUID): the `{ticketId}` of the routes.")
    ticketId = serializers.IntegerField(allow_null=True, help_text="The ticket number, per instance.")
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(LABELS)
    requestor = UserOutSerializer(allow_null=True)
    assignee = UserOutSerializer(allow_null=True)
    priority = serializers.CharField()
    customFields = CustomFieldsOutField()
    tags = TagOutSerializer(many=True)
    expectedDate = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    firstResponseOn = serializers.DateTimeField(allow_null=True, help_text="First helper response.")
    firstResolutionOn = serializers.DateTimeField(allow_null=True)
    lastResolutionOn = serializers.DateTimeField(allow_null=True)
    lastResolutionComment = serializers.CharField()
    createdOn = serializers.DateTimeField()
    createdBy = UserOutSerializer(allow_null=True)
    lastUpdatedOn = serializers.DateTimeField()
    lastUpdatedBy = UserOutSerializer(allow_null=True)
    lastInteraction = serializers.DateTimeField(help_text="Last comment, else creation.")
    isFrtEscalated = serializers.BooleanField(help_text="Always false: Tally keeps no SLA.")
    isRtEscalated = serializers.BooleanField(help_text="Always false: Tally keeps no SLA.")


class TicketSelectedItemSerializer(serializers.Serializer):
    """ITicket projected by `select`: only the selected fields (all of TicketItem without `select`).
    `ticketNo`, `requestorName`, `requestorEmail`, `assigneeName`, `assigneeEmail` come only when selected."""

    def get_fields(self):
        fields = copy.deepcopy(TicketItemSerializer._declared_fields)
        for field in fields.values():
            field.required = False
        fields["ticketNo"] = serializers.IntegerField(allow_null=True, required=False)
        for name in ("requestorName", "requestorEmail", "assigneeName", "assigneeEmail"):
            fields[name] = serializers.CharField(allow_null=True, required=False)
        return fields


class TicketEnvelopeSerializer(serializers.Serializer):
    item = TicketItemSerializer()


class TicketListSerializer(serializers.Serializer):
    items = TicketSelectedItemSerializer(many=True)
    continuationToken = serializers.CharField(
        required=False, help_text="Present when there are more tickets: send it as the continuationToken header."
    )


class ActivitySerializer(serializers.Serializer):
    """IActivity: a comment or a status change."""

    id = serializers.CharField()
    ticketId = serializers.UUIDField()
    type = serializers.ChoiceField(["comment", "statusChange"])
    comment = serializers.CharField()
    isPrivate = serializers.BooleanField()
    createdDateTime = serializers.DateTimeField()
    createdBy = UserOutSerializer(allow_null=True)
    status = serializers.ChoiceField(LABELS, allow_null=True, help_text="The new status of a status change.")
    resolution = serializers.CharField(allow_null=True)


class ActivityListSerializer(serializers.Serializer):
    items = ActivitySerializer(many=True)
    continuationToken = serializers.CharField(required=False)


class CommentSerializer(serializers.Serializer):
    """IComment."""

    id = serializers.CharField()
    ticketId = serializers.UUIDField()
    comment = serializers.CharField()
    isPrivate = serializers.BooleanField()
    createdDateTime = serializers.DateTimeField()
    user = UserOutSerializer(allow_null=True)


class CommentEnvelopeSerializer(serializers.Serializer):
    item = CommentSerializer()


class CustomFieldOptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()


class CustomFieldOutSerializer(serializers.Serializer):
    """ICustomField."""

    id = serializers.UUIDField()
    type = serializers.ChoiceField(FieldType.values)
    label = serializers.CharField()
    required = serializers.BooleanField()
    multiple = serializers.BooleanField()
    options = CustomFieldOptionSerializer(many=True)


class AssigneesSerializer(serializers.Serializer):
    type = serializers.ChoiceField(["teamsOwner", "customAssignee"])
    peoples = UserOutSerializer(many=True)


class InstanceSerializer(serializers.Serializer):
    """IInstance. Identifiers Tally does not know (Teams group, tenant, channel) are empty unless
    set in the project's instance settings."""

    id = serializers.CharField()
    groupId = serializers.CharField()
    name = serializers.CharField()
    enabled = serializers.BooleanField()
    tenantId = serializers.CharField()
    teamId = serializers.CharField()
    channelId = serializers.CharField()
    subscriptionId = serializers.CharField()
    mailAddress = serializers.CharField()
    customFields = CustomFieldOutSerializer(many=True)
    customFieldsLeft = CustomFieldOutSerializer(many=True)
    customFieldsRight = CustomFieldOutSerializer(many=True)
    optionalFieldsLeft = CustomFieldOutSerializer(many=True)
    optionalFieldsRight = CustomFieldOutSerializer(many=True)
    assignees = AssigneesSerializer()
    assigneeRules = serializers.ListField(child=serializers.DictField())
    defaultRuleAssignee = serializers.ListField(child=serializers.DictField())
    isAutomaticAssignTickets = serializers.BooleanField()
    alertNotification = serializers.DictField(allow_null=True)
    isAutoAssignIdleTickets = serializers.BooleanField()
    dayBeforeTicketsIdle = serializers.IntegerField()
    idleTicketAssignedTo = UserOutSerializer(many=True)
    isNotifyIdleTicket = serializers.BooleanField()


class InstanceEnvelopeSerializer(serializers.Serializer):
    item = InstanceSerializer()


class TagItemSerializer(serializers.Serializer):
    text = serializers.CharField()
    deleted = serializers.BooleanField()


class TagCategorySerializer(serializers.Serializer):
    """ITagCategory."""

    id = serializers.UUIDField()
    instanceId = serializers.CharField()
    text = serializers.CharField()
    color = serializers.CharField()
    tags = TagItemSerializer(many=True)
    deleted = serializers.BooleanField()


class TagCategoryListSerializer(serializers.Serializer):
    items = TagCategorySerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """A Ticketing error: `message` names every problem; `errors` (on 400s) by parameter or body path."""

    error = serializers.BooleanField()
    message = serializers.CharField()
    errors = serializers.JSONField(required=False)
