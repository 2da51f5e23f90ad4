"""The shapes of the Ticketing surface's answers, for the OpenAPI schema (rendered by
`presenters`): ITicket, IActivity, IComment, IInstance, ITagCategory, and the error envelope."""

import copy

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.ticketing.custom_fields import CUSTOM_FIELD_VALUE_SCHEMA
from api.ticketing.workflow import LABELS
from tickets.models import CustomFieldDefinition

FieldType = CustomFieldDefinition.FieldType

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
