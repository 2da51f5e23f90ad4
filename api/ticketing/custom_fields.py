"""Custom field values of a ticket, checked against their definition (by the field's
36-character id): text, textarea, toggle, datepicker, peoplepicker, itempicker (its options)."""

from datetime import UTC, timezone

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.ticketing.fields import UserSerializer
from api.ticketing.times import parse_moment, render
from tickets.models import CustomFieldDefinition

TEXT_MAX_LENGTH = 4000
LONG_TEXT_MAX_LENGTH = 100_000
FieldType = CustomFieldDefinition.FieldType


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


def custom_field_value(definition: CustomFieldDefinition, value, tz: timezone):
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
