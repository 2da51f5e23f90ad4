"""Strict JSON fields of the Ticketing request bodies: a string where the document has a string,
a boolean where it has a boolean (DRF would coerce `1` to "1" or "true" to True), and IUser."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from common.api import patterns
from tickets.services.ticketing import TicketingUser


class TextField(serializers.CharField):
    """A JSON string only: DRF's CharField would also take a number (`"title": 1` -> "1"), which
    is a wrong JSON type here."""

    default_error_messages = {"not_a_string": "Enter a string (got a JSON {kind})."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", kind=_json_kind(data))
        return super().to_internal_value(data)


class TextFieldSchema(OpenApiSerializerFieldExtension):
    """A required text is trimmed, then may not be blank: its schema asks for a character that is
    not a space (and, as all text, no NUL)."""

    target_class = TextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request" and not self.target.allow_blank and "format" not in schema:
            schema["pattern"] = patterns.NOT_BLANK
        return schema


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
